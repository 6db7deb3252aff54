"""The EVSE state rules (available, reserved, charging) the stub applies to accepted requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cpo_stub import CPOStub, EvseStatus, Reject
from cpo_stub.state import EvseBook
from oicp.identifiers import new_session_id
from oicp.operations import Operation
from tests.stub.support import EVSE, OTHER_EVSE, Hub, start_body


async def test_second_reservation_on_a_reserved_evse_answers_601(hub: Hub) -> None:
    await hub.reserve()

    ack = await hub.reserve()

    assert ack["Result"] is False
    assert ack["StatusCode"]["Code"] == "601"


async def test_reservation_on_a_charging_evse_answers_602(hub: Hub) -> None:
    await hub.remote_start()

    ack = await hub.reserve()

    assert ack["StatusCode"]["Code"] == "602"


async def test_remote_start_on_a_charging_evse_answers_602(hub: Hub) -> None:
    await hub.remote_start()

    ack = await hub.remote_start()

    assert ack["Result"] is False
    assert ack["StatusCode"]["Code"] == "602"


async def test_remote_start_on_an_evse_reserved_under_another_session_answers_602(
    hub: Hub,
) -> None:
    await hub.reserve(session_id=new_session_id())

    ack = await hub.remote_start(session_id=new_session_id())

    assert ack["StatusCode"]["Code"] == "602"


async def test_remote_start_under_the_reservation_session_is_accepted(
    hub: Hub, stub: CPOStub
) -> None:
    session = new_session_id()
    reserved = await hub.reserve(session_id=session)

    started = await hub.remote_start(session_id=session)

    assert started["Result"] is True
    assert started["CPOPartnerSessionID"] == reserved["CPOPartnerSessionID"]
    assert stub.evse_state(EVSE).status is EvseStatus.CHARGING


async def test_remote_stop_for_an_unknown_session_answers_400(hub: Hub) -> None:
    ack = await hub.remote_stop(session_id=new_session_id())

    assert ack["Result"] is False
    assert ack["StatusCode"]["Code"] == "400"


async def test_reservation_stop_for_an_unknown_session_answers_400(hub: Hub) -> None:
    ack = await hub.cancel_reservation(session_id=new_session_id())

    assert ack["StatusCode"]["Code"] == "400"


async def test_remote_stop_for_a_session_on_another_evse_answers_400(hub: Hub) -> None:
    session = new_session_id()
    await hub.remote_start(EVSE, session)

    ack = await hub.remote_stop(OTHER_EVSE, session)

    assert ack["StatusCode"]["Code"] == "400"


async def test_remote_stop_ends_charging_and_frees_the_evse(hub: Hub, stub: CPOStub) -> None:
    session = new_session_id()
    started = await hub.remote_start(session_id=session)

    stopped = await hub.remote_stop(session_id=session)

    assert stopped["Result"] is True
    assert stopped["CPOPartnerSessionID"] == started["CPOPartnerSessionID"]
    assert stub.evse_state(EVSE).status is EvseStatus.AVAILABLE


async def test_reservation_stop_frees_the_evse(hub: Hub, stub: CPOStub) -> None:
    session = new_session_id()
    await hub.reserve(session_id=session)
    assert stub.evse_state(EVSE).status is EvseStatus.RESERVED

    stopped = await hub.cancel_reservation(session_id=session)

    assert stopped["Result"] is True
    assert stub.evse_state(EVSE).status is EvseStatus.AVAILABLE


async def test_a_configured_reject_wins_over_the_state_rules(hub: Hub, stub: CPOStub) -> None:
    stub.set_behaviour(Reject("700"), evse_id=EVSE)

    ack = await hub.remote_start()

    assert ack["StatusCode"]["Code"] == "700"
    assert stub.evse_state(EVSE).status is EvseStatus.AVAILABLE


async def test_unknown_evse_answers_603_when_known_evses_are_configured(
    hub: Hub, stub: CPOStub
) -> None:
    stub.set_known_evses([EVSE])

    known = await hub.remote_start(EVSE)
    unknown = await hub.remote_start(OTHER_EVSE)

    assert known["Result"] is True
    assert unknown["StatusCode"]["Code"] == "603"


async def test_rejected_start_leaves_no_cpo_partner_session_id(hub: Hub) -> None:
    await hub.remote_start()

    ack = await hub.ack(Operation.AUTHORIZE_REMOTE_START, start_body(EVSE))

    assert ack["Result"] is False
    assert ack["CPOPartnerSessionID"] is None


def test_reservation_expires_after_its_duration() -> None:
    now = [datetime(2024, 1, 1, 12, 0, tzinfo=UTC)]
    book = EvseBook(clock=lambda: now[0])
    book.reservation_start(EVSE, new_session_id(), duration_minutes=10)

    now[0] += timedelta(minutes=10)

    assert book.state(EVSE).status is EvseStatus.AVAILABLE


async def test_evse_configured_as_unknown_answers_603(hub: Hub, stub: CPOStub) -> None:
    stub.set_unknown_evses([OTHER_EVSE])

    assert (await hub.remote_start(OTHER_EVSE))["StatusCode"]["Code"] == "603"
    assert (await hub.remote_start(EVSE))["Result"] is True
