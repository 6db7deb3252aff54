"""Refusals of the admin API of a ``hubsim hub serve`` process: every problem of a request
at once, each naming its field, and nothing stored."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from mockpki import MockHubjectPKI, PKIFiles
from tests.backends.hubproc import Admin, start_hub
from tests.backends.process import BackendProcess


@pytest.fixture(scope="module")
def pki_files(tmp_path_factory: pytest.TempPathFactory) -> PKIFiles:
    return MockHubjectPKI.create().write(Path(tmp_path_factory.mktemp("admin-refusals")) / "pki")


@pytest.fixture(scope="module")
def hub(pki_files: PKIFiles) -> Iterator[BackendProcess]:
    process = start_hub(pki_files.directory)
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


async def test_a_misspelt_query_parameter_is_refused_with_the_one_it_resembles(
    admin: Admin,
) -> None:
    status, refusal = await admin.call("GET", "/api/exchanges?limt=5&opertor_id=DE*ABC")
    assert status == 400, refusal
    issues = {issue["field"]: issue for issue in refusal["issues"]}
    assert set(issues) == {"limt", "opertor_id"}
    assert issues["limt"]["value"] == "5"
    assert issues["limt"]["message"].startswith(
        "unknown query parameter 'limt': did you mean 'limit'? the query parameters of "
        "GET /api/exchanges are operator_id, service_type, outcome, limit,"
    )
    assert "did you mean 'operator_id'?" in issues["opertor_id"]["message"]


async def test_a_misspelt_query_parameter_and_a_bad_filter_are_reported_together(
    admin: Admin,
) -> None:
    status, refusal = await admin.call("GET", "/api/exchanges?limt=5&outcome=bad&limit=0")
    assert status == 400, refusal
    assert [issue["field"] for issue in refusal["issues"]] == ["limt", "limit", "outcome"]


async def test_a_query_parameter_on_a_route_that_reads_none_is_refused(admin: Admin) -> None:
    status, refusal = await admin.call("GET", "/api/operators?limit=5")
    assert status == 400, refusal
    (issue,) = refusal["issues"]
    assert (issue["field"], issue["value"]) == ("limit", "5")
    assert issue["message"] == (
        "unknown query parameter 'limit': GET /api/operators takes none; remove it"
    )


async def test_a_query_parameter_given_twice_is_refused(admin: Admin) -> None:
    status, refusal = await admin.call("GET", "/api/sessions?limit=1&limit=50")
    assert status == 400, refusal
    (issue,) = refusal["issues"]
    assert (issue["field"], issue["value"]) == ("limit", ["1", "50"])
    assert issue["message"] == "given 2 times; give it once"


async def test_a_write_with_a_misspelt_query_parameter_stores_nothing(
    admin: Admin, pki_files: PKIFiles
) -> None:
    status, body = await admin.call("POST", "/api/operators", {"operator_id": "DE*QRY"})
    assert status == 201, body
    pem = pki_files.cpo_user_server_cert.read_bytes()
    url = f"{admin.base}/api/operators/DE*QRY/certificates?filname=cpo.pem"
    async with admin.session.post(url, data=pem) as resp:
        refusal = await resp.json()
    assert resp.status == 400, refusal
    assert "did you mean 'filename'?" in refusal["issues"][0]["message"]
    status, listed = await admin.call("GET", "/api/operators/DE*QRY/certificates")
    assert (status, listed["certificates"]) == (200, [])


async def test_every_query_parameter_the_routes_read_is_still_taken(admin: Admin) -> None:
    paths = [
        "/api/exchanges?limit=5&operator_id=DE*ABC&service_type=authorization&outcome=accepted"
        "&direction=hub-to-cpo&partner_id=DE*ABC&failure_class=Timeout&search=x"
        "&operation=eRoamingAuthorizeRemoteStart",
        "/api/sessions?limit=5&operator_id=DE*ABC&provider_id=DE*ICE",
    ]
    for path in paths:
        status, body = await admin.call("GET", path)
        assert status == 200, (path, body)


async def test_a_null_checkbox_is_refused_not_read_as_unticked(admin: Admin) -> None:
    status, body = await admin.call("POST", "/api/operators", {"operator_id": "DE*NUL"})
    assert status == 201, body
    settings = {"online_request": None, "service_url": "https://cpo.example.com"}
    status, refusal = await admin.call(
        "PUT", "/api/operators/DE*NUL/settings/authorization", settings
    )
    assert status == 422, refusal
    (issue,) = refusal["issues"]
    assert (issue["field"], issue["value"]) == ("online_request", None)
    assert issue["message"].startswith(
        "Online Request (online_request) must be true or false, not null:"
    )
    status, saved = await admin.call("GET", "/api/operators/DE*NUL/settings/authorization")
    assert saved.get("current") is None, saved  # nothing half-stored


async def test_every_problem_of_a_check_body_is_reported_at_once(admin: Admin) -> None:
    status, body = await admin.call("POST", "/api/operators", {"operator_id": "DE*CHK"})
    assert status == 201, body
    check = {
        "timeout_s": 0,
        "strict": "yes",
        "evse": "DE*CHK*E1",
        "wire_profile": "loose",
        "provider_id": "bad",
    }
    status, refusal = await admin.call("POST", "/api/operators/DE*CHK/check/authorization", check)
    assert status == 400, refusal
    issues = {issue["field"]: issue for issue in refusal["issues"]}
    assert set(issues) == {"timeout_s", "strict", "evse", "wire_profile", "provider_id"}
    assert "ProviderID 'bad' is not a valid OICP ProviderID" in issues["provider_id"]["message"]
    assert issues["timeout_s"]["message"].startswith("must be more than 0 and at most 60")
    assert issues["evse"]["message"].startswith("unknown field 'evse': did you mean 'evse_id'?")


async def test_every_problem_of_an_emp_body_is_reported_at_once(admin: Admin) -> None:
    emp = {
        "provider_id": 5,
        "online_request": "yes",
        "reachble": False,
        "authentication_data": [{"Bogus": {}}, 5],
        "name": 7,
    }
    status, refusal = await admin.call("POST", "/api/emps", emp)
    assert status == 400, refusal
    issues = {issue["field"]: issue for issue in refusal["issues"]}
    assert set(issues) == {
        "provider_id",
        "online_request",
        "reachble",
        "authentication_data[0]",
        "authentication_data[1]",
        "name",
    }
    assert issues["online_request"]["message"] == "must be true or false, not 'yes'"
    assert "did you mean 'reachable'?" in issues["reachble"]["message"]
    status, listed = await admin.call("GET", "/api/emps")
    assert status == 200 and listed["emps"] == [], listed


@pytest.mark.parametrize("provider_id", ["", "bad"])
async def test_the_readiness_question_refuses_a_providerid_the_send_would_refuse(
    admin: Admin, provider_id: str
) -> None:
    await admin.operator("DE*RDY", "https://localhost:1", timeout_s=5)
    path = f"/api/operators/DE*RDY/send/remote-start?provider_id={provider_id}"
    status, refusal = await admin.call("GET", path)
    assert status == 400, refusal
    (issue,) = refusal["issues"]
    assert (issue["field"], issue["value"]) == ("provider_id", provider_id)
    assert f"ProviderID {provider_id!r} is not a valid OICP ProviderID" in issue["message"]


async def test_every_problem_of_a_contracts_body_is_reported_with_its_index(
    admin: Admin,
) -> None:
    await admin.operator("DE*CON", "https://localhost:1", timeout_s=5)
    status, body = await admin.call("POST", "/api/emps", {"provider_id": "DE-CON"})
    assert status == 201, body
    contracts = {
        "contracts": [
            {"operator_id": "DE*NOP", "service_type": "authorization"},
            {"operator_id": "DE*CON", "srvice_type": "reservation"},
            {"operator_id": "DE*CON", "service_type": "charging"},
        ],
        "x": 1,
    }
    status, refusal = await admin.call("PUT", "/api/emps/DE-CON/contracts", contracts)
    assert status == 400, refusal
    fields = [issue["field"] for issue in refusal["issues"]]
    assert fields == [
        "x",
        "contracts[1].srvice_type",
        "contracts[2].service_type",
        "contracts[0].operator_id",
    ]
    messages = {issue["field"]: issue["message"] for issue in refusal["issues"]}
    assert "did you mean 'service_type'?" in messages["contracts[1].srvice_type"]
    assert messages["contracts[2].service_type"].endswith("use authorization or reservation")
    status, listed = await admin.call("GET", "/api/emps/DE-CON/contracts")
    assert (status, listed["contracts"]) == (200, [])  # nothing half-stored


async def test_the_operation_filter_takes_a_wire_name_or_a_slug_and_refuses_others(
    admin: Admin,
) -> None:
    await admin.operator("DE*OPF", "https://localhost:1", timeout_s=5)
    status, sent = await admin.call(
        "POST",
        "/api/operators/DE*OPF/send/remote-start",
        {"evse_id": "DE*OPF*E1", "provider_id": "DE*ICE"},
    )
    assert status == 200, sent
    for operation in ("remote-start", "eRoamingAuthorizeRemoteStart"):
        status, found = await admin.call(
            "GET", f"/api/exchanges?operator_id=DE*OPF&operation={operation}"
        )
        assert status == 200, found
        assert [e["operation"] for e in found["exchanges"]] == ["eRoamingAuthorizeRemoteStart"]
    status, refusal = await admin.call("GET", "/api/exchanges?operation=remote-strat")
    assert status == 400, refusal
    (issue,) = refusal["issues"]
    assert (issue["field"], issue["value"]) == ("operation", "remote-strat")
    assert issue["message"].endswith(
        "remote-start, remote-stop, reservation-start, reservation-stop"
    )


async def test_an_upload_with_a_blank_or_a_second_filename_is_refused(
    admin: Admin, pki_files: PKIFiles
) -> None:
    status, body = await admin.call("POST", "/api/operators", {"operator_id": "DE*FIL"})
    assert status == 201, body
    pem = pki_files.cpo_user_server_cert.read_bytes()
    url = f"{admin.base}/api/operators/DE*FIL/certificates"
    async with admin.session.post(url + "?filename=%20", data=pem) as resp:
        blank = await resp.json()
    assert resp.status == 400, blank
    assert (blank["issues"][0]["field"], blank["issues"][0]["value"]) == ("filename", " ")
    form = aiohttp.FormData()
    form.add_field("file", pem, filename="cpo.pem")
    async with admin.session.post(url + "?filename=other.pem", data=form) as resp:
        twice = await resp.json()
    assert resp.status == 400, twice
    assert twice["issues"][0]["message"].startswith("a multipart upload names its file itself")
    status, listed = await admin.call("GET", "/api/operators/DE*FIL/certificates")
    assert (status, listed["certificates"]) == (200, [])


async def test_every_bad_sub_operator_id_is_refused_with_its_index(admin: Admin) -> None:
    status, body = await admin.call("POST", "/api/operators", {"operator_id": "DE*SOP"})
    assert status == 201, body
    subs = {"sub_operator_ids": ["DE*SUB", "bad", 5, "DE*SOP", "DE*SUB"], "x": 1}
    status, refusal = await admin.call("PUT", "/api/operators/DE*SOP/sub-operators", subs)
    assert status == 400, refusal
    assert {issue["field"]: issue["message"] for issue in refusal["issues"]} == {
        "x": "unknown field 'x': the body's fields are sub_operator_ids",
        "sub_operator_ids[1]": "is not an OICP OperatorID, e.g. DE*SUB",
        "sub_operator_ids[2]": "is not an OICP OperatorID, e.g. DE*SUB",
        "sub_operator_ids[3]": "is the operator itself: name other operators",
        "sub_operator_ids[4]": "is sub_operator_ids[0] again: keep one",
    }
    status, listed = await admin.call("GET", "/api/operators/DE*SOP/sub-operators")
    assert (status, listed["sub_operator_ids"]) == (200, [])


async def test_a_query_parameter_in_capitals_is_told_its_name(admin: Admin) -> None:
    status, refusal = await admin.call("GET", "/api/exchanges?LIMIT=5")
    assert status == 400, refusal
    assert "did you mean 'limit'?" in refusal["issues"][0]["message"]


async def test_a_send_body_with_a_bad_duration_still_names_its_bad_ids(admin: Admin) -> None:
    await admin.operator("DE*SND", "https://localhost:1", timeout_s=5)
    body = {"evse_id": "garbage", "provider_id": "bad", "duration": "x"}
    status, refusal = await admin.call("POST", "/api/operators/DE*SND/send/reservation-start", body)
    assert status == 400, refusal
    assert [issue["field"] for issue in refusal["issues"]] == ["duration", "provider_id", "evse_id"]
    status, log = await admin.call("GET", "/api/exchanges?operator_id=DE*SND")
    assert (status, log["exchanges"]) == (200, [])  # nothing was sent


async def test_a_key_given_twice_in_a_body_is_refused_not_read_as_the_last(
    admin: Admin,
) -> None:
    status, body = await admin.call("POST", "/api/operators", {"operator_id": "DE*TWI"})
    assert status == 201, body
    url = f"{admin.base}/api/operators/DE*TWI/settings/authorization"
    raw = b'{"online_request": true, "service_url": "https://x.example", "online_request": false}'
    headers = {"Content-Type": "application/json"}
    async with admin.session.put(url, data=raw, headers=headers) as resp:
        refusal = await resp.json()
    assert resp.status == 400, refusal
    (issue,) = refusal["issues"]
    assert (issue["field"], issue["value"]) == ("online_request", [True, False])
    assert issue["message"].startswith("is given twice in one JSON object")
    status, saved = await admin.call("GET", "/api/operators/DE*TWI/settings/authorization")
    assert saved.get("current") is None, saved


async def test_an_operator_name_that_is_not_text_is_refused_and_null_is_no_name(
    admin: Admin,
) -> None:
    # A list or a number was stored as Python's repr of it, and null as the name "None".
    status, refusal = await admin.call(
        "POST", "/api/operators", {"operator_id": "DE*NAM", "name": ["a"]}
    )
    assert status == 400, refusal
    assert refusal["issues"] == [
        {"field": "name", "value": ["a"], "message": 'must be text, e.g. "Example CPO", or null'}
    ]
    status, _ = await admin.call("GET", "/api/operators/DE*NAM")
    assert status == 404
    status, made = await admin.call(
        "POST", "/api/operators", {"operator_id": "DE*NAM", "name": None}
    )
    assert (status, made["name"]) == (201, "")


async def test_an_operator_name_longer_than_oicps_operator_name_is_refused(admin: Admin) -> None:
    body = {"operator_id": "DE*LNG", "name": "x" * 101}
    status, refusal = await admin.call("POST", "/api/operators", body)
    assert status == 400, refusal
    (issue,) = refusal["issues"]
    assert issue["field"] == "name"
    assert issue["message"] == "is 101 characters long; give at most 100, as OICP's OperatorName"


async def test_an_operator_id_of_another_type_is_told_as_such_not_as_missing(
    admin: Admin,
) -> None:
    status, refusal = await admin.call("POST", "/api/operators", {"operator_id": 5})
    assert status == 400, refusal
    assert refusal["issues"][0] == {
        "field": "operator_id",
        "value": 5,
        "message": "must be text: give the OperatorID, e.g. DE*ABC",
    }


async def test_updating_an_operator_answers_200_and_creating_one_201(admin: Admin) -> None:
    status, _ = await admin.call("POST", "/api/operators", {"operator_id": "DE*UPD"})
    assert status == 201
    status, updated = await admin.call(
        "POST", "/api/operators", {"operator_id": "DE*UPD", "name": "Updated"}
    )
    assert (status, updated["name"]) == (200, "Updated")


async def test_a_refused_evcoid_of_a_send_is_quoted_as_the_value(admin: Admin) -> None:
    # The EvcoID sits three levels down in the request: the refusal's value was null.
    await admin.operator("DE*EVC", "https://localhost:9", 5)
    body = {"evse_id": "DE*EVC*E0001", "provider_id": "DE*ICE", "evco_id": "bad"}
    status, refusal = await admin.call("POST", "/api/operators/DE*EVC/send/remote-start", body)
    assert status == 400, refusal
    issues = {issue["field"]: issue["value"] for issue in refusal["issues"]}
    assert issues == {"evco_id": "bad"}


async def test_every_problem_of_a_send_is_reported_at_once(admin: Admin) -> None:
    # The form, then wire_profile, then the OICP values were refused one stage at a time.
    await admin.operator("DE*ALL", "https://localhost:9", 5)
    body = {"evse_id": "DE*ALL*E0001", "wire_profile": "x", "evco_id": "bad"}
    status, refusal = await admin.call("POST", "/api/operators/DE*ALL/send/remote-start", body)
    assert status == 400, refusal
    fields = {issue["field"] for issue in refusal["issues"]}
    assert fields == {"provider_id", "wire_profile", "evco_id"}
    body["provider_id"] = "DE*ICE"
    status, refusal = await admin.call("POST", "/api/operators/DE*ALL/send/remote-start", body)
    assert status == 400, refusal
    assert {issue["field"] for issue in refusal["issues"]} == {"evco_id", "wire_profile"}


async def test_a_body_beyond_the_admin_apis_limit_names_the_limit(admin: Admin) -> None:
    body = b'{"operator_id": "DE*BIG", "name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    headers = {"Content-Type": "application/json"}
    async with admin.session.post(
        f"{admin.base}/api/operators", data=io.BytesIO(body), headers=headers
    ) as resp:
        refusal = await resp.json()
    assert resp.status == 413, refusal
    (issue,) = refusal["issues"]
    assert issue["field"] == "body"
    assert issue["message"].startswith("is larger than the 1048576 bytes the admin API reads")


async def test_a_service_url_beyond_2048_characters_is_refused_and_nothing_saved(
    admin: Admin,
) -> None:
    await admin.operator("DE*URL", "https://localhost:9", 5)
    url = "https://cpo.example.com/" + "a" * 3000
    settings = {"online_request": True, "service_url": url, "server_certification": "hubject"}
    path = "/api/operators/DE*URL/settings/authorization"
    status, refusal = await admin.call("PUT", path, settings)
    assert status == 422, refusal
    (issue,) = refusal["issues"]
    assert issue["field"] == "service_url"
    assert f"is {len(url)} characters long; give at most 2048" in issue["message"]
    _, saved = await admin.call("GET", path)
    assert saved["current"]["settings"]["service_url"] == "https://localhost:9"
