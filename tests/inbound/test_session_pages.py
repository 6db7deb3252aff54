"""The portal's Sessions pages: the list, and one session's timeline across both directions."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from cpo_stub import BackendConfig, CPOStub
from mockpki import MockHubjectPKI, PKIFiles
from mockpki.ca import LeafCertificate
from oicp.operations import Operation
from simulator.app import HubOptions, RunningHub, running_hub
from simulator.inbound.emp_facing import emp_path
from simulator.model import ServiceType
from simulator.portal.session_pages import session_url, sessions_url
from tests.inbound.support import EMP_ID, OICPClient, add_emp, add_operator, remote_start_body

Certs = dict[str, LeafCertificate | None]


@pytest.fixture
async def running(pki_files: PKIFiles) -> AsyncIterator[RunningHub]:
    async with running_hub(HubOptions(pki_dir=pki_files.directory, oicp_port=0)) as running:
        yield running


async def _page(running: RunningHub, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(running.url + path) as response:
        return response.status, await response.text()


async def _started_session(
    running: RunningHub, pki_files: PKIFiles, certificates: Certs, client: OICPClient
) -> tuple[str, CPOStub]:
    assert running.inbound is not None and running.oicp_url is not None
    config = BackendConfig.from_pki_dir(pki_files.directory, running.oicp_url)
    stub = CPOStub.from_pki_dir(pki_files.directory, backend=config)
    await stub.start()
    await add_operator(running.hub, stub.url)
    await add_emp(running.inbound, ServiceType.AUTHORIZATION)
    path = emp_path(Operation.AUTHORIZE_REMOTE_START).format(provider_id=EMP_ID)
    reply = await client.post(path, remote_start_body(), certificates["emp"])
    assert stub.backend is not None
    await stub.backend.wait_for_calls(2)
    return str(reply.json["SessionID"]), stub


@pytest.fixture
async def hub_client(running: RunningHub, pki: MockHubjectPKI) -> AsyncIterator[OICPClient]:
    assert running.oicp_url is not None
    client = OICPClient(running.oicp_url, pki)
    yield client
    await client.close()


async def test_the_sessions_page_lists_a_started_session_with_a_link_to_it(
    running: RunningHub, pki_files: PKIFiles, certificates: Certs, hub_client: OICPClient
) -> None:
    session_id, stub = await _started_session(running, pki_files, certificates, hub_client)
    try:
        status, html = await _page(running, sessions_url())
    finally:
        await stub.stop()

    assert status == 200
    assert f'href="{session_url(session_id)}"' in html
    assert "1 session</p>" in html


async def test_the_session_page_shows_the_timeline_in_order(
    running: RunningHub, pki_files: PKIFiles, certificates: Certs, hub_client: OICPClient
) -> None:
    session_id, stub = await _started_session(running, pki_files, certificates, hub_client)
    try:
        status, html = await _page(running, session_url(session_id))
    finally:
        await stub.stop()

    assert status == 200
    positions = [
        html.index(f"{label} · ")
        for label in ("remote start", "notification Start", "notification Progress")
    ]
    assert positions == sorted(positions)
    assert "EMP → hub → CPO" in html and "CPO → hub → EMP" in html


async def test_an_unknown_session_page_is_404(running: RunningHub) -> None:
    status, html = await _page(running, session_url("b2688855-7f00-0002-6d8e-48d883f6abb6"))

    assert status == 404
    assert "Session not found" in html
