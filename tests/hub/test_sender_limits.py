"""The sender's own limits against backends in their own processes: connection slots whose
wait never counts as the CPO's time, bounded answers, bounded JSON nesting."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from hubsim.commands.hub_cmd import options_from, register
from hubsim.errors import CLIError
from mockpki import MockHubjectPKI
from oicp import Operation
from simulator.exchange import Exchange
from simulator.model import ServerCertification
from simulator.requests import SendParams, build_request
from simulator.sender import DEFAULT_CONNECTION_LIMIT, Sender, Target
from simulator.tls import ClientIdentity, ServerTrust
from tests.backends import Answer, BackendProcess, BackendSpec, Materials
from tests.backends.hubproc import Admin, start_hub
from tests.backends.stacks import start_aiohttp


@pytest.fixture(scope="module")
def materials(tmp_path_factory: pytest.TempPathFactory) -> Materials:
    return Materials.create(MockHubjectPKI.create(), Path(tmp_path_factory.mktemp("limits")))


@pytest.fixture
def identity(materials: Materials) -> ClientIdentity:
    files = materials.pki
    return ClientIdentity(files.hub_client_cert, files.hub_client_key)


def _target(materials: Materials, backend: BackendProcess, timeout_s: float) -> Target:
    trust = ServerTrust(ServerCertification.HUBJECT, (materials.pki.hubject_ca.read_text(),))
    url = f"https://localhost:{backend.port}/cpo/api/oicp/charging/v21/providers/DE*ICE/authorize-remote/start"
    return Target(url=url, trust=trust, timeout_s=timeout_s)


async def _send(sender: Sender, target: Target, n: int) -> list[Exchange]:
    request = build_request(Operation.AUTHORIZE_REMOTE_START, SendParams("DE*ABC*E0001", "DE*ICE"))
    return list(await asyncio.gather(*(sender.send(target, request) for _ in range(n))))


@pytest.fixture
def backend_factory(materials: Materials) -> Iterator[list[BackendProcess]]:
    started: list[BackendProcess] = []
    yield started
    for backend in started:
        backend.stop()


def _start(
    started: list[BackendProcess], materials: Materials, answer: Answer, *extra: str
) -> BackendProcess:
    backend = start_aiohttp(BackendSpec(answer=answer), materials, *extra)
    started.append(backend)
    return backend


async def test_default_connection_limit_lets_a_thousand_requests_be_in_flight(
    materials: Materials, identity: ClientIdentity, backend_factory: list[BackendProcess]
) -> None:
    # The backend answers nobody until 1,000 requests are in: all accepted proves that the
    # hub had 1,000 in flight at once.
    assert DEFAULT_CONNECTION_LIMIT >= 1000
    backend = _start(backend_factory, materials, Answer.ECHO, "--hold", "1000")
    async with Sender(identity) as sender:
        exchanges = await _send(sender, _target(materials, backend, 60.0), 1000)
    outcomes = {e.outcome.value for e in exchanges}
    assert outcomes == {"accepted"}, {e.detail for e in exchanges if not e.ok}


async def test_the_wait_for_a_slot_does_not_count_against_the_cpo_timeout(
    materials: Materials, identity: ClientIdentity, backend_factory: list[BackendProcess]
) -> None:
    # Each answer takes 2 s, the timeout is 3 s, one slot: the second request waits about
    # 2 s and then gets its own 3 s.
    backend = _start(backend_factory, materials, Answer.SLOW, "--slow-s", "2")
    async with Sender(identity, connection_limit=1) as sender:
        exchanges = await _send(sender, _target(materials, backend, 3.0), 2)
    assert [e.outcome.value for e in exchanges] == ["accepted", "accepted"]


async def test_waiting_longer_than_the_timeout_for_a_slot_is_connection_limit(
    materials: Materials, identity: ClientIdentity, backend_factory: list[BackendProcess]
) -> None:
    # One slot. The backend holds every answer until two requests are in, which never
    # happens: once the first has reached it, the slot stays taken, and the second can only
    # wait for it, longer than its own 0.5 s.
    backend = _start(backend_factory, materials, Answer.ECHO, "--hold", "2")
    request = build_request(Operation.AUTHORIZE_REMOTE_START, SendParams("DE*ABC*E0001", "DE*ICE"))
    async with Sender(identity, connection_limit=1) as sender:
        first = asyncio.create_task(sender.send(_target(materials, backend, 60.0), request))
        assert await asyncio.to_thread(backend.wait_for_line, "ARRIVED 1"), backend.output
        second = await sender.send(_target(materials, backend, 0.5), request)
        backend.stop()  # releases the first request
        await first
    assert second.outcome.value == "connection_limit", second.detail
    assert "all 1 of" in second.detail and "0.5 s" in second.detail


async def test_an_answer_beyond_the_configured_bound_is_answer_too_large_with_an_excerpt(
    materials: Materials, identity: ClientIdentity, backend_factory: list[BackendProcess]
) -> None:
    backend = _start(backend_factory, materials, Answer.ECHO)
    async with Sender(identity, max_answer_bytes=64) as sender:
        (exchange,) = await _send(sender, _target(materials, backend, 5.0), 1)
    assert exchange.outcome.value == "answer_too_large"
    assert "the bound is 64 bytes" in exchange.detail
    assert exchange.http_status == 200
    assert exchange.response_body is not None and exchange.response_body.startswith('{"Result"')


# --- through ``hubsim hub serve`` --------------------------------------------------------------


@pytest.fixture
async def admin(materials: Materials) -> AsyncIterator[Admin]:
    hub = start_hub(
        materials.pki.directory, "--connection-limit", "1", "--max-answer-bytes", "200000"
    )
    try:
        async with aiohttp.ClientSession() as session:
            yield Admin(session, hub)
    finally:
        hub.stop()


async def test_deeply_nested_answer_is_invalid_acknowledgement_recorded_not_a_500(
    admin: Admin, materials: Materials, backend_factory: list[BackendProcess]
) -> None:
    backend = _start(backend_factory, materials, Answer.DEEP)
    await admin.operator("DE*ABC", f"https://localhost:{backend.port}/cpo", timeout_s=5)
    status, body = await admin.remote_start("DE*ABC", "DE*ABC*E0001")
    assert status == 200, body
    assert body["outcome"] == "invalid_acknowledgement"
    (problem,) = body["problems"]
    assert problem["pointer"].startswith("/0/0/0") and problem["rule"] == "nesting"
    status, log = await admin.call("GET", "/api/exchanges?outcome=invalid_acknowledgement")
    assert status == 200 and len(log["exchanges"]) == 1


async def test_hub_serve_connection_limit_flag_sets_the_limit(
    admin: Admin, materials: Materials, backend_factory: list[BackendProcess]
) -> None:
    # The hub runs with --connection-limit 1. The first operator's send (timeout 60 s) takes
    # the slot and is held at the backend; the second operator's (0.5 s) can only wait.
    backend = _start(backend_factory, materials, Answer.ECHO, "--hold", "2")
    url = f"https://localhost:{backend.port}/cpo"
    await admin.operator("DE*ABC", url, timeout_s=60)
    await admin.operator("DE*XYZ", url, timeout_s=0.5)
    first = asyncio.create_task(admin.remote_start("DE*ABC", "DE*ABC*E0001"))
    assert await asyncio.to_thread(backend.wait_for_line, "ARRIVED 1"), backend.output
    status, body = await admin.remote_start("DE*XYZ", "DE*XYZ*E0001")
    backend.stop()  # releases the first send
    await first
    assert status == 200, body
    assert body["outcome"] == "connection_limit", body
    assert "all 1 of" in body["detail"]


async def test_hub_serve_refuses_a_connection_limit_below_one(materials: Materials) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hubsim",
        "hub",
        "serve",
        "--pki",
        str(materials.pki.directory),
        "--connection-limit",
        "0",
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    assert proc.returncode == 2
    assert b"--connection-limit: 0 is too small: give 1 or more" in err


def _serve_args(*flags: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    return parser.parse_args(["hub", "serve", "--pki", "certs", *flags])


def test_config_file_sets_the_connection_limit_and_answer_bound_and_flags_win() -> None:
    config = {"connection_limit": 5000, "max_answer_bytes": 4096}
    options = options_from(_serve_args(), config, Path("."))
    assert (options.connection_limit, options.max_answer_bytes) == (5000, 4096)
    options = options_from(_serve_args("--connection-limit", "7"), config, Path("."))
    assert options.connection_limit == 7


def test_config_file_refuses_a_connection_limit_that_is_not_a_positive_number() -> None:
    with pytest.raises(CLIError, match=r"connection_limit in the config is 'many'; give a whole"):
        options_from(_serve_args(), {"connection_limit": "many"}, Path("."))


async def test_an_emp_remote_start_gets_021_when_the_cpo_answers_json_nested_too_deep(
    materials: Materials, backend_factory: list[BackendProcess]
) -> None:
    # The EMP's request goes to the hub's OICP port (the hub's simulated EMP sends it there),
    # the hub forwards it to a CPO backend in its own process, which answers HTTP 200 with
    # JSON nested 5,000 deep: the EMP gets 021 from the hub, never an HTTP 500.
    backend = _start(backend_factory, materials, Answer.DEEP)
    hub = start_hub(materials.pki.directory, "--oicp-port", "0")
    try:
        async with aiohttp.ClientSession() as session:
            api = Admin(session, hub)
            await api.operator("DE*ABC", f"https://localhost:{backend.port}/cpo", timeout_s=5)
            status, body = await api.call("POST", "/api/emps", {"provider_id": "DE-ICE"})
            assert status == 201, body
            contracts = {"contracts": [{"operator_id": "DE*ABC", "service_type": "authorization"}]}
            status, body = await api.call("PUT", "/api/emps/DE-ICE/contracts", contracts)
            assert status == 200, body
            status, sent = await api.call(
                "POST", "/api/emps/DE-ICE/send/remote-start", {"evse_id": "DE*ABC*E0001"}
            )
    finally:
        hub.stop()
    assert status == 200, sent
    assert sent["http_status"] == 200, sent
    assert sent["response_body"]["Result"] is False
    assert sent["response_body"]["StatusCode"]["Code"] == "021", sent["response_body"]
