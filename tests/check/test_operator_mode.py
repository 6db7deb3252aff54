"""``--operator`` mode: the check runs inside the hub, on its saved settings and uploads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from cpo_stub import CPOStub
from mockpki import PKIFiles
from simulator.app import HubOptions, RunningHub, running_hub
from simulator.check import CheckReport

OPERATOR = "DE*ABC"


@pytest.fixture
async def hub(pki_files: PKIFiles) -> AsyncIterator[RunningHub]:
    async with running_hub(HubOptions(pki_dir=pki_files.directory)) as running:
        yield running


@pytest.fixture
async def admin(hub: RunningHub) -> AsyncIterator[Admin]:
    async with aiohttp.ClientSession() as session:
        admin = Admin(session, hub.url)
        await admin.call("POST", "/api/operators", {"operator_id": OPERATOR})
        yield admin


class Admin:
    """A small client of the hub's admin API."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session, self.base = session, base

    async def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, expect: int | None = None
    ) -> dict[str, Any]:
        async with self.session.request(method, self.base + path, json=body) as resp:
            data: dict[str, Any] = await resp.json()
            if expect is not None:
                assert resp.status == expect, data
            else:
                assert resp.status < 300, data
            return data

    async def settings(self, service: str, url: str, mode: str = "hubject") -> None:
        body = {"online_request": True, "service_url": url, "server_certification": mode}
        await self.call("PUT", f"/api/operators/{OPERATOR}/settings/{service}", body)

    async def upload(self, pem: bytes) -> None:
        path = f"{self.base}/api/operators/{OPERATOR}/certificates?filename=cpo.pem"
        async with self.session.post(path, data=pem) as resp:
            assert resp.status == 201, await resp.text()

    async def check(self, service: str, body: dict[str, Any] | None = None) -> CheckReport:
        data = await self.call("POST", f"/api/operators/{OPERATOR}/check/{service}", body)
        return CheckReport.from_json(data)


async def test_operator_check_passes_with_saved_hubject_settings(
    admin: Admin, pki_files: PKIFiles
) -> None:
    async with CPOStub.from_pki_dir(pki_files.directory) as stub:
        await admin.settings("authorization", stub.url)
        report = await admin.check("authorization")
    assert report.ok, [(layer.key, layer.reason) for layer in report.layers if layer.fix]
    assert report.mode == "operator" and report.target.operator_id == OPERATOR
    assert report.target.evse_id == "DE*ABC*E0001"
    assert "no reservation round trip" in report.layer("round_trip").details["reservation"]
    assert report.layer("round_trip").reason.endswith("then save.")  # one period, not two


async def test_operator_check_uses_uploaded_certificates_in_user_mode(
    admin: Admin, pki_files: PKIFiles
) -> None:
    async with CPOStub.from_pki_dir(pki_files.directory, user_cert=True) as stub:
        await admin.upload(pki_files.cpo_user_server_cert.read_bytes())
        await admin.settings("authorization", stub.url, mode="user")
        report = await admin.check("authorization")
    assert report.ok, [(layer.key, layer.reason) for layer in report.layers if layer.fix]
    assert report.target.server_certification == "user"
    assert "matches an Active certificate in Certificate Management" in (
        report.layer("server_certificate").reason
    )


async def test_operator_check_does_the_reservation_round_trip_when_reservation_is_online(
    admin: Admin, pki_files: PKIFiles
) -> None:
    async with CPOStub.from_pki_dir(pki_files.directory) as stub:
        await admin.settings("authorization", stub.url)
        await admin.settings("reservation", stub.url)
        report = await admin.check("authorization", {"evse_id": "DE*ABC*E42"})
    steps = report.layer("round_trip").details["steps"]
    assert [step["operation"] for step in steps] == [
        "eRoamingAuthorizeRemoteStop",
        "eRoamingAuthorizeRemoteReservationStart",
        "eRoamingAuthorizeRemoteReservationStop",
    ]
    assert report.target.evse_id == "DE*ABC*E42"


async def test_operator_check_fails_settings_when_the_service_type_is_not_online(
    admin: Admin,
) -> None:
    report = await admin.check("reservation")
    settings = report.layer("settings")
    assert settings.status.value == "FAIL"
    assert "The Reservation service type of DE*ABC has no saved settings" in settings.reason
    assert report.layer("url").status.value == "SKIP"
    assert not report.ok


async def test_operator_check_of_an_unknown_operator_is_refused(admin: Admin) -> None:
    data = await admin.call("POST", "/api/operators/DE*XYZ/check/authorization", expect=404)
    assert data["issues"][0]["field"] == "operator_id"


async def test_operator_check_of_pull_authentication_data_is_refused(admin: Admin) -> None:
    path = f"/api/operators/{OPERATOR}/check/pull-authentication-data"
    data = await admin.call("POST", path, expect=400)
    assert "never calls the CPO for PullAuthenticationData" in data["issues"][0]["message"]


async def test_operator_check_refuses_unknown_body_fields(admin: Admin) -> None:
    path = f"/api/operators/{OPERATOR}/check/authorization"
    data = await admin.call("POST", path, {"evse": "DE*ABC*E1"}, expect=400)
    assert data["issues"][0]["field"] == "evse"


async def test_operator_check_refuses_an_invalid_evse_id(admin: Admin) -> None:
    path = f"/api/operators/{OPERATOR}/check/authorization"
    data = await admin.call("POST", path, {"evse_id": "not an evse"}, expect=400)
    assert data["issues"][0]["field"] == "evse_id"
