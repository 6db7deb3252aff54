"""Sentences of the diagnosis vocabulary that only a rare run reaches."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp

from simulator.diagnosis import CallContext, diagnose_exception
from simulator.exchange import Outcome
from simulator.refusal import Decision
from simulator.sender import judge_answer


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


def test_an_excerpt_of_a_crlf_page_has_no_carriage_returns() -> None:
    # nginx's 502 page is written with CRLF; the sentence quoted it with literal "\r".
    page = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body></body>\r\n</html>\r\n"
    fields = {
        "operation": "eRoamingAuthorizeRemoteStart",
        "url": "https://cpo.example:8443/x",
        "request_body": {},
        "started_at": datetime.now(UTC),
        "elapsed_ms": 1.0,
    }
    found = judge_answer(502, page, fields)
    assert found.outcome is Outcome.HTTP_STATUS
    assert "\\r" not in found.detail and "\r" not in found.detail
    assert "'<html> <head><title>502 Bad Gateway</title></head> <body></body> </html>'" in (
        found.detail
    )
