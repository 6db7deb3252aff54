"""The full lifecycle: EMP → hub → CPO stub, and the stub's backend back to the hub.

An EMP starts a session through the hub; the stub (with its backend switched on) accepts,
then notifies Start and Progress; the EMP stops; the stub notifies End and sends the CDR.
The hub's timeline for the SessionID holds all of it, in order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cpo_stub import BackendConfig, CPOStub
from mockpki import PKIFiles
from mockpki.ca import LeafCertificate
from oicp.operations import Operation
from simulator.inbound.emp_facing import emp_path
from simulator.inbound.server import InboundServer
from simulator.inbound.service import Inbound
from simulator.model import ServiceType
from simulator.session_model import SessionState
from tests.inbound.support import (
    EMP_ID,
    OICPClient,
    add_emp,
    add_operator,
    remote_start_body,
    remote_stop_body,
)

Certs = dict[str, LeafCertificate | None]


@pytest.fixture
async def backend_stub(pki_files: PKIFiles, server: InboundServer) -> AsyncIterator[CPOStub]:
    """A stub whose backend reports to the running hub with cpo-client.pem."""
    config = BackendConfig.from_pki_dir(pki_files.directory, server.url)
    async with CPOStub.from_pki_dir(pki_files.directory, backend=config) as stub:
        yield stub


async def _start(inbound: Inbound, stub: CPOStub, client: OICPClient, certs: Certs) -> str:
    await add_operator(inbound.hub, stub.url)
    await add_emp(inbound, ServiceType.AUTHORIZATION, ServiceType.RESERVATION)
    path = emp_path(Operation.AUTHORIZE_REMOTE_START).format(provider_id=EMP_ID)
    reply = await client.post(path, remote_start_body(), certs["emp"])
    assert reply.json["Result"] is True
    return str(reply.json["SessionID"])


async def _stop(client: OICPClient, certs: Certs, session_id: str, operation: Operation) -> None:
    path = emp_path(operation).format(provider_id=EMP_ID)
    reply = await client.post(path, remote_stop_body(session_id), certs["emp"])
    assert reply.json["Result"] is True


async def test_the_stub_backend_reports_start_and_progress_after_an_accepted_remote_start(
    inbound: Inbound, backend_stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    session_id = await _start(inbound, backend_stub, client, certificates)

    assert backend_stub.backend is not None
    calls = await backend_stub.backend.wait_for_calls(2)

    assert [c.label for c in calls] == ["notification Start", "notification Progress"]
    assert all(c.ok and c.session_id == session_id for c in calls)


async def test_the_timeline_holds_remote_start_notifications_stop_and_cdr_in_order(
    inbound: Inbound, backend_stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    session_id = await _start(inbound, backend_stub, client, certificates)
    assert backend_stub.backend is not None
    await backend_stub.backend.wait_for_calls(2)

    await _stop(client, certificates, session_id, Operation.AUTHORIZE_REMOTE_STOP)
    calls = await backend_stub.backend.wait_for_calls(4)

    assert [c.label for c in calls[2:]] == ["notification End", "CDR"]
    assert all(c.ok for c in calls)
    timeline = await inbound.hub.storage.sessions.timeline(session_id)
    assert [e.event.label for e in timeline] == [
        "remote start",
        "notification Start",
        "notification Progress",
        "remote stop",
        "notification End",
        "CDR",
    ]
    assert all(e.answer is not None and e.answer.result for e in timeline)
    cdr = await inbound.hub.storage.sessions.get_cdr(session_id)
    assert cdr is not None and cdr.record["SessionID"] == session_id
    session = await inbound.hub.storage.sessions.get(session_id)
    assert session is not None and session.state is SessionState.CLOSED


async def test_after_an_accepted_reservation_stop_the_stub_backend_sends_the_cdr(
    inbound: Inbound, backend_stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, backend_stub.url)
    await add_emp(inbound, ServiceType.RESERVATION)
    start = emp_path(Operation.AUTHORIZE_REMOTE_RESERVATION_START).format(provider_id=EMP_ID)
    started = await client.post(start, remote_start_body(), certificates["emp"])
    session_id = str(started.json["SessionID"])

    await _stop(client, certificates, session_id, Operation.AUTHORIZE_REMOTE_RESERVATION_STOP)
    assert backend_stub.backend is not None
    calls = await backend_stub.backend.wait_for_calls(1)

    assert [(c.label, c.ok) for c in calls] == [("CDR", True)]
    timeline = await inbound.hub.storage.sessions.timeline(session_id)
    assert [e.event.label for e in timeline] == ["reservation start", "reservation stop", "CDR"]


async def test_a_switched_off_backend_sends_nothing(
    inbound: Inbound, backend_stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    assert backend_stub.backend is not None
    backend_stub.backend.enabled = False

    session_id = await _start(inbound, backend_stub, client, certificates)

    # The stub queues its calls while it answers, before the hub hears back: none queued.
    assert (backend_stub.backend.pending, backend_stub.backend.calls) == (0, [])
    timeline = await inbound.hub.storage.sessions.timeline(session_id)
    assert [e.event.label for e in timeline] == ["remote start"]
