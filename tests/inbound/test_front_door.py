"""The front door: NGINX's 400 pages for client certificates, then 017 and 300.

The TLS handshake always completes; the HTTP layer decides (certificates digest §2.7).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mockpki import MockHubjectPKI
from mockpki.ca import LeafCertificate, self_signed_client_cert
from oicp.cpo_operations import CPOOperation, cpo_to_hub_path
from simulator.inbound.gate import CERTIFICATE_ERROR, DETAIL_HEADER, NO_CERTIFICATE
from simulator.inbound.service import Inbound
from tests.inbound.support import (
    OPERATOR,
    OICPClient,
    add_operator,
    evse_data_push,
    evse_record,
)

Certs = dict[str, LeafCertificate | None]
EVSE_DATA = cpo_to_hub_path(CPOOperation.PUSH_EVSE_DATA, OPERATOR)


async def test_a_client_certificate_from_a_foreign_ca_gets_nginx_400_ssl_certificate_error(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)

    reply = await client.post(EVSE_DATA, evse_data_push(evse_record()), certificates["foreign"])

    assert reply.status == 400
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "<title>400 The SSL Certificate Error</title>" in reply.text
    assert CERTIFICATE_ERROR in reply.text and "nginx" in reply.text
    assert "unable to get local issuer certificate" in reply.headers[DETAIL_HEADER]


async def test_no_client_certificate_gets_nginx_400_no_required_certificate(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    reply = await client.post(EVSE_DATA, evse_data_push(evse_record()), certificates["none"])

    assert reply.status == 400
    assert f"<center>{NO_CERTIFICATE}</center>" in reply.text


async def test_a_self_signed_client_certificate_gets_nginx_400(
    inbound: Inbound, client: OICPClient
) -> None:
    leaf = self_signed_client_cert(OPERATOR)

    reply = await client.post(EVSE_DATA, evse_data_push(evse_record()), leaf)

    assert reply.status == 400
    assert CERTIFICATE_ERROR in reply.text


async def test_an_expired_hubject_client_certificate_gets_nginx_400(
    inbound: Inbound, client: OICPClient, pki: MockHubjectPKI
) -> None:
    past = datetime.now(UTC) - timedelta(days=30)
    leaf = pki.issue_client_cert(
        OPERATOR, organizational_unit=OPERATOR, not_before=past, not_after=past + timedelta(days=1)
    )

    reply = await client.post(EVSE_DATA, evse_data_push(evse_record()), leaf)

    assert reply.status == 400
    assert "certificate has expired" in reply.headers[DETAIL_HEADER]


async def test_the_operator_id_in_the_path_must_match_the_certificate(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)

    reply = await client.post(EVSE_DATA, evse_data_push(evse_record()), certificates["other-cpo"])

    assert reply.status == 401
    assert reply.json == {
        "StatusCode": {
            "Code": "017",
            "Description": "Unauthorized Access.",
            "AdditionalInfo": reply.json["StatusCode"]["AdditionalInfo"],
        }
    }
    assert "the OperatorID in the path is 'DE*ABC'" in reply.json["StatusCode"]["AdditionalInfo"]


async def test_the_operator_id_in_the_body_must_match_the_certificate(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    body = evse_data_push(evse_record())
    body["OperatorEvseData"]["OperatorID"] = "DE*XYZ"

    reply = await client.post(EVSE_DATA, body, certificates["cpo"])

    assert (reply.status, reply.code) == (401, "017")
    assert "in the body" in reply.json["StatusCode"]["AdditionalInfo"]


async def test_a_notification_names_its_operator_only_in_the_body_and_is_checked_there(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    path = cpo_to_hub_path(CPOOperation.CHARGING_NOTIFICATION)
    body = {
        "Type": "Start",
        "SessionID": "b2688855-7f00-0002-6d8e-48d883f6abb6",
        "EvseID": "DE*XYZ*E1",
        "OperatorID": "DE*XYZ",
        "ChargingStart": "2024-01-01T10:00:00+01:00",
    }

    reply = await client.post(path, body, certificates["cpo"])

    assert (reply.status, reply.code) == (401, "017")


async def test_an_operator_the_hub_does_not_know_gets_300_partner_not_found(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    path = cpo_to_hub_path(CPOOperation.PUSH_EVSE_DATA, "DE*XYZ")
    body = evse_data_push(evse_record("DE*XYZ*E1"))
    body["OperatorEvseData"]["OperatorID"] = "DE*XYZ"

    reply = await client.post(path, body, certificates["other-cpo"])

    assert (reply.status, reply.code) == (404, "300")


async def test_a_body_that_is_not_json_gets_http_400(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)

    reply = await client.post(EVSE_DATA, b"{not json", certificates["cpo"])

    assert reply.status == 400
    assert "not valid JSON" in reply.json["validationErrors"][0]["errorMessage"]


@pytest.mark.parametrize("missing", ["IsHubjectCompatible", "HotlinePhoneNumber", "Address"])
async def test_an_evse_record_without_a_mandatory_member_gets_http_400(
    inbound: Inbound, client: OICPClient, certificates: Certs, missing: str
) -> None:
    await add_operator(inbound.hub, None)
    record = evse_record()
    del record[missing]

    reply = await client.post(EVSE_DATA, evse_data_push(record), certificates["cpo"])

    assert reply.status == 400
    references = [e["fieldReference"] for e in reply.json["validationErrors"]]
    assert references == [f"OperatorEvseData.EvseDataRecord[0].{missing}"]
