"""The plain-HTTP control API that suites in other languages use to drive the stub."""

from __future__ import annotations

from typing import Any

import aiohttp

from cpo_stub import CPOStub, Reject
from oicp.identifiers import new_session_id
from tests.stub.support import EVSE, OTHER_EVSE, Hub


async def _call(
    http: aiohttp.ClientSession, method: str, url: str, body: object = None
) -> tuple[int, Any]:
    async with http.request(method, url, json=body) as response:
        return response.status, await response.json()


async def test_control_get_requests_lists_requests_and_handshake_failures(
    hub: Hub, http: aiohttp.ClientSession, control_url: str
) -> None:
    session = new_session_id()
    await hub.remote_start(session_id=session)

    status, page = await _call(http, "GET", control_url + "/requests")

    assert status == 200
    assert [r["SessionID"] for r in page["requests"]] == [session]
    assert page["handshake_failures"] == []


async def test_control_delete_requests_clears_the_stub(
    hub: Hub, stub: CPOStub, http: aiohttp.ClientSession, control_url: str
) -> None:
    await hub.remote_start()

    status, _ = await _call(http, "DELETE", control_url + "/requests")

    assert status == 200
    assert stub.records == []


async def test_control_put_behaviour_sets_it_for_one_evse(
    hub: Hub, http: aiohttp.ClientSession, control_url: str
) -> None:
    behaviour = {"type": "reject", "code": "602", "additional_info": "occupied"}

    status, _ = await _call(http, "PUT", f"{control_url}/behaviours/{EVSE}", behaviour)

    assert status == 200
    assert (await hub.remote_start(EVSE))["StatusCode"]["Code"] == "602"
    assert (await hub.remote_start(OTHER_EVSE))["Result"] is True


async def test_control_put_default_behaviour_applies_to_every_evse(
    hub: Hub, http: aiohttp.ClientSession, control_url: str
) -> None:
    behaviour = {"type": "delay", "seconds": 0.01, "then": {"type": "reject", "code": "501"}}

    await _call(http, "PUT", control_url + "/behaviours/_default", behaviour)

    assert (await hub.remote_start(OTHER_EVSE))["StatusCode"]["Code"] == "501"


async def test_control_rejects_an_invalid_behaviour_naming_the_field(
    http: aiohttp.ClientSession, control_url: str
) -> None:
    status, answer = await _call(
        http, "PUT", f"{control_url}/behaviours/{EVSE}", {"type": "reject", "code": 602}
    )

    assert status == 400
    assert "behaviour.code" in answer["error"]


async def test_control_delete_behaviour_goes_back_to_accept(
    hub: Hub, stub: CPOStub, http: aiohttp.ClientSession, control_url: str
) -> None:
    stub.set_behaviour(Reject("700"), evse_id=EVSE)

    await _call(http, "DELETE", f"{control_url}/behaviours/{EVSE}")

    assert (await hub.remote_start(EVSE))["Result"] is True


async def test_control_get_state_shows_evses_and_behaviours(
    hub: Hub, stub: CPOStub, http: aiohttp.ClientSession, control_url: str
) -> None:
    session = new_session_id()
    await hub.reserve(EVSE, session)
    stub.set_behaviour(Reject("700"), evse_id=OTHER_EVSE)

    status, state = await _call(http, "GET", control_url + "/state")

    assert status == 200
    assert state["evses"][EVSE]["status"] == "reserved"
    assert state["evses"][EVSE]["SessionID"] == session
    assert state["behaviours"][OTHER_EVSE] == [
        {"type": "reject", "code": "700", "additional_info": None}
    ]


async def test_control_put_known_evses_makes_others_unknown(
    hub: Hub, http: aiohttp.ClientSession, control_url: str
) -> None:
    status, _ = await _call(http, "PUT", control_url + "/known-evses", {"evse_ids": [EVSE]})

    assert status == 200
    assert (await hub.remote_start(OTHER_EVSE))["StatusCode"]["Code"] == "603"
