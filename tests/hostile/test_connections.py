"""Idle and slow connections are closed after the documented timeouts, and a good client
is served all the while; beyond the connection limit, new connections are closed at once
and the server says so once."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from pathlib import Path

import aiohttp
import pytest

from mockpki import MockHubjectPKI, PKIFiles
from tests.hostile.conftest import hub_args
from tests.hostile.peers import (
    EVSE_DATA_PATH,
    REMOTE_START_PATH,
    GoodCall,
    Port,
    client_tls,
    evse_data_push,
    good_call,
    idle_after_a_request,
    idle_after_handshake,
    idle_tcp,
    remote_start,
    slow_body,
    slow_header,
)
from tests.hostile.processes import ADMIN_LINE, OICP_LINE, STUB_LINE, Server, serving

SHORT = ["--header-timeout", "2", "--body-timeout", "2", "--keepalive-timeout", "2"]
EACH = 5  # bad connections of each kind, per port


async def _serve_while(calls: list[GoodCall], bad: asyncio.Future[list[bytes]]) -> list[int]:
    """Make the good calls over and over until every bad connection is closed."""
    statuses: list[int] = []
    connector = aiohttp.TCPConnector(force_close=True)  # a fresh connection every time
    async with aiohttp.ClientSession(connector=connector) as session:
        while not bad.done() or not statuses:
            for call in calls:
                statuses.append(await call(session))
    return statuses


def _bad_clients(port: Port, body_path: str) -> list[asyncio.Task[bytes]]:
    kinds: list[Callable[[], Coroutine[None, None, bytes]]] = [
        lambda: idle_tcp(port),
        lambda: idle_after_handshake(port),
        lambda: slow_header(port),
        lambda: slow_body(port, body_path),
        lambda: idle_after_a_request(port),
    ]
    return [asyncio.ensure_future(kind()) for kind in kinds for _ in range(EACH)]


@pytest.fixture
async def hub(pki_files: PKIFiles, tmp_path: Path) -> Server:  # type: ignore[misc]
    args = hub_args(pki_files, tmp_path / "hub.sqlite3", *SHORT)
    async with serving(args, [ADMIN_LINE, OICP_LINE]) as server:
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{server.urls[0]}/api/operators", json={"operator_id": "DE*ABC"}
            ) as response,
        ):
            assert response.status == 201
        yield server


async def test_idle_and_slow_connections_are_closed_while_a_good_client_is_served(
    hub: Server, pki: MockHubjectPKI
) -> None:
    cpo = client_tls(pki, pki.cpo_client)
    admin, oicp = hub.urls
    bad = [
        *_bad_clients(Port.of(admin), "/api/operators"),
        *_bad_clients(Port.of(oicp, cpo), EVSE_DATA_PATH),
    ]
    closed = asyncio.gather(*bad)
    calls = [
        good_call("GET", f"{admin}/api/health", None),
        good_call("POST", oicp + EVSE_DATA_PATH, cpo, evse_data_push()),
    ]

    statuses = await _serve_while(calls, closed)

    assert len(await closed) == len(bad)  # every bad connection saw the server close it
    assert set(statuses) == {200}
    assert hub.process.returncode is None


async def test_the_stub_closes_idle_and_slow_connections_while_serving_the_hub(
    pki_files: PKIFiles, pki: MockHubjectPKI
) -> None:
    hub_tls = client_tls(pki, pki.hub_client)
    args = ["stub", "serve", "--pki", str(pki_files.directory), "--port", "0", *SHORT]
    async with serving(args, [STUB_LINE]) as stub:
        (url,) = stub.urls
        bad = _bad_clients(Port.of(url, hub_tls), REMOTE_START_PATH)
        closed = asyncio.gather(*bad)
        calls = [good_call("POST", url + REMOTE_START_PATH, hub_tls, remote_start())]

        statuses = await _serve_while(calls, closed)

        assert len(await closed) == len(bad)
        assert set(statuses) == {200}
        assert stub.process.returncode is None


LIMIT_LINE = re.compile(r"has 4 connections open, its limit")
RECOVERED_LINE = re.compile(r"below its limit of 4 connections again; 10 connection")


async def test_connections_beyond_the_limit_are_closed_at_once_and_logged_once(
    pki_files: PKIFiles, tmp_path: Path
) -> None:
    args = hub_args(pki_files, tmp_path / "hub.sqlite3", "--max-connections", "4")
    async with serving(args, [ADMIN_LINE, OICP_LINE]) as hub:
        port = Port.of(hub.urls[0])
        held = [await asyncio.open_connection(port.host, port.port) for _ in range(4)]
        beyond = await asyncio.gather(*(idle_tcp(port) for _ in range(10)))
        for _, writer in held:
            writer.close()
        await hub.wait_for_line(RECOVERED_LINE)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{hub.urls[0]}/api/health") as response,
        ):
            served = response.status

    assert beyond == [b""] * 10  # closed before any answer: the header timeout is 60 s
    assert len([line for line in hub.lines if LIMIT_LINE.search(line)]) == 1
    assert served == 200
