"""Bad query values, ids and numbers get the admin API's JSON refusal, never HTTP 500."""

from __future__ import annotations

import json

import aiohttp
import pytest

from tests.hostile.processes import Server

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/exchanges?outcome=foo", "outcome"),
        ("/api/exchanges?limit=0", "limit"),
        ("/api/exchanges?limit=%C2%B2", "limit"),  # "²" passes str.isdigit, fails int()
        (f"/api/exchanges?limit={HUGE}", "limit"),
        ("/api/sessions?limit=%C2%B2", "limit"),
        (f"/api/sessions?limit={HUGE}", "limit"),
        ("/api/exchanges/%C2%B2", "exchange_id"),
        (f"/api/exchanges/{HUGE}", "exchange_id"),
    ],
)
async def test_a_bad_query_value_gets_a_json_refusal(
    hub_process: Server, path: str, field: str
) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(hub_process.urls[0] + path) as response,
    ):
        status, body = response.status, await response.json()

    assert status == 400
    assert set(body) >= {"error", "issues"} and body["issues"][0]["field"] == field


@pytest.mark.parametrize("cert_id", ["%C2%B2", HUGE])
async def test_a_bad_certificate_id_gets_a_json_refusal(hub_process: Server, cert_id: str) -> None:
    url = hub_process.urls[0]
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{url}/api/operators", json={"operator_id": "DE*ABC"}):
            pass
        async with session.delete(f"{url}/api/operators/DE*ABC/certificates/{cert_id}") as r:
            status, body = r.status, await r.json()

    assert status == 400 and body["issues"][0]["field"] == "cert_id"


async def test_a_nan_timeout_gets_a_refusal_that_is_json(hub_process: Server) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            hub_process.urls[0] + "/api/operators",
            data=b'{"operator_id": "DE*ABC", "timeout_s": NaN}',
            headers={"Content-Type": "application/json"},
        ) as response,
    ):
        status, text = response.status, await response.text()

    assert status == 400
    body = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in {text}"))
    assert set(body) >= {"error", "issues"} and "NaN" in body["issues"][0]["message"]
