"""The storage layer's exception tree, written down once."""

from __future__ import annotations


class StorageError(Exception):
    """Storing or loading the hub's data failed; the message says what and what to do."""


class DuplicateCertificateError(StorageError):
    """An upload holds a certificate the operator already has (same SHA-256 fingerprint)."""

    def __init__(self, message: str, sha256: str) -> None:
        super().__init__(message)
        self.sha256 = sha256


class UnknownOperatorError(StorageError):
    """Settings or certificates were saved for an operator the hub does not know."""

    def __init__(self, operator_id: str) -> None:
        super().__init__(
            f"unknown operator {operator_id!r}: create the operator first, "
            "then save its settings or certificates"
        )
        self.operator_id = operator_id
