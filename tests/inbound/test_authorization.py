"""eRoamingAuthorizeStart/Stop: offline, online or broadcast, per the EMPs' settings."""

from __future__ import annotations

from typing import Any

from mockpki.ca import LeafCertificate
from oicp.cpo_operations import CPOOperation, cpo_to_hub_path
from oicp.identification import (
    QRCodeIdentification,
    RemoteIdentification,
    RFIDMifareFamilyIdentification,
)
from oicp.identifiers import is_session_id
from simulator.inbound.service import Inbound
from simulator.model import ServiceType
from simulator.partner_model import EMP, Contract
from simulator.session_model import SessionKind, SessionState
from tests.inbound.support import (
    EMP_ID,
    EVCO_ID,
    EVSE,
    OPERATOR,
    UID,
    OICPClient,
    add_emp,
    add_operator,
)

Certs = dict[str, LeafCertificate | None]
START = cpo_to_hub_path(CPOOperation.AUTHORIZE_START, OPERATOR)
STOP = cpo_to_hub_path(CPOOperation.AUTHORIZE_STOP, OPERATOR)
CARD = {"RFIDMifareFamilyIdentification": {"UID": UID}}


def authorize_start(identification: dict[str, Any]) -> dict[str, Any]:
    return {
        "OperatorID": OPERATOR,
        "EvseID": EVSE,
        "Identification": identification,
        "CPOPartnerSessionID": "cpo-42",
    }


async def test_an_identification_in_uploaded_offline_data_is_authorized_with_a_session(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    card = RFIDMifareFamilyIdentification(UID)
    await add_emp(
        inbound,
        ServiceType.AUTHORIZATION,
        offline_authorization=True,
        online_request=False,
        authentication_data=(card,),
    )

    reply = await client.post(START, authorize_start(CARD), certificates["cpo"])

    answer = reply.json
    assert (answer["AuthorizationStatus"], reply.code) == ("Authorized", "000")
    assert answer["ProviderID"] == EMP_ID
    assert answer["CPOPartnerSessionID"] == "cpo-42"
    assert is_session_id(answer["SessionID"])
    session = await inbound.hub.storage.sessions.get(answer["SessionID"])
    assert session is not None
    assert (session.kind, session.state) == (SessionKind.AUTHORIZATION, SessionState.ACTIVE)


async def test_an_evco_id_is_forwarded_online_to_the_emp_it_names(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    qr = QRCodeIdentification(EVCO_ID, pin="1234")
    await add_emp(inbound, ServiceType.AUTHORIZATION, authentication_data=(qr,))
    body = authorize_start({"QRCodeIdentification": {"EvcoID": EVCO_ID, "PIN": "1234"}})

    reply = await client.post(START, body, certificates["cpo"])

    assert (reply.json["AuthorizationStatus"], reply.json["ProviderID"]) == ("Authorized", EMP_ID)


async def test_a_wrong_pin_is_not_authorized_by_the_emp(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    qr = QRCodeIdentification(EVCO_ID, pin="1234")
    await add_emp(inbound, ServiceType.AUTHORIZATION, authentication_data=(qr,))
    body = authorize_start({"QRCodeIdentification": {"EvcoID": EVCO_ID, "PIN": "9999"}})

    reply = await client.post(START, body, certificates["cpo"])

    assert (reply.json["AuthorizationStatus"], reply.code) == ("NotAuthorized", "101")
    assert reply.json["SessionID"] is None


async def test_an_rfid_card_is_broadcast_to_every_emp_with_online_and_broadcast(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    await add_emp(inbound, ServiceType.AUTHORIZATION, broadcast_request=True)
    card = RFIDMifareFamilyIdentification(UID)
    await inbound.partners.put_emp(
        EMP("DE-XYZ", broadcast_request=True, authentication_data=(card,))
    )
    await inbound.partners.set_contracts(
        "DE-XYZ", [Contract("DE-XYZ", OPERATOR, ServiceType.AUTHORIZATION)]
    )

    reply = await client.post(START, authorize_start(CARD), certificates["cpo"])

    assert (reply.json["AuthorizationStatus"], reply.json["ProviderID"]) == ("Authorized", "DE-XYZ")


async def test_an_emp_without_broadcast_is_not_asked_about_cards(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    card = RFIDMifareFamilyIdentification(UID)
    await add_emp(inbound, ServiceType.AUTHORIZATION, authentication_data=(card,))

    reply = await client.post(START, authorize_start(CARD), certificates["cpo"])

    assert (reply.json["AuthorizationStatus"], reply.code) == ("NotAuthorized", "102")


async def test_an_unreachable_emp_counts_as_not_authorized(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    remote = RemoteIdentification(EVCO_ID)
    await add_emp(
        inbound, ServiceType.AUTHORIZATION, reachable=False, authentication_data=(remote,)
    )
    body = authorize_start({"PlugAndChargeIdentification": {"EvcoID": EVCO_ID}})

    reply = await client.post(START, body, certificates["cpo"])

    assert (reply.json["AuthorizationStatus"], reply.code) == ("NotAuthorized", "310")


async def test_without_any_authorization_contract_the_answer_is_210(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    await add_emp(inbound, ServiceType.RESERVATION, offline_authorization=True)

    reply = await client.post(START, authorize_start(CARD), certificates["cpo"])

    assert (reply.json["AuthorizationStatus"], reply.code) == ("NotAuthorized", "210")


async def test_a_qr_code_with_a_hashed_pin_gets_http_400(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    hashed = {"Value": "a5ghdhf73h", "Function": "Bcrypt"}
    body = authorize_start({"QRCodeIdentification": {"EvcoID": EVCO_ID, "HashedPIN": hashed}})

    reply = await client.post(START, body, certificates["cpo"])

    assert reply.status == 400


async def test_a_session_is_stopped_with_the_medium_that_started_it(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    card = RFIDMifareFamilyIdentification(UID)
    await add_emp(
        inbound, ServiceType.AUTHORIZATION, offline_authorization=True, authentication_data=(card,)
    )
    started = await client.post(START, authorize_start(CARD), certificates["cpo"])
    session_id = started.json["SessionID"]

    body = {"OperatorID": OPERATOR, "SessionID": session_id, "Identification": CARD}
    reply = await client.post(STOP, body, certificates["cpo"])

    assert (reply.json["AuthorizationStatus"], reply.json["SessionID"]) == (
        "Authorized",
        session_id,
    )
    timeline = await inbound.hub.storage.sessions.timeline(session_id)
    assert [e.event.label for e in timeline] == ["authorize start", "authorize stop"]


async def test_an_authorize_stop_of_an_unknown_session_gets_400(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)

    body = {
        "OperatorID": OPERATOR,
        "SessionID": "b2688855-7f00-0002-6d8e-48d883f6abb6",
        "Identification": CARD,
    }
    reply = await client.post(STOP, body, certificates["cpo"])

    assert (reply.json["AuthorizationStatus"], reply.code) == ("NotAuthorized", "400")


async def test_an_authorization_cannot_join_another_providers_session_by_its_session_id(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    await add_emp(
        inbound,
        ServiceType.AUTHORIZATION,
        offline_authorization=True,
        online_request=False,
        authentication_data=(RFIDMifareFamilyIdentification(UID),),
    )
    other_card = "0123456789ABCD"
    await inbound.partners.put_emp(
        EMP(
            "DE-XYZ",
            offline_authorization=True,
            online_request=False,
            authentication_data=(RFIDMifareFamilyIdentification(other_card),),
        )
    )
    await inbound.partners.set_contracts(
        "DE-XYZ", [Contract("DE-XYZ", OPERATOR, ServiceType.AUTHORIZATION)]
    )
    first = await client.post(START, authorize_start(CARD), certificates["cpo"])
    session_id = first.json["SessionID"]
    before = await inbound.hub.storage.sessions.timeline(session_id)

    body = {
        **authorize_start({"RFIDMifareFamilyIdentification": {"UID": other_card}}),
        "SessionID": session_id,
    }
    reply = await client.post(START, body, certificates["cpo"])

    assert (reply.json["AuthorizationStatus"], reply.code) == ("NotAuthorized", "400")
    assert "is a session of EMP DE-ICE" in reply.json["StatusCode"]["AdditionalInfo"]
    assert await inbound.hub.storage.sessions.timeline(session_id) == before
