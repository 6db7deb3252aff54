"""SQL for Certificate Management's uploads (run on the worker thread).

An upload may be a chain of several certificates; it is stored whole or not at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from simulator.model import UploadedCertificate
from simulator.storage.codec import now_utc, time_from_text, time_to_text
from simulator.storage.errors import DuplicateCertificateError
from simulator.storage.operators import require_operator


@dataclass(frozen=True)
class NewCertificate:
    """A parsed certificate about to be stored (the storage assigns its id and upload time)."""

    pem: str
    filename: str
    subject: str
    sans: tuple[str, ...]
    sha256: str
    not_before: datetime
    not_after: datetime


def add_certificates(
    connection: sqlite3.Connection, operator_id: str, certificates: Sequence[NewCertificate]
) -> list[UploadedCertificate]:
    """Store every certificate of one upload, in order, or refuse the whole upload.

    Runs inside one transaction: a refusal raised part-way rolls back the rows before it.
    """
    require_operator(connection, operator_id)
    _refuse_repeats_within(certificates)
    uploaded_at = now_utc()
    return [_insert(connection, operator_id, cert, uploaded_at) for cert in certificates]


def list_certificates(
    connection: sqlite3.Connection, operator_id: str
) -> list[UploadedCertificate]:
    """The operator's certificates in upload order."""
    rows = connection.execute(
        "SELECT * FROM certificates WHERE operator_id = ? ORDER BY cert_id", (operator_id,)
    ).fetchall()
    return [_certificate(row) for row in rows]


def delete_certificate(connection: sqlite3.Connection, operator_id: str, cert_id: int) -> bool:
    cursor = connection.execute(
        "DELETE FROM certificates WHERE operator_id = ? AND cert_id = ?", (operator_id, cert_id)
    )
    return cursor.rowcount > 0


def _refuse_repeats_within(certificates: Sequence[NewCertificate]) -> None:
    seen: set[str] = set()
    for cert in certificates:
        if cert.sha256 in seen:
            raise DuplicateCertificateError(
                f"certificate {cert.subject!r} with SHA-256 fingerprint {cert.sha256} appears "
                "twice in this upload; nothing was stored: upload each certificate once",
                cert.sha256,
            )
        seen.add(cert.sha256)


def _insert(
    connection: sqlite3.Connection, operator_id: str, cert: NewCertificate, uploaded_at: datetime
) -> UploadedCertificate:
    _refuse_already_stored(connection, operator_id, cert)
    cursor = connection.execute(
        """
        INSERT INTO certificates (
            operator_id, pem, filename, subject, sans, sha256, not_before, not_after,
            uploaded_at
        ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            operator_id,
            cert.pem,
            cert.filename,
            cert.subject,
            json.dumps(list(cert.sans)),
            cert.sha256,
            time_to_text(cert.not_before, f"not_before of {cert.filename}"),
            time_to_text(cert.not_after, f"not_after of {cert.filename}"),
            time_to_text(uploaded_at, "uploaded_at"),
        ),
    )
    cert_id = cursor.lastrowid
    assert cert_id is not None  # an INSERT into a rowid table always sets it
    return _uploaded(operator_id, cert_id, cert, uploaded_at)


def _refuse_already_stored(
    connection: sqlite3.Connection, operator_id: str, cert: NewCertificate
) -> None:
    row = connection.execute(
        "SELECT cert_id, filename FROM certificates WHERE operator_id = ? AND sha256 = ?",
        (operator_id, cert.sha256),
    ).fetchone()
    if row is not None:
        raise DuplicateCertificateError(
            f"certificate {cert.subject!r} with SHA-256 fingerprint {cert.sha256} is already "
            f"uploaded for operator {operator_id!r} (certificate {row['cert_id']}, "
            f"{row['filename']!r}); nothing was stored: delete the old one first or leave "
            "it out of this upload",
            cert.sha256,
        )


def _uploaded(
    operator_id: str, cert_id: int, cert: NewCertificate, uploaded_at: datetime
) -> UploadedCertificate:
    # Read the stored text back through the codec so a returned value equals a listed one.
    return UploadedCertificate(
        operator_id=operator_id,
        cert_id=cert_id,
        pem=cert.pem,
        filename=cert.filename,
        subject=cert.subject,
        sans=tuple(cert.sans),
        sha256=cert.sha256,
        not_before=time_from_text(time_to_text(cert.not_before, "not_before")),
        not_after=time_from_text(time_to_text(cert.not_after, "not_after")),
        uploaded_at=uploaded_at,
    )


def _certificate(row: sqlite3.Row) -> UploadedCertificate:
    return UploadedCertificate(
        operator_id=row["operator_id"],
        cert_id=int(row["cert_id"]),
        pem=row["pem"],
        filename=row["filename"],
        subject=row["subject"],
        sans=tuple(json.loads(row["sans"])),
        sha256=row["sha256"],
        not_before=time_from_text(row["not_before"]),
        not_after=time_from_text(row["not_after"]),
        uploaded_at=time_from_text(row["uploaded_at"]),
    )
