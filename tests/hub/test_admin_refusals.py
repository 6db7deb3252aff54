"""Refusals of the admin API of a ``hubsim hub serve`` process: every problem of a request
at once, each naming its field, and nothing stored."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from mockpki import MockHubjectPKI
from tests.backends.hubproc import Admin, start_hub
from tests.backends.process import BackendProcess


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendProcess]:
    pki_dir = Path(tmp_path_factory.mktemp("admin-refusals")) / "pki"
    MockHubjectPKI.create().write(pki_dir)
    process = start_hub(pki_dir)
    yield process
    process.stop()


@pytest.fixture
async def admin(hub: BackendProcess) -> AsyncIterator[Admin]:
    async with aiohttp.ClientSession() as session:
        yield Admin(session, hub)


async def test_an_unknown_operator_field_is_refused_with_the_field_it_resembles(
    admin: Admin,
) -> None:
    body = {"operator_id": "DE*XYZ", "nmae": "typo", "timeout_s": 120}
    status, refusal = await admin.call("POST", "/api/operators", body)
    assert status == 400, refusal
    issues = {issue["field"]: issue for issue in refusal["issues"]}
    assert set(issues) == {"nmae", "timeout_s"}
    assert issues["nmae"]["value"] == "typo"
    assert issues["nmae"]["message"].startswith("unknown field 'nmae': did you mean 'name'?")
    status, _ = await admin.call("GET", "/api/operators/DE*XYZ")
    assert status == 404  # nothing half-stored


async def test_every_bad_filter_of_the_exchange_log_is_reported_at_once(admin: Admin) -> None:
    path = "/api/exchanges?limit=0&outcome=acepted&direction=sideways&failure_class=x"
    path += "&service_type=charging"
    status, refusal = await admin.call("GET", path)
    assert status == 400, refusal
    values = {issue["field"]: issue["value"] for issue in refusal["issues"]}
    assert values == {
        "limit": "0",
        "outcome": "acepted",
        "direction": "sideways",
        "failure_class": "x",
        "service_type": "charging",
    }
    messages = {issue["field"]: issue["message"] for issue in refusal["issues"]}
    assert messages["outcome"].startswith("unknown outcome 'acepted': use one of accepted")
    assert messages["direction"].startswith("unknown direction 'sideways': use one of hub-to-cpo")
    assert messages["service_type"].startswith("unknown service type 'charging'")


async def test_a_refused_upload_names_the_file_as_the_value(admin: Admin) -> None:
    status, body = await admin.call("POST", "/api/operators", {"operator_id": "DE*UPL"})
    assert status == 201, body
    url = f"{admin.base}/api/operators/DE*UPL/certificates?filename=our-server.key"
    async with admin.session.post(url, data=b"-----BEGIN PRIVATE KEY-----\n") as resp:
        refusal = await resp.json()
    assert resp.status == 400, refusal
    (issue,) = refusal["issues"]
    assert (issue["field"], issue["value"]) == ("file", "our-server.key")
    assert "has the extension '.key'" in issue["message"]
    assert issue["message"].endswith(
        "upload the certificate that goes with this key (its .pem or .crt), never the key"
    )


async def test_an_unreadable_checkbox_brings_no_refusal_that_only_follows_from_it(
    admin: Admin,
) -> None:
    status, body = await admin.call("POST", "/api/operators", {"operator_id": "DE*BOX"})
    assert status == 201, body
    settings = {"online_request": "yes", "service_url": "https://cpo.example.com"}
    status, refusal = await admin.call(
        "PUT", "/api/operators/DE*BOX/settings/authorization", settings
    )
    assert status == 422, refusal
    assert [issue["field"] for issue in refusal["issues"]] == ["online_request"]
    settings["service_url"] = "https://cpo.example.com/o icp"  # a refusal of its own stays
    _, refusal = await admin.call("PUT", "/api/operators/DE*BOX/settings/authorization", settings)
    assert [issue["field"] for issue in refusal["issues"]] == ["online_request", "service_url"]


async def test_a_misspelt_field_brings_no_refusal_that_only_follows_from_the_typo(
    admin: Admin,
) -> None:
    status, body = await admin.call("POST", "/api/operators", {"operator_id": "DE*TYP"})
    assert status == 201, body
    settings = {"onlin_request": True, "service_url": "https://cpo.example.com"}
    status, refusal = await admin.call(
        "PUT", "/api/operators/DE*TYP/settings/reservation", settings
    )
    assert status == 422, refusal
    (issue,) = refusal["issues"]
    assert issue["field"] == "onlin_request"
    assert "did you mean 'online_request'?" in issue["message"]
