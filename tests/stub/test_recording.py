"""What the stub records, and how tests and other suites read it back."""

from __future__ import annotations

import json

import pytest

from cpo_stub import CPOStub, EvseStatus, NoRequestsError, Reject
from oicp.identifiers import new_session_id
from oicp.operations import Operation
from tests.stub.support import EVSE, OTHER_EVSE, PROVIDER_ID, Hub, start_body


async def test_each_request_is_recorded_with_what_identifies_it(hub: Hub, stub: CPOStub) -> None:
    body = start_body()

    await hub.ack(Operation.AUTHORIZE_REMOTE_START, body)

    record = stub.last
    assert record.operation is Operation.AUTHORIZE_REMOTE_START
    assert record.provider_id == PROVIDER_ID
    assert record.evse_id == EVSE
    assert record.session_id == body["SessionID"]
    assert record.body == body
    assert record.response_status == 200
    assert record.behaviour == "accept"
    assert record.response_body is not None
    assert json.loads(record.response_body)["Result"] is True


async def test_the_client_certificate_subject_is_recorded(hub: Hub, stub: CPOStub) -> None:
    await hub.remote_start()

    assert stub.last.client_subject is not None
    assert "CN=service-qa.hubject.com" in stub.last.client_subject


async def test_requests_filter_by_operation_and_evse(hub: Hub, stub: CPOStub) -> None:
    session = new_session_id()
    await hub.remote_start(EVSE, session)
    await hub.remote_start(OTHER_EVSE)
    await hub.remote_stop(EVSE, session)

    assert len(stub.requests()) == 3
    assert len(stub.requests(evse_id=EVSE)) == 2
    assert len(stub.requests(operation=Operation.AUTHORIZE_REMOTE_STOP)) == 1
    assert stub.requests(Operation.AUTHORIZE_REMOTE_START, OTHER_EVSE)[0].evse_id == OTHER_EVSE


async def test_invalid_requests_are_recorded_too(hub: Hub, stub: CPOStub) -> None:
    await hub.send("POST", hub.url(Operation.AUTHORIZE_REMOTE_START), "{broken")

    assert stub.last.body is None
    assert stub.last.raw_body == "{broken"
    assert stub.last.behaviour == "invalid request"


async def test_a_body_that_is_not_utf8_is_kept_as_text_without_a_parsed_body(
    hub: Hub, stub: CPOStub
) -> None:
    # With the bad byte replaced, the text would parse as JSON; the body still was not JSON.
    await hub.send("POST", hub.url(Operation.AUTHORIZE_REMOTE_START), b'{"EvseID": "\xff"}')

    assert stub.last.raw_body == '{"EvseID": "\ufffd"}'
    assert stub.last.body is None
    assert stub.last.behaviour == "invalid request"


def test_last_without_requests_says_so(stub: CPOStub) -> None:
    with pytest.raises(NoRequestsError, match="not received any request"):
        _ = stub.last


async def test_clear_forgets_records_state_and_evse_behaviours(hub: Hub, stub: CPOStub) -> None:
    stub.set_behaviour(Reject("700"), evse_id=OTHER_EVSE)
    await hub.remote_start(EVSE)

    stub.clear()

    assert stub.records == []
    assert stub.evse_state(EVSE).status is EvseStatus.AVAILABLE
    assert (await hub.remote_start(OTHER_EVSE))["Result"] is True


async def test_requests_page_on_the_tls_port_lists_requests_under_any_prefix(
    hub: Hub, stub: CPOStub
) -> None:
    body = start_body()
    await hub.ack(Operation.AUTHORIZE_REMOTE_START, body)

    reply = await hub.send("GET", stub.url + "/any/prefix/_stub/requests")

    page = reply.json()
    assert reply.status == 200
    assert [r["SessionID"] for r in page["requests"]] == [body["SessionID"]]
    assert page["requests"][0]["operation"] == "eRoamingAuthorizeRemoteStart"
    assert page["handshake_failures"] == []


async def test_wait_for_requests_returns_once_they_arrived(hub: Hub, stub: CPOStub) -> None:
    await hub.remote_start()

    records = await stub.wait_for_requests(1)

    assert records[0].evse_id == EVSE
