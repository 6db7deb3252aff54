"""Arranging the stub: expectations with permanent, one-shot and ordered lifetimes."""

from __future__ import annotations

from cpo_stub import Behaviour, Reject
from hubsim.pytest_plugin import Hubsim
from oicp import Operation, RemoteRequest


async def test_permanent_expectation_answers_every_matching_request(hubsim: Hubsim) -> None:
    busy = hubsim.stub.expect(evse_id="DE*ABC*E0001").respond_with_code("602")
    codes = [(await hubsim.send("remote-start", "DE*ABC*E0001")).status_code for _ in range(2)]
    assert codes == ["602", "602"]
    assert busy.call_count == 2


async def test_oneshot_expectation_answers_once_then_the_stub_decides(hubsim: Hubsim) -> None:
    hubsim.stub.expect_oneshot(evse_id="DE*ABC*E0001").respond_with_code("700")
    first = await hubsim.send("remote-start", "DE*ABC*E0001")
    second = await hubsim.send("remote-start", "DE*ABC*E0001")
    assert (first.status_code, second.status_code) == ("700", "000")


async def test_ordered_expectations_answer_in_declared_order(hubsim: Hubsim) -> None:
    hubsim.stub.expect_ordered("DE*ABC*E0001").respond_with_code("501")
    hubsim.stub.expect_ordered("DE*ABC*E0001").respond_with_code("700")
    first = await hubsim.send("remote-start", "DE*ABC*E0001")
    second = await hubsim.send("remote-start", "DE*ABC*E0001")
    assert (first.status_code, second.status_code) == ("501", "700")


async def test_expectation_matches_only_its_operation(hubsim: Hubsim) -> None:
    stop = hubsim.stub.expect(operation="remote-stop").respond_with_code("400")
    start = await hubsim.send("remote-start", "DE*ABC*E0001")
    refused = await hubsim.send("remote-stop", "DE*ABC*E0001", session_id=start.session_id)
    assert (start.status_code, refused.status_code) == ("000", "400")
    assert [call.operation for call in stop.calls] == [Operation.AUTHORIZE_REMOTE_STOP]


async def test_expectation_matches_the_session_id(hubsim: Hubsim) -> None:
    start = await hubsim.send("remote-start", "DE*ABC*E0001")
    assert start.session_id is not None
    hubsim.stub.expect(session_id=start.session_id).respond_with_code("501")
    stop = await hubsim.send("remote-stop", "DE*ABC*E0001", session_id=start.session_id)
    assert stop.status_code == "501"


async def test_delay_then_answer_as_arranged(hubsim: Hubsim) -> None:
    hubsim.stub.expect_oneshot("DE*ABC*E0001").delay(0.01).respond_with_code("602")
    exchange = await hubsim.send("remote-start", "DE*ABC*E0001")
    assert exchange.status_code == "602"
    assert hubsim.stub.last.behaviour == "delay 0.01s then reject 602"


async def test_drop_closes_the_connection_without_answering(hubsim: Hubsim) -> None:
    hubsim.stub.expect_oneshot("DE*ABC*E0001").drop()
    exchange = await hubsim.send("remote-start", "DE*ABC*E0001")
    assert exchange.outcome.value == "connection_closed"


async def test_responder_function_chooses_the_answer(hubsim: Hubsim) -> None:
    def by_contract(request: RemoteRequest) -> Behaviour:
        return Reject("210") if request.provider_id == "DE*XYZ" else Reject("602")

    hubsim.stub.expect("DE*ABC*E0001").respond_with(by_contract)
    other = await hubsim.send("remote-start", "DE*ABC*E0001", provider_id="DE*XYZ")
    ours = await hubsim.send("remote-start", "DE*ABC*E0001")
    assert (other.status_code, ours.status_code) == ("210", "602")
