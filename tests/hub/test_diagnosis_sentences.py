"""Sentences of the diagnosis vocabulary that only a rare run reaches."""

from __future__ import annotations

import aiohttp

from simulator.diagnosis import CallContext, diagnose_exception
from simulator.exchange import Outcome
from simulator.refusal import Decision


def test_an_undecided_second_connection_does_not_clear_the_certificate() -> None:
    # A backend stopped mid-run: the deciding step's connection was refused, which tells
    # nothing about the certificate; the sentence said it was "not the cause".
    ctx = CallContext(
        url="https://cpo.example:8443/x",
        host="cpo.example",
        port=8443,
        mode_label="Hubject certificate",
        expected="a certificate chaining to the mock Hubject CA",
        timeout_s=10.0,
        decision=Decision(None, "a second TLS handshake failed (ConnectionRefusedError)"),
    )
    found = diagnose_exception(aiohttp.ServerDisconnectedError(), ctx)
    assert found.outcome is Outcome.CONNECTION_CLOSED
    assert "is unknown" in found.detail and "not the cause" not in found.detail
