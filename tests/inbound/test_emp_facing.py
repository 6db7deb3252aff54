"""The EMP-facing endpoints: Hubject's checks in Hubject's order, then the CPO's answer."""

from __future__ import annotations

import json
from typing import Any

from cpo_stub import CPOStub, Delay, Reject
from mockpki.ca import LeafCertificate
from oicp.cpo_operations import CPOOperation
from oicp.identifiers import is_session_id
from oicp.operations import Operation
from simulator.inbound.bodies import prepare_body
from simulator.inbound.emp_facing import emp_path
from simulator.inbound.server import InboundServer
from simulator.inbound.service import Inbound
from simulator.model import ServiceType
from simulator.partner_model import EMP
from simulator.session_model import SessionState
from tests.inbound.support import (
    EMP_ID,
    EVSE,
    OPERATOR,
    OICPClient,
    add_emp,
    add_operator,
    evse_data_push,
    evse_record,
    remote_start_body,
    remote_stop_body,
)

Certs = dict[str, LeafCertificate | None]
START = emp_path(Operation.AUTHORIZE_REMOTE_START).format(provider_id=EMP_ID)
STOP = emp_path(Operation.AUTHORIZE_REMOTE_STOP).format(provider_id=EMP_ID)


async def _ready(inbound: Inbound, stub: CPOStub, **operator: Any) -> None:
    await add_operator(inbound.hub, stub.url, **operator)
    await add_emp(inbound, ServiceType.AUTHORIZATION, ServiceType.RESERVATION)


async def test_remote_start_is_forwarded_with_a_new_session_id_and_the_cpo_ack_returned(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub)

    reply = await client.post(START, remote_start_body(), certificates["emp"])

    assert reply.status == 200
    assert reply.json["Result"] is True
    session_id = reply.json["SessionID"]
    assert is_session_id(session_id)
    forwarded = stub.last
    assert forwarded.operation is Operation.AUTHORIZE_REMOTE_START
    assert forwarded.session_id == session_id
    assert forwarded.provider_id == EMP_ID
    assert reply.json["CPOPartnerSessionID"] == stub.evse_state(EVSE).cpo_partner_session_id
    assert "Process-ID" in reply.headers


async def test_an_accepted_remote_start_opens_an_active_session(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub)

    reply = await client.post(START, remote_start_body(), certificates["emp"])

    session = await inbound.hub.storage.sessions.get(reply.json["SessionID"])
    assert session is not None
    assert (session.state, session.operator_id, session.provider_id) == (
        SessionState.ACTIVE,
        OPERATOR,
        EMP_ID,
    )


async def test_provider_id_in_the_path_must_match_the_certificate(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub)

    reply = await client.post(START, remote_start_body(), certificates["other-emp"])

    assert reply.status == 401
    assert reply.code == "017"
    assert "DE-XYZ" in reply.json["StatusCode"]["AdditionalInfo"]
    assert stub.records == []


async def test_provider_id_in_the_body_must_match_the_certificate(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub)

    body = remote_start_body(provider_id="DE-XYZ")
    reply = await client.post(START, body, certificates["emp"])

    assert (reply.status, reply.code) == (401, "017")


async def test_an_unknown_emp_is_partner_not_found(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, stub.url)

    reply = await client.post(START, remote_start_body(), certificates["emp"])

    assert (reply.status, reply.code) == (404, "300")


async def test_an_evse_of_no_configured_cpo_is_partner_not_found(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub)

    reply = await client.post(START, remote_start_body("DE*XYZ*E0001"), certificates["emp"])

    assert reply.status == 200
    assert (reply.json["Result"], reply.code) == (False, "300")
    assert stub.records == []


async def test_an_emp_without_a_contract_for_the_service_gets_210(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, stub.url)
    await add_emp(inbound, ServiceType.RESERVATION)  # no Authorization contract

    reply = await client.post(START, remote_start_body(), certificates["emp"])

    assert (reply.json["Result"], reply.code) == (False, "210")
    assert stub.records == []


async def test_an_evse_missing_from_pushed_evse_data_gets_603(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub)
    push = evse_data_push(evse_record("DE*ABC*E0002"))
    await _push(inbound, push)

    reply = await client.post(START, remote_start_body(), certificates["emp"])

    assert (reply.json["Result"], reply.code) == (False, "603")
    assert stub.records == []


async def test_an_evse_that_is_not_hubject_compatible_gets_604(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub)
    push = evse_data_push(evse_record(EVSE, compatible=False))
    await _push(inbound, push)

    reply = await client.post(START, remote_start_body(), certificates["emp"])

    assert (reply.json["Result"], reply.code) == (False, "604")


async def test_without_pushed_evse_data_any_evse_of_the_cpo_is_forwarded(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub)

    reply = await client.post(START, remote_start_body("DE*ABC*E9999"), certificates["emp"])

    assert reply.json["Result"] is True


async def test_an_evse_of_a_sub_operator_goes_to_its_hub_operator(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub)
    await inbound.partners.set_sub_operators(OPERATOR, ["DE*SUB"])

    reply = await client.post(START, remote_start_body("DE*SUB*E0001"), certificates["emp"])

    assert reply.json["Result"] is True
    assert stub.last.evse_id == "DE*SUB*E0001"


async def test_a_refused_connection_gets_310_naming_the_error(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, "https://localhost:1")
    await add_emp(inbound, ServiceType.AUTHORIZATION)

    reply = await client.post(START, remote_start_body(), certificates["emp"])

    assert (reply.json["Result"], reply.code) == (False, "310")
    assert "refused" in reply.json["StatusCode"]["AdditionalInfo"].lower()


async def test_a_timeout_gets_310_naming_the_timeout(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub, timeout_s=0.2)
    stub.set_behaviour(Delay(30))

    reply = await client.post(START, remote_start_body(), certificates["emp"])

    assert (reply.json["Result"], reply.code) == (False, "310")
    assert "0.2" in reply.json["StatusCode"]["AdditionalInfo"]


async def test_a_cpo_refusal_is_returned_to_the_emp_and_the_session_dropped(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub)
    stub.set_behaviour(Reject("602", "connector 1 occupied"))

    reply = await client.post(START, remote_start_body(), certificates["emp"])

    assert (reply.json["Result"], reply.code) == (False, "602")
    session = await inbound.hub.storage.sessions.get(reply.json["SessionID"])
    assert session is not None and session.state is SessionState.DROPPED
    stop = await client.post(STOP, remote_stop_body(session.session_id), certificates["emp"])
    assert (stop.json["Result"], stop.code) == (False, "400")


async def test_a_remote_stop_of_an_unknown_session_gets_400(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub)

    unknown = "b2688855-7f00-0002-6d8e-48d883f6abb6"
    reply = await client.post(STOP, remote_stop_body(unknown), certificates["emp"])

    assert (reply.json["Result"], reply.code) == (False, "400")
    assert stub.records == []


async def test_a_remote_stop_of_another_emps_session_gets_400(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub)
    started = await client.post(START, remote_start_body(), certificates["emp"])
    await inbound.partners.put_emp(EMP("DE-XYZ"))

    path = emp_path(Operation.AUTHORIZE_REMOTE_STOP).format(provider_id="DE-XYZ")
    body = remote_stop_body(started.json["SessionID"], provider_id="DE-XYZ")
    reply = await client.post(path, body, certificates["other-emp"])

    assert (reply.json["Result"], reply.code) == (False, "400")


async def test_a_remote_stop_of_a_running_session_reaches_the_cpo(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub)
    started = await client.post(START, remote_start_body(), certificates["emp"])
    session_id = started.json["SessionID"]

    reply = await client.post(STOP, remote_stop_body(session_id), certificates["emp"])

    assert reply.json["Result"] is True
    assert stub.last.operation is Operation.AUTHORIZE_REMOTE_STOP
    assert stub.last.session_id == session_id


async def test_a_reservation_is_started_and_stopped_through_the_hub(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub)
    start = emp_path(Operation.AUTHORIZE_REMOTE_RESERVATION_START).format(provider_id=EMP_ID)
    stop = emp_path(Operation.AUTHORIZE_REMOTE_RESERVATION_STOP).format(provider_id=EMP_ID)

    started = await client.post(start, {**remote_start_body(), "Duration": 15}, certificates["emp"])
    stopped = await client.post(
        stop, remote_stop_body(started.json["SessionID"]), certificates["emp"]
    )

    assert started.json["Result"] is True and stopped.json["Result"] is True
    operations = [r.operation for r in stub.records]
    assert operations == [
        Operation.AUTHORIZE_REMOTE_RESERVATION_START,
        Operation.AUTHORIZE_REMOTE_RESERVATION_STOP,
    ]


async def test_a_body_that_breaks_the_schema_gets_http_400_listing_the_problems(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    await _ready(inbound, stub)

    body = {**remote_start_body(), "EvseID": "not an evse"}
    reply = await client.post(START, body, certificates["emp"])

    assert reply.status == 400
    assert reply.json["message"] == "Error parsing/validating JSON."
    assert reply.json["validationErrors"][0]["fieldReference"] == "EvseID"


async def test_the_listener_serves_several_requests_on_one_connection(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs, server: InboundServer
) -> None:
    await _ready(inbound, stub)

    replies = [
        await client.post(START, remote_start_body(f"DE*ABC*E000{n}"), certificates["emp"])
        for n in range(1, 4)
    ]

    assert [r.json["Result"] for r in replies] == [True, True, True]
    assert len({r.json["SessionID"] for r in replies}) == 3


async def _push(inbound: Inbound, push: dict[str, object]) -> None:
    prepared = prepare_body(CPOOperation.PUSH_EVSE_DATA, json.dumps(push).encode())
    assert prepared.fault is None, prepared.fault
    rows = prepared.message
    await inbound.evse.push_data(OPERATOR, rows.action_type, rows.rows)
