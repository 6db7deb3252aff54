"""The backend matrix: every stack in its own process, every situation, the same answer.

Each cell sends one remote start (``hubsim send``'s one-shot code) and runs the one-shot
check (``hubsim check``), and asserts the send outcome and the status of every layer the
case names. Refusal cases run five times each against the same backend process.
"""

from __future__ import annotations

import pytest

from simulator.oneshot import ServerCertChoice
from tests.backends.matrix import Case, cells, check_report, run_cell, spec_for
from tests.backends.pool import BackendPool
from tests.backends.stacks import Stack

REPEATS = 5


def _params() -> list[object]:
    params: list[object] = []
    for case, stack in cells():
        for repeat in range(REPEATS if case.refusal else 1):
            ident = f"{stack.name}-{case.name}" + (f"-run{repeat + 1}" if case.refusal else "")
            params.append(pytest.param(case, stack, id=ident.replace(" ", "_")))
    return params


@pytest.mark.parametrize(("case", "stack"), _params())
async def test_each_backend_situation_gets_its_one_outcome(
    case: Case, stack: Stack, backends: BackendPool
) -> None:
    backend = backends.get(stack.name, spec_for(case, stack))
    result = await run_cell(case, backend, backends.materials)
    assert result.outcome == case.outcome, result.detail
    assert {key: result.layers[key] for key in case.layers} == case.layers


@pytest.mark.parametrize(
    ("case", "stack"),
    [
        pytest.param(case, stack, id=f"{stack.name}-{case.name}".replace(" ", "_"))
        for case, stack in cells()
        if case.outcome in ("not_http", "header_too_large")
    ],
)
async def test_an_http_parsers_complaint_is_one_line_of_the_sentence(
    case: Case, stack: Stack, backends: BackendPool
) -> None:
    # aiohttp's complaint spans lines: the bytes on one, a caret under the spot on the next.
    backend = backends.get(stack.name, spec_for(case, stack))
    result = await run_cell(case, backend, backends.materials, check=False)
    assert "\n" not in result.detail and "^" not in result.detail, result.detail


# The outcomes of a request that reached the backend over a finished handshake and then
# failed without an answer the hub could read.
_FAILED_AFTER_THE_HANDSHAKE = (
    "timeout",
    "connection_closed",
    "not_http",
    "header_too_large",
    "answer_too_large",
)


@pytest.mark.parametrize(
    ("case", "stack"),
    [
        pytest.param(case, stack, id=f"{stack.name}-{case.name}".replace(" ", "_"))
        for case, stack in cells()
        if case.outcome in _FAILED_AFTER_THE_HANDSHAKE
    ],
)
async def test_a_failure_after_the_handshake_still_reports_the_tls_it_used(
    case: Case, stack: Stack, backends: BackendPool
) -> None:
    # The request went out over TLS: the exchange says how, so a user sees that TLS was
    # not the problem (it said "tls": null, as if no handshake had happened).
    backend = backends.get(stack.name, spec_for(case, stack))
    result = await run_cell(case, backend, backends.materials, check=False)
    assert result.outcome == case.outcome, result.detail
    assert result.tls_protocol in ("TLSv1.2", "TLSv1.3"), result


@pytest.mark.parametrize(
    ("case", "stack", "repeat"),
    [
        pytest.param(case, stack, n, id=f"{stack.name}-{case.name}-run{n}".replace(" ", "_"))
        for case, stack in cells()
        if case.name == "hub certificate refused (TLS 1.3)"
        for n in range(1, REPEATS + 1)
    ],
)
async def test_a_tls13_refusal_of_the_hubs_certificate_still_names_the_handshake(
    case: Case, stack: Stack, repeat: int, backends: BackendPool
) -> None:
    # The server tears the connection down right after the handshake; read a few loop
    # turns later, the facts were gone in some runs: "negotiated None, cipher None", and
    # layer 6 without the certificate's dates (openssl s_server, HAProxy).
    backend = backends.get(stack.name, spec_for(case, stack))
    url = f"https://localhost:{backend.port}/cpo-backend"
    pki = backends.materials.foreign_pki.directory
    report = await check_report(url, ServerCertChoice.parse("hubject"), pki, case, "DE*ABC*E0001")
    tls = next(layer for layer in report.layers if layer.key == "tls")
    server = next(layer for layer in report.layers if layer.key == "server_certificate")
    assert "negotiated TLSv1.3, cipher TLS_" in tls.reason, tls.reason
    assert "could not be read" not in server.reason, server.reason
