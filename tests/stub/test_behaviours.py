"""The configurable behaviours, over real mutual TLS."""

from __future__ import annotations

import json
import re

import aiohttp
import pytest

from cpo_stub import (
    Accept,
    BehaviourError,
    CloseConnection,
    CPOStub,
    Delay,
    Http500,
    MalformedJson,
    Reject,
    behaviour_from_json,
)
from cpo_stub.endpoint import CLOSED
from oicp.operations import Operation
from tests.stub.support import EVSE, OTHER_EVSE, Hub, start_body, stop_body


async def test_accept_echoes_session_id_and_assigns_cpo_partner_session_id(hub: Hub) -> None:
    body = start_body()

    ack = await hub.ack(Operation.AUTHORIZE_REMOTE_START, body)

    assert ack["Result"] is True
    assert ack["StatusCode"]["Code"] == "000"
    assert ack["SessionID"] == body["SessionID"]
    assert ack["EMPPartnerSessionID"] == "emp-1"
    assert ack["CPOPartnerSessionID"]


async def test_accepted_start_answers_json_utf8_with_http_200(hub: Hub) -> None:
    reply = await hub.post(Operation.AUTHORIZE_REMOTE_START, start_body())

    assert reply.status == 200
    assert reply.content_type == "application/json; charset=utf-8"


@pytest.mark.parametrize("code", ["602", "700", "501"])
async def test_reject_answers_result_false_with_the_configured_code(
    hub: Hub, stub: CPOStub, code: str
) -> None:
    stub.set_behaviour(Reject(code, "configured by the test"), evse_id=EVSE)
    body = start_body()

    ack = await hub.ack(Operation.AUTHORIZE_REMOTE_START, body)

    assert ack["Result"] is False
    assert ack["StatusCode"]["Code"] == code
    assert ack["StatusCode"]["AdditionalInfo"] == "configured by the test"
    assert ack["SessionID"] == body["SessionID"]


async def test_reject_takes_its_description_from_the_status_table(hub: Hub, stub: CPOStub) -> None:
    stub.set_behaviour(Reject("700"))

    ack = await hub.remote_start()

    assert ack["StatusCode"]["Description"] == "EVSE out of service."


async def test_behaviour_for_one_evse_leaves_other_evses_accepted(hub: Hub, stub: CPOStub) -> None:
    stub.set_behaviour(Reject("602"), evse_id=EVSE)

    other = await hub.remote_start(OTHER_EVSE)

    assert other["Result"] is True


async def test_evse_behaviour_wins_over_the_default(hub: Hub, stub: CPOStub) -> None:
    stub.set_behaviour(Reject("501"))
    stub.set_behaviour(Accept(), evse_id=EVSE)

    assert (await hub.remote_start(EVSE))["Result"] is True
    assert (await hub.remote_start(OTHER_EVSE))["StatusCode"]["Code"] == "501"


async def test_behaviour_restricted_to_an_operation_applies_only_to_it(
    hub: Hub, stub: CPOStub
) -> None:
    stub.set_behaviour(
        Reject("501", operations=frozenset({Operation.AUTHORIZE_REMOTE_STOP})), evse_id=EVSE
    )
    started = await hub.remote_start(session_id=(session := start_body()["SessionID"]))

    stopped = await hub.remote_stop(session_id=session)

    assert started["Result"] is True
    assert stopped["StatusCode"]["Code"] == "501"


async def test_delay_still_answers_as_its_then_behaviour(hub: Hub, stub: CPOStub) -> None:
    stub.set_behaviour(Delay(0.01, then=Reject("501")))

    ack = await hub.remote_start()

    assert ack["StatusCode"]["Code"] == "501"
    assert stub.last.behaviour == "delay 0.01s then reject 501"


async def test_close_connection_drops_the_connection_without_an_answer(
    hub: Hub, stub: CPOStub
) -> None:
    stub.set_behaviour(CloseConnection())

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await hub.remote_start()

    assert stub.last.response_status == CLOSED
    assert stub.last.response_body is None


async def test_http500_answers_http_500(hub: Hub, stub: CPOStub) -> None:
    stub.set_behaviour(Http500())

    reply = await hub.post(Operation.AUTHORIZE_REMOTE_START, start_body())

    assert reply.status == 500
    assert "http500" in reply.text


async def test_malformed_json_answers_200_json_that_does_not_parse(hub: Hub, stub: CPOStub) -> None:
    stub.set_behaviour(MalformedJson())

    reply = await hub.post(Operation.AUTHORIZE_REMOTE_STOP, stop_body())

    assert reply.status == 200
    assert reply.content_type.startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(reply.text)


@pytest.mark.parametrize(
    "behaviour",
    [
        Accept(),
        Reject("602", "occupied"),
        Delay(2.5, Reject("700")),
        CloseConnection(),
        Http500(),
        MalformedJson(operations=frozenset({Operation.AUTHORIZE_REMOTE_START})),
    ],
    ids=lambda b: b.describe(),
)
def test_behaviour_json_round_trips(behaviour: object) -> None:
    assert isinstance(
        behaviour, Accept | Reject | Delay | CloseConnection | Http500 | MalformedJson
    )

    assert behaviour_from_json(json.loads(json.dumps(behaviour.to_json()))) == behaviour


def test_behaviour_json_accepts_the_documented_shapes() -> None:
    data = {"type": "delay", "seconds": 2.5, "then": {"type": "reject", "code": "602"}}

    assert behaviour_from_json(data) == Delay(2.5, Reject("602"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"type": "teleport"}, "behaviour.type"),
        ({"type": "reject"}, "behaviour.code"),
        ({"type": "reject", "code": 602}, "behaviour.code"),
        ({"type": "delay", "seconds": "soon"}, "behaviour.seconds"),
        ({"type": "delay", "seconds": 1, "then": {"type": "reject"}}, "behaviour.then.code"),
        ({"type": "accept", "operations": ["remote-charge"]}, "behaviour.operations[0]"),
        ({"type": "close", "code": "602"}, "unknown field(s) code"),
    ],
)
def test_invalid_behaviour_json_names_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(BehaviourError, match=re.escape(field)):
        behaviour_from_json(data)
