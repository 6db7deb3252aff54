"""The JSON admin API over a real socket: refusals name the field, nothing half-stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from mockpki import PKIFiles
from simulator.app import HubOptions, HubStartError, RunningHub, running_hub

OP = "DE*ABC"


@pytest.fixture
async def running(pki_files: PKIFiles) -> AsyncIterator[RunningHub]:
    async with running_hub(HubOptions(pki_dir=pki_files.directory)) as hub:
        yield hub


@pytest.fixture
async def api(running: RunningHub) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=running.url) as session:
        async with session.post("/api/operators", json={"operator_id": OP}) as resp:
            assert resp.status == 201
        yield session


async def call(api: aiohttp.ClientSession, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    async with api.request(method, path, **kw) as resp:
        return resp.status, await resp.json()


async def test_settings_refusal_names_field_value_and_fix(api: aiohttp.ClientSession) -> None:
    status, body = await call(
        api,
        "PUT",
        f"/api/operators/{OP}/settings/authorization",
        json={"online_request": True, "service_url": " https://cpo.example"},
    )
    assert status == 422
    (issue,) = body["issues"]
    assert issue["field"] == "service_url" and issue["value"] == " https://cpo.example"
    assert "blank" in issue["message"]


async def test_saved_settings_show_current_and_previous(api: aiohttp.ClientSession) -> None:
    for url in ("https://a.example", "https://b.example"):
        settings = {"online_request": True, "service_url": url}
        status, _ = await call(
            api, "PUT", f"/api/operators/{OP}/settings/authorization", json=settings
        )
        assert status == 200
    status, body = await call(api, "GET", f"/api/operators/{OP}/settings/authorization")
    assert body["current"]["settings"]["service_url"] == "https://b.example"
    assert body["previous"]["settings"]["service_url"] == "https://a.example"


async def test_certificate_upload_is_listed_with_status(
    api: aiohttp.ClientSession, pki_files: PKIFiles
) -> None:
    pem = pki_files.cpo_user_server_cert.read_bytes()
    status, _body = await call(
        api, "POST", f"/api/operators/{OP}/certificates?filename=cpo.pem", data=pem
    )
    assert status == 201
    status, listed = await call(api, "GET", f"/api/operators/{OP}/certificates")
    (cert,) = listed["certificates"]
    assert cert["status"] == "Active" and "DNS:localhost" in cert["sans"]


async def test_upload_with_a_private_key_stores_nothing(
    api: aiohttp.ClientSession, pki_files: PKIFiles
) -> None:
    pem = pki_files.cpo_user_server_cert.read_bytes() + pki_files.cpo_user_server_key.read_bytes()
    status, body = await call(
        api, "POST", f"/api/operators/{OP}/certificates?filename=cpo.pem", data=pem
    )
    assert status == 400 and "private key" in body["error"]
    _, listed = await call(api, "GET", f"/api/operators/{OP}/certificates")
    assert listed["certificates"] == []


async def test_certificate_can_be_deleted(api: aiohttp.ClientSession, pki_files: PKIFiles) -> None:
    pem = pki_files.cpo_user_server_cert.read_bytes()
    _, body = await call(api, "POST", f"/api/operators/{OP}/certificates", data=pem)
    cert_id = body["certificates"][0]["cert_id"]
    status, _ = await call(api, "DELETE", f"/api/operators/{OP}/certificates/{cert_id}")
    assert status == 200
    _, listed = await call(api, "GET", f"/api/operators/{OP}/certificates")
    assert listed["certificates"] == []


async def test_unknown_operator_is_404_with_what_to_do(api: aiohttp.ClientSession) -> None:
    status, body = await call(api, "GET", "/api/operators/DE*XYZ/settings")
    assert status == 404 and "create it first" in body["issues"][0]["message"]


async def test_body_that_is_not_json_is_refused(api: aiohttp.ClientSession) -> None:
    headers = {"Content-Type": "application/json"}
    status, body = await call(api, "POST", "/api/operators", data=b"{nope", headers=headers)
    assert status == 400 and body["issues"][0]["field"] == "body"


async def test_send_field_errors_name_the_field(api: aiohttp.ClientSession) -> None:
    status, body = await call(
        api,
        "POST",
        f"/api/operators/{OP}/send/remote-start",
        json={"evse_id": "x", "provider_id": "DE*ICE"},
    )
    assert status == 400 and body["issues"][0]["field"] == "evse_id"


async def test_send_through_the_api_returns_the_exchange(api: aiohttp.ClientSession) -> None:
    status, body = await call(
        api,
        "POST",
        f"/api/operators/{OP}/send/remote-start",
        json={"evse_id": "DE*ABC*E0001", "provider_id": "DE*ICE"},
    )
    assert status == 200 and body["outcome"] == "settings_invalid" and body["ok"] is False


async def test_exchange_log_is_filterable(api: aiohttp.ClientSession) -> None:
    await call(
        api,
        "POST",
        f"/api/operators/{OP}/send/remote-start",
        json={"evse_id": "DE*ABC*E0001", "provider_id": "DE*ICE"},
    )
    _, body = await call(api, "GET", "/api/exchanges?outcome=settings_invalid")
    assert len(body["exchanges"]) == 1
    _, body = await call(api, "GET", "/api/exchanges?outcome=accepted")
    assert body["exchanges"] == []


async def test_admin_api_off_loopback_needs_a_token(pki_files: PKIFiles) -> None:
    with pytest.raises(HubStartError, match="admin token"):
        async with running_hub(HubOptions(pki_dir=pki_files.directory, host="0.0.0.0")):
            pass


async def test_admin_token_is_required_when_set(pki_files: PKIFiles) -> None:
    options = HubOptions(pki_dir=pki_files.directory, admin_token="s3cret-admin-token-16")
    async with running_hub(options) as hub, aiohttp.ClientSession(base_url=hub.url) as session:
        async with session.get("/api/operators") as resp:
            assert resp.status == 401
        async with session.get(
            "/api/operators", headers={"Authorization": "Bearer s3cret-admin-token-16"}
        ) as resp:
            assert resp.status == 200


async def test_cross_site_write_is_refused(api: aiohttp.ClientSession) -> None:
    headers = {"Origin": "https://evil.example"}
    status, body = await call(
        api, "POST", "/api/operators", json={"operator_id": "DE*EVL"}, headers=headers
    )
    assert status == 403 and body["issues"][0]["field"] == "Origin"
    status, _ = await call(api, "GET", "/api/operators/DE*EVL")
    assert status == 404


async def test_json_body_must_be_sent_as_json(api: aiohttp.ClientSession) -> None:
    status, body = await call(
        api,
        "POST",
        "/api/operators",
        data=b'{"operator_id": "DE*TXT"}',
        headers={"Content-Type": "text/plain"},
    )
    assert status == 415 and body["issues"][0]["value"] == "text/plain"


async def test_get_on_a_send_route_tells_whether_the_send_would_go_out(
    api: aiohttp.ClientSession,
) -> None:
    settings = {"online_request": True, "service_url": "https://cpo.example"}
    await call(api, "PUT", f"/api/operators/{OP}/settings/authorization", json=settings)
    status, ready = await call(api, "GET", f"/api/operators/{OP}/send/remote-start")
    assert status == 200 and ready["ready"] is True and ready["outcome"] is None
    status, offline = await call(api, "GET", f"/api/operators/{OP}/send/reservation-start")
    assert status == 200 and offline["ready"] is False
    assert offline["outcome"] == "settings_invalid" and "Reservation" in offline["detail"]
    status, log = await call(api, "GET", "/api/exchanges")
    assert log["exchanges"] == []  # nothing was sent, nothing recorded
