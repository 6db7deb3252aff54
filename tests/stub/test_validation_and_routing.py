"""Routing on the path suffix, and validation of the request bodies."""

from __future__ import annotations

import json

import pytest

from cpo_stub import CPOStub
from oicp.operations import Operation
from tests.stub.support import BODIES, PROVIDER_ID, Hub, reservation_body, start_body, stop_body


@pytest.mark.parametrize("prefix", ["", "/oicp", "/tenant/42/backend", "/trailing/"])
async def test_operations_are_served_under_any_prefix(hub: Hub, prefix: str) -> None:
    ack = await hub.ack(Operation.AUTHORIZE_REMOTE_START, start_body(), prefix=prefix)

    assert ack["Result"] is True


@pytest.mark.parametrize("operation", list(Operation), ids=lambda op: op.slug)
async def test_every_operation_is_recognised_from_its_path(
    hub: Hub, stub: CPOStub, operation: Operation
) -> None:
    await hub.ack(operation, BODIES[operation]())

    assert stub.last.operation is operation


@pytest.mark.parametrize("style", ["hubject", "charging"])
async def test_both_reservation_path_styles_are_served(hub: Hub, stub: CPOStub, style: str) -> None:
    ack = await hub.ack(
        Operation.AUTHORIZE_REMOTE_RESERVATION_START, reservation_body(), style=style
    )

    assert ack["Result"] is True
    assert stub.last.operation is Operation.AUTHORIZE_REMOTE_RESERVATION_START


async def test_provider_id_with_percent_encoded_star_is_accepted(hub: Hub, stub: CPOStub) -> None:
    url = hub.url(Operation.AUTHORIZE_REMOTE_START).replace("DE*ICE", "DE%2AICE")

    reply = await hub.send("POST", url, json.dumps(start_body()))

    assert reply.json()["Result"] is True
    assert stub.last.provider_id == PROVIDER_ID
    assert "%2A" in stub.last.path


async def test_unknown_path_answers_404_with_an_acknowledgement_naming_the_path(
    hub: Hub, stub: CPOStub
) -> None:
    reply = await hub.send("POST", stub.url + "/api/oicp/charging/v21/providers/X/whatever", "{}")

    assert reply.status == 404
    assert reply.content_type.startswith("application/json")
    status_code = reply.json()["StatusCode"]
    assert status_code["Code"] == "022"
    assert "/api/oicp/charging/v21/providers/X/whatever" in status_code["AdditionalInfo"]


async def test_operations_accept_only_post(hub: Hub) -> None:
    reply = await hub.send("GET", hub.url(Operation.AUTHORIZE_REMOTE_START))

    assert reply.status == 405
    assert reply.json()["Result"] is False
    assert "POST" in reply.json()["StatusCode"]["AdditionalInfo"]


async def test_invalid_evse_id_answers_022_with_the_pointer(hub: Hub) -> None:
    body = start_body(evse_id="not an evse")

    ack = await hub.ack(Operation.AUTHORIZE_REMOTE_START, body)

    assert ack["Result"] is False
    assert ack["StatusCode"]["Code"] == "022"
    assert "/EvseID" in ack["StatusCode"]["AdditionalInfo"]
    assert ack["SessionID"] == body["SessionID"]
    assert ack["EMPPartnerSessionID"] == "emp-1"


async def test_every_problem_is_listed_in_additional_info(hub: Hub) -> None:
    body = start_body(evse_id="bad", Identification={"RemoteIdentification": {"EvcoID": "x"}})

    ack = await hub.ack(Operation.AUTHORIZE_REMOTE_START, body)

    info = ack["StatusCode"]["AdditionalInfo"]
    assert "/EvseID" in info
    assert "/Identification/RemoteIdentification/EvcoID" in info


async def test_body_that_is_not_json_answers_022(hub: Hub) -> None:
    reply = await hub.send("POST", hub.url(Operation.AUTHORIZE_REMOTE_STOP), "{not json")

    ack = reply.json()
    assert reply.status == 200
    assert ack["Result"] is False
    assert ack["StatusCode"]["Code"] == "022"
    assert "not valid JSON" in ack["StatusCode"]["AdditionalInfo"]


async def test_path_provider_id_must_equal_body_provider_id(hub: Hub) -> None:
    body = stop_body(ProviderID="DE-ICE")  # DE*ICE in the path: equal only as strings counts

    ack = await hub.ack(Operation.AUTHORIZE_REMOTE_STOP, body)

    assert ack["StatusCode"]["Code"] == "022"
    assert "'DE*ICE'" in ack["StatusCode"]["AdditionalInfo"]
    assert "'DE-ICE'" in ack["StatusCode"]["AdditionalInfo"]


async def test_missing_session_id_on_remote_start_is_tolerated(hub: Hub) -> None:
    # Hubject's portal test tool forwards "SessionID": null (OICP 2.3 digest §2.1).
    ack = await hub.ack(Operation.AUTHORIZE_REMOTE_START, start_body() | {"SessionID": None})

    assert ack["Result"] is True
    assert ack["SessionID"] is None
