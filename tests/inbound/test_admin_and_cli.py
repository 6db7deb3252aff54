"""EMPs, contracts and sessions through the admin API and ``hubsim emp``, on a running hub.

The hub runs as ``hubsim hub serve --oicp-port`` runs it; a simulated EMP sends through the
hub's own OICP listener over mutual TLS, and the CPO stub answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from cpo_stub import CPOStub
from hubsim.cli import main
from mockpki import PKIFiles
from oicp.operations import Operation
from simulator.app import HubOptions, RunningHub, running_hub
from tests.inbound.support import EMP_ID, EVSE, OPERATOR


@pytest.fixture
async def running(pki_files: PKIFiles) -> AsyncIterator[RunningHub]:
    options = HubOptions(pki_dir=pki_files.directory, oicp_port=0)
    async with running_hub(options) as running:
        yield running


@pytest.fixture
async def admin(running: RunningHub) -> AsyncIterator[Admin]:
    async with aiohttp.ClientSession() as session:
        yield Admin(running.url, session)


class Admin:
    """Calls the admin API and returns (status, JSON)."""

    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        self.url = url
        self._session = session

    async def call(self, method: str, path: str, body: object = None) -> tuple[int, Any]:
        async with self._session.request(method, self.url + path, json=body) as response:
            return response.status, await response.json()


async def _configure(admin: Admin, stub: CPOStub) -> None:
    await admin.call("POST", "/api/operators", {"operator_id": OPERATOR})
    await admin.call(
        "PUT",
        "/api/operators/DE*ABC/settings/authorization",
        {"online_request": True, "service_url": stub.url},
    )
    await admin.call("POST", "/api/emps", {"provider_id": EMP_ID})
    contracts = {"contracts": [{"operator_id": OPERATOR, "service_type": "authorization"}]}
    await admin.call("PUT", f"/api/emps/{EMP_ID}/contracts", contracts)


async def test_the_hub_reports_where_its_oicp_listener_is(
    running: RunningHub, admin: Admin
) -> None:
    status, data = await admin.call("GET", "/api/oicp")

    assert status == 200
    assert data["url"] == running.oicp_url
    assert str(running.oicp_url).startswith("https://localhost:")


async def test_an_emp_is_configured_with_its_authentication_data_and_contracts(
    admin: Admin, stub: CPOStub
) -> None:
    await _configure(admin, stub)
    card = {"RFIDMifareFamilyIdentification": {"UID": "7568290FFF765F"}}

    status, saved = await admin.call(
        "POST", "/api/emps", {"provider_id": EMP_ID, "authentication_data": [card]}
    )
    _, contracts = await admin.call("GET", f"/api/emps/{EMP_ID}/contracts")

    assert status == 201
    assert saved["authentication_data"] == [card]
    assert contracts["contracts"] == [
        {"provider_id": EMP_ID, "operator_id": OPERATOR, "service_type": "authorization"}
    ]


async def test_an_emp_with_a_bad_provider_id_is_refused_naming_the_field(admin: Admin) -> None:
    status, data = await admin.call("POST", "/api/emps", {"provider_id": "not an id"})

    assert status == 400
    assert data["issues"][0]["field"] == "provider_id"


async def test_a_contract_with_an_unknown_operator_is_refused(admin: Admin) -> None:
    await admin.call("POST", "/api/emps", {"provider_id": EMP_ID})

    contracts = {"contracts": [{"operator_id": "DE*XYZ", "service_type": "authorization"}]}
    status, data = await admin.call("PUT", f"/api/emps/{EMP_ID}/contracts", contracts)

    assert status == 400
    assert data["issues"][0]["field"] == "contracts[0].operator_id"


async def test_the_admin_api_makes_an_emp_send_a_remote_start_through_the_hub(
    admin: Admin, stub: CPOStub
) -> None:
    await _configure(admin, stub)

    status, data = await admin.call(
        "POST", f"/api/emps/{EMP_ID}/send/remote-start", {"evse_id": EVSE}
    )

    assert status == 200
    assert data["http_status"] == 200
    assert data["response_body"]["Result"] is True
    assert stub.last.operation is Operation.AUTHORIZE_REMOTE_START
    assert stub.last.session_id == data["session_id"]
    assert stub.last.client_subject is not None  # the hub's service certificate


async def test_sessions_and_their_timeline_are_listed_by_the_admin_api(
    admin: Admin, stub: CPOStub
) -> None:
    await _configure(admin, stub)
    _, sent = await admin.call("POST", f"/api/emps/{EMP_ID}/send/remote-start", {"evse_id": EVSE})
    session_id = sent["session_id"]

    _, listed = await admin.call("GET", "/api/sessions")
    status, shown = await admin.call("GET", f"/api/sessions/{session_id}")

    assert [s["session_id"] for s in listed["sessions"]] == [session_id]
    assert status == 200
    assert shown["session"]["state"] == "active"
    assert [e["label"] for e in shown["timeline"]] == ["remote start"]
    assert shown["timeline"][0]["direction"] == "EMP → hub → CPO"
    assert shown["timeline"][0]["response"]["Result"] is True


async def test_an_unknown_session_is_404(admin: Admin) -> None:
    status, data = await admin.call("GET", "/api/sessions/b2688855-7f00-0002-6d8e-48d883f6abb6")

    assert status == 404
    assert data["issues"][0]["field"] == "session_id"


async def test_sub_operators_are_set_and_read(admin: Admin) -> None:
    await admin.call("POST", "/api/operators", {"operator_id": OPERATOR})

    await admin.call("PUT", "/api/operators/DE*ABC/sub-operators", {"sub_operator_ids": ["DE*SUB"]})
    status, data = await admin.call("GET", "/api/operators/DE*ABC/sub-operators")

    assert (status, data) == (200, {"sub_operator_ids": ["DE*SUB"]})


def _cli(*argv: str) -> int:
    return main(list(argv))


async def test_hubsim_emp_configures_an_emp_and_sends_a_remote_start_and_stop(
    running: RunningHub, stub: CPOStub, admin: Admin, capsys: pytest.CaptureFixture[str]
) -> None:
    await admin.call("POST", "/api/operators", {"operator_id": OPERATOR})
    await admin.call(
        "PUT",
        "/api/operators/DE*ABC/settings/authorization",
        {"online_request": True, "service_url": stub.url},
    )
    hub = ("--hub", running.url)

    added = await asyncio.to_thread(_cli, "emp", "add", EMP_ID, "--uid", "7568290fff765f", *hub)
    contract = await asyncio.to_thread(_cli, "emp", "contract", EMP_ID, "--with", OPERATOR, *hub)
    started = await asyncio.to_thread(_cli, "emp", "remote-start", EMP_ID, "--evse", EVSE, *hub)
    session_id = stub.last.session_id
    assert session_id is not None
    stop = ("emp", "remote-stop", EMP_ID, "--evse", EVSE, "--session-id", session_id)
    stopped = await asyncio.to_thread(_cli, *stop, *hub)

    assert (added, contract, started, stopped) == (0, 0, 0, 0)
    out = capsys.readouterr().out
    assert f"EMP {EMP_ID} saved (1 identification(s))" in out
    assert f"SessionID {session_id}" in out
    assert stub.last.operation is Operation.AUTHORIZE_REMOTE_STOP


async def test_hubsim_emp_exits_1_when_the_hub_refuses_the_start(
    running: RunningHub, admin: Admin, capsys: pytest.CaptureFixture[str]
) -> None:
    await admin.call("POST", "/api/operators", {"operator_id": OPERATOR})
    await admin.call("POST", "/api/emps", {"provider_id": EMP_ID})  # no contract

    code = await asyncio.to_thread(
        _cli, "emp", "remote-start", EMP_ID, "--evse", EVSE, "--hub", running.url
    )

    assert code == 1
    assert "Result false 210 No valid contract." in capsys.readouterr().out
