"""OICP 2.2's PullAuthenticationData: six pulls a minute, and only when the service is on."""

from __future__ import annotations

from mockpki.ca import LeafCertificate
from oicp.authentication_data import PULLS_PER_MINUTE
from oicp.cpo_operations import CPOOperation, cpo_to_hub_path
from oicp.identification import RFIDMifareFamilyIdentification
from simulator.inbound.service import Inbound
from simulator.model import ServiceType
from tests.inbound.support import (
    EMP_ID,
    OPERATOR,
    UID,
    ManualClock,
    OICPClient,
    add_emp,
    add_operator,
)

Certs = dict[str, LeafCertificate | None]
PULL = cpo_to_hub_path(CPOOperation.PULL_AUTHENTICATION_DATA, OPERATOR)
BODY = {"OperatorID": OPERATOR}


async def _enabled(inbound: Inbound) -> None:
    await add_operator(inbound.hub, None)
    await inbound.hub.save_settings(
        OPERATOR,
        ServiceType.PULL_AUTHENTICATION_DATA,
        {"online_request": True, "service_url": "https://cpo.example/oicp"},
    )


async def test_a_pull_returns_the_offline_data_of_emps_under_contract(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await _enabled(inbound)
    card = RFIDMifareFamilyIdentification(UID)
    await add_emp(
        inbound, ServiceType.AUTHORIZATION, offline_authorization=True, authentication_data=(card,)
    )

    reply = await client.post(PULL, BODY, certificates["cpo"])

    assert (reply.status, reply.code) == (200, "000")
    assert reply.json["AuthenticationData"]["ProviderAuthenticationData"] == [
        {
            "ProviderID": EMP_ID,
            "AuthenticationDataRecord": [
                {
                    "Identification": {
                        "RFIDMifareFamilyIdentification": {"UID": UID},
                        "RFIDIdentification": None,
                        "QRCodeIdentification": None,
                        "PlugAndChargeIdentification": None,
                        "RemoteIdentification": None,
                    }
                }
            ],
        }
    ]


async def test_a_seventh_pull_within_a_minute_gets_http_429(
    inbound: Inbound, client: OICPClient, certificates: Certs, clock: ManualClock
) -> None:
    await _enabled(inbound)

    allowed = [await client.post(PULL, BODY, certificates["cpo"]) for _ in range(PULLS_PER_MINUTE)]
    clock.advance(59)
    refused = await client.post(PULL, BODY, certificates["cpo"])

    assert [r.status for r in allowed] == [200] * PULLS_PER_MINUTE
    assert refused.status == 429
    assert "6 times in the last minute" in refused.json["StatusCode"]["AdditionalInfo"]


async def test_pulls_are_allowed_again_once_the_minute_has_passed(
    inbound: Inbound, client: OICPClient, certificates: Certs, clock: ManualClock
) -> None:
    await _enabled(inbound)
    for _ in range(PULLS_PER_MINUTE):
        await client.post(PULL, BODY, certificates["cpo"])

    clock.advance(60)
    reply = await client.post(PULL, BODY, certificates["cpo"])

    assert reply.status == 200


async def test_a_pull_needs_the_pull_authentication_data_service_type_online(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)

    reply = await client.post(PULL, BODY, certificates["cpo"])

    assert (reply.status, reply.code) == (200, "320")
    assert "PullAuthenticationData" in reply.json["StatusCode"]["AdditionalInfo"]
