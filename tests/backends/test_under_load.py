"""The backend matrix under load: ``hubsim load`` against every stack, in its own process.

A failure under load must read like the same failure in ``hubsim send`` (issue 15): with
eight users at once against nginx, HAProxy, ``openssl s_server``, Node, a blocking Python
server, aiohttp and the stub, every request of a refusal case gets the case's one outcome,
however the peer's answers to the concurrent connections interleave. The refused hub
certificate also runs with a handshake per request (``--fresh-connections``), where every
request meets the refusal anew.
"""

from __future__ import annotations

import json

import pytest

from tests.backends.materials import Materials
from tests.backends.matrix import Case, cells, spec_for
from tests.backends.pool import BackendPool
from tests.backends.stacks import Stack
from tests.cli.conftest import hubsim

USERS = 8
REQUESTS = 24

# The outcomes decided by the peer's TLS or HTTP behaviour, where concurrent connections
# could make the peer (or the hub's reading of it) answer differently. Left out: the slow
# and the oversized answers, whose cases measure the hub's limits rather than the peer.
_UNDER_LOAD = frozenset(
    {
        "client_cert_refused",
        "server_cert_untrusted",
        "server_cert_expired",
        "hostname_mismatch",
        "tls_version",
        "plain_http",
        "http_status",
        "not_json",
        "connection_closed",
    }
)


def _params() -> list[object]:
    params: list[object] = []
    for case, stack in cells():
        if case.outcome not in _UNDER_LOAD:
            continue
        fresh = (False, True) if case.outcome == "client_cert_refused" else (False,)
        for each in fresh:
            ident = f"{stack.name}-{case.name}" + ("-fresh" if each else "")
            params.append(pytest.param(case, stack, each, id=ident.replace(" ", "_")))
    return params


def _target(case: Case, port: int, materials: Materials) -> list[str]:
    pki = materials.foreign_pki if case.foreign_client else materials.pki
    server_cert = f"user:{materials.pki.cpo_user_server_cert}" if case.user_cert else "hubject"
    return [
        "--url",
        f"https://localhost:{port}/cpo-backend",
        "--server-cert",
        server_cert,
        "--pki",
        str(pki.directory),
        "--timeout",
        f"{case.timeout_s:g}",
    ]


@pytest.mark.parametrize(("case", "stack", "fresh"), _params())
async def test_under_load_every_request_of_a_refusal_gets_its_one_outcome(
    case: Case, stack: Stack, fresh: bool, backends: BackendPool
) -> None:
    backend = backends.get(stack.name, spec_for(case, stack))
    run = await hubsim(
        "load",
        *_target(case, backend.port, backends.materials),
        "-c",
        str(USERS),
        "--requests",
        str(REQUESTS),
        "--evse",
        "DE*ABC*EU[0001-9999]",
        "--json",
        *(["--fresh-connections"] if fresh else []),
    )
    assert run.code == 0, run.err
    outcomes = json.loads(run.out)["outcomes"]
    counts = {key: found["count"] for key, found in outcomes.items()}
    assert counts == {case.outcome: REQUESTS}, json.dumps(outcomes, indent=1)
