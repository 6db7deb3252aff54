"""Charging notifications and CDRs: only for a known session of the sender, one CDR each."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from cpo_stub import CPOStub, Reject
from mockpki.ca import LeafCertificate
from oicp.cpo_operations import CPOOperation, cpo_to_hub_path
from oicp.operations import Operation
from simulator.inbound.emp_facing import emp_path
from simulator.inbound.service import Inbound
from simulator.model import ServiceType
from simulator.session_model import SessionState
from tests.inbound.support import (
    EMP_ID,
    EVCO_ID,
    EVSE,
    OPERATOR,
    OICPClient,
    add_emp,
    add_operator,
    remote_start_body,
)

Certs = dict[str, LeafCertificate | None]
NOTIFICATIONS = cpo_to_hub_path(CPOOperation.CHARGING_NOTIFICATION)
CDR = cpo_to_hub_path(CPOOperation.CHARGE_DETAIL_RECORD, OPERATOR)
UNKNOWN_SESSION = "b2688855-7f00-0002-6d8e-48d883f6abb6"


def notification(kind: str, session_id: str, **extra: Any) -> dict[str, Any]:
    times = {
        "Start": {"ChargingStart": "2024-05-01T10:00:00+02:00"},
        "Progress": {
            "ChargingStart": "2024-05-01T10:00:00+02:00",
            "EventOccurred": "2024-05-01T10:05:00+02:00",
        },
        "End": {"ChargingEnd": "2024-05-01T11:00:00+02:00"},
        "Error": {"ErrorType": "ConnectorError"},
    }[kind]
    return {
        "Type": kind,
        "SessionID": session_id,
        "EvseID": EVSE,
        "OperatorID": OPERATOR,
        **times,
        **extra,
    }


def cdr(session_id: str) -> dict[str, Any]:
    return {
        "SessionID": session_id,
        "EvseID": EVSE,
        "Identification": {"RemoteIdentification": {"EvcoID": EVCO_ID}},
        "ChargingStart": "2024-05-01T10:00:00+02:00",
        "ChargingEnd": "2024-05-01T11:00:00+02:00",
        "SessionStart": "2024-05-01T09:59:00+02:00",
        "SessionEnd": "2024-05-01T11:01:00+02:00",
        "ConsumedEnergy": 12.5,
    }


async def _session(inbound: Inbound, stub: CPOStub, client: OICPClient, certs: Certs) -> str:
    await add_operator(inbound.hub, stub.url)
    await add_emp(inbound, ServiceType.AUTHORIZATION)
    path = emp_path(Operation.AUTHORIZE_REMOTE_START).format(provider_id=EMP_ID)
    reply = await client.post(path, remote_start_body(), certs["emp"])
    return str(reply.json["SessionID"])


async def test_a_notification_of_a_known_session_is_forwarded_and_acknowledged(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    session_id = await _session(inbound, stub, client, certificates)

    reply = await client.post(NOTIFICATIONS, notification("Start", session_id), certificates["cpo"])

    assert (reply.json["Result"], reply.code, reply.json["SessionID"]) == (True, "000", session_id)


async def test_each_notification_type_is_accepted(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    session_id = await _session(inbound, stub, client, certificates)

    results = [
        (await client.post(NOTIFICATIONS, notification(k, session_id), certificates["cpo"])).json[
            "Result"
        ]
        for k in ("Start", "Progress", "Error", "End")
    ]

    assert results == [True, True, True, True]
    session = await inbound.hub.storage.sessions.get(session_id)
    assert session is not None and session.state is SessionState.ENDED


async def test_a_notification_of_an_unknown_session_gets_400(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)

    reply = await client.post(
        NOTIFICATIONS, notification("Start", UNKNOWN_SESSION), certificates["cpo"]
    )

    assert (reply.status, reply.json["Result"], reply.code) == (200, False, "400")


async def test_a_notification_missing_its_type_specific_time_gets_http_400(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    body = notification("Progress", UNKNOWN_SESSION)
    del body["EventOccurred"]

    reply = await client.post(NOTIFICATIONS, body, certificates["cpo"])

    assert reply.status == 400
    assert reply.json["validationErrors"][0]["fieldReference"] == "EventOccurred"


async def test_an_unreachable_emp_makes_the_notification_answer_negative(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    session_id = await _session(inbound, stub, client, certificates)
    emp = await inbound.partners.emp(EMP_ID)
    await inbound.partners.put_emp(dataclasses.replace(emp, reachable=False))

    reply = await client.post(NOTIFICATIONS, notification("Start", session_id), certificates["cpo"])

    assert (reply.json["Result"], reply.code) == (False, "310")


async def test_a_cdr_of_a_known_session_is_stored_and_closes_the_session(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    session_id = await _session(inbound, stub, client, certificates)

    reply = await client.post(CDR, cdr(session_id), certificates["cpo"])

    assert (reply.json["Result"], reply.code) == (True, "000")
    stored = await inbound.hub.storage.sessions.get_cdr(session_id)
    assert stored is not None and stored.record["ConsumedEnergy"] == 12.5
    session = await inbound.hub.storage.sessions.get(session_id)
    assert session is not None and session.state is SessionState.CLOSED


async def test_a_cdr_of_an_unknown_session_gets_400(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)

    reply = await client.post(CDR, cdr(UNKNOWN_SESSION), certificates["cpo"])

    assert (reply.json["Result"], reply.code) == (False, "400")


async def test_a_second_cdr_for_the_same_session_is_refused(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    session_id = await _session(inbound, stub, client, certificates)
    await client.post(CDR, cdr(session_id), certificates["cpo"])

    reply = await client.post(CDR, cdr(session_id), certificates["cpo"])

    assert (reply.json["Result"], reply.code) == (False, "400")
    assert "only one CDR per SessionID" in reply.json["StatusCode"]["AdditionalInfo"]


async def test_a_cdr_is_acknowledged_even_when_the_emp_is_unreachable(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    session_id = await _session(inbound, stub, client, certificates)
    emp = await inbound.partners.emp(EMP_ID)
    await inbound.partners.put_emp(dataclasses.replace(emp, reachable=False))

    reply = await client.post(CDR, cdr(session_id), certificates["cpo"])

    assert reply.json["Result"] is True


async def test_a_cdr_for_a_dropped_session_gets_400(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    stub.set_behaviour(Reject("602"))
    session_id = await _session(inbound, stub, client, certificates)

    reply = await client.post(CDR, cdr(session_id), certificates["cpo"])

    assert (reply.json["Result"], reply.code) == (False, "400")


@pytest.mark.parametrize(
    ("change", "pointer", "says"),
    [
        ({"SessionEnd": "2099-01-01T00:00:00+01:00"}, "/SessionEnd", "is in the future"),
        ({"ConsumedEnergy": 1000.5}, "/ConsumedEnergy", "at most 1000 kWh"),
        ({"ConsumedEnergy": -1}, "/ConsumedEnergy", "is negative"),
        ({"ChargingEnd": "2024-05-01T09:00:00+02:00"}, "/ChargingEnd", "is before ChargingStart"),
        ({"SessionEnd": "2024-05-01T09:00:00+02:00"}, "/SessionEnd", "is before SessionStart"),
        ({"ChargingStart": "2024-05-01T10:00:00"}, "/ChargingStart", "has no UTC offset"),
    ],
    ids=[
        "session-end-future",
        "over-1000-kwh",
        "negative-energy",
        "charging-end-first",
        "session-end-first",
        "no-offset",
    ],
)
async def test_an_implausible_cdr_gets_022_and_is_not_stored(
    inbound: Inbound,
    stub: CPOStub,
    client: OICPClient,
    certificates: Certs,
    change: dict[str, Any],
    pointer: str,
    says: str,
) -> None:
    session_id = await _session(inbound, stub, client, certificates)

    reply = await client.post(CDR, {**cdr(session_id), **change}, certificates["cpo"])

    assert (reply.status, reply.json["Result"], reply.code) == (200, False, "022")
    info = reply.json["StatusCode"]["AdditionalInfo"]
    assert info.startswith(pointer + ": ") and says in info
    assert await inbound.hub.storage.sessions.get_cdr(session_id) is None


async def test_a_cdr_lists_every_implausible_value_at_once(
    inbound: Inbound, stub: CPOStub, client: OICPClient, certificates: Certs
) -> None:
    session_id = await _session(inbound, stub, client, certificates)
    body = {**cdr(session_id), "ConsumedEnergy": 5000, "ChargingEnd": "2024-05-01T09:00:00+02:00"}

    reply = await client.post(CDR, body, certificates["cpo"])

    info = reply.json["StatusCode"]["AdditionalInfo"]
    assert "/ConsumedEnergy: " in info and "/ChargingEnd: " in info
