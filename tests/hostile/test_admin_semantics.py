"""Admin API semantics: partial updates keep what they omit, a Save that changes nothing
saves nothing, and a request's problems are all reported at once."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.hostile.processes import Server

OPERATOR = "DE*SEM"
SETTINGS = f"/api/operators/{OPERATOR}/settings/authorization"


async def _call(server: Server, method: str, path: str, body: object = None) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, server.urls[0] + path, json=body) as response,
    ):
        return response.status, await response.json()


async def test_a_partial_operator_update_leaves_the_omitted_fields_as_they_were(
    hub_process: Server,
) -> None:
    full = {
        "operator_id": OPERATOR,
        "name": "Semantics Charging",
        "reservation_path_style": "charging",
        "timeout_s": 5,
        "wire_profile": "strict",
    }
    await _call(hub_process, "POST", "/api/operators", full)
    status, _ = await _call(
        hub_process, "POST", "/api/operators", {"operator_id": OPERATOR, "timeout_s": 7}
    )
    _, after = await _call(hub_process, "GET", f"/api/operators/{OPERATOR}")

    assert status == 200  # an update
    assert after == {**full, "timeout_s": 7.0}


async def test_a_save_that_changes_nothing_creates_no_revision(hub_process: Server) -> None:
    await _call(hub_process, "POST", "/api/operators", {"operator_id": OPERATOR})
    settings = {"online_request": True, "service_url": "https://cpo.example/oicp"}
    _, first = await _call(hub_process, "PUT", SETTINGS, settings)
    _, again = await _call(hub_process, "PUT", SETTINGS, settings)
    _, history = await _call(hub_process, "GET", SETTINGS + "/history")

    assert again["saved"]["revision"] == first["saved"]["revision"]
    assert again["unchanged"] is True and first["unchanged"] is False
    assert len(history["history"]) == 1


async def test_every_problem_of_a_settings_save_is_reported_at_once(hub_process: Server) -> None:
    await _call(hub_process, "POST", "/api/operators", {"operator_id": OPERATOR})
    body = {"online_request": True, "broadcast_request": 5, "service_url": "http://cpo.example"}
    status, refusal = await _call(hub_process, "PUT", SETTINGS, body)

    assert status == 422
    assert {issue["field"] for issue in refusal["issues"]} >= {"broadcast_request", "service_url"}


async def test_every_problem_of_an_operator_is_reported_at_once(hub_process: Server) -> None:
    body = {"operator_id": "not an id", "reservation_path_style": "nope", "timeout_s": "soon"}
    status, refusal = await _call(hub_process, "POST", "/api/operators", body)

    assert status == 400
    fields = {issue["field"] for issue in refusal["issues"]}
    assert fields == {"operator_id", "reservation_path_style", "timeout_s"}


async def test_every_problem_of_a_send_is_reported_at_once(hub_process: Server) -> None:
    await _call(hub_process, "POST", "/api/operators", {"operator_id": OPERATOR})
    status, refusal = await _call(
        hub_process, "POST", f"/api/operators/{OPERATOR}/send/remote-start", {"evse": "x"}
    )

    assert status == 400
    assert {issue["field"] for issue in refusal["issues"]} == {"evse", "evse_id", "provider_id"}
