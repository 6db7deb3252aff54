"""Errors of the tool itself, and how any error is told to a CLI user in one line."""

from __future__ import annotations


class CLIError(Exception):
    """Misuse of the command line; the message says what to change."""


BOTH_TARGETS = "give either --operator (through a hub) or --url (one-shot), not both"


def user_error_message(exc: BaseException) -> str:
    """One line for any error: known errors carry their own sentence."""
    from cpo_stub.server import StubStartError
    from mockpki.errors import PKIError
    from simulator.app import HubStartError
    from simulator.certificates import CertificateUploadError
    from simulator.config import ConfigError
    from simulator.hub import HubError
    from simulator.requests import RequestRefused

    known = (
        CLIError,
        PKIError,
        HubStartError,
        CertificateUploadError,
        ConfigError,
        HubError,
        RequestRefused,
        StubStartError,
    )
    if isinstance(exc, known):
        return str(exc)
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or exc}{where}"
    return f"unexpected {type(exc).__name__}: {exc}"
