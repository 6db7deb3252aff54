"""The inbound side's SQLite tables (schema version 3): partners, EVSE data, sessions, CDRs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oicp.identification import RFIDMifareFamilyIdentification
from simulator.model import Operator, ServiceType
from simulator.partner_model import EMP, Contract
from simulator.session_model import (
    Direction,
    EventAnswer,
    NewEvent,
    Session,
    SessionKind,
    SessionState,
)
from simulator.storage import Storage

SESSION = "b2688855-7f00-0002-6d8e-48d883f6abb6"


def _session() -> Session:
    now = datetime.now(UTC)
    return Session(
        SESSION, SessionKind.REMOTE, "DE-ICE", "DE*ABC", "DE*ABC*E1", SessionState.PENDING, now, now
    )


def _event(label: str) -> NewEvent:
    return NewEvent(
        "op", label, Direction.EMP_TO_CPO, "DE-ICE", {"SessionID": SESSION}, datetime.now(UTC)
    )


async def test_sessions_timelines_and_cdrs_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite"
    async with await Storage.open(path) as storage:
        first = await storage.sessions.create(_session(), _event("remote start"))
        answer = EventAnswer(
            {"Result": True}, True, "000", "ok", datetime.now(UTC), forward_outcome="accepted"
        )
        await storage.sessions.answer(first, answer, SessionState.ACTIVE, "cpo-session-1")
        await storage.sessions.add_event(SESSION, _event("CDR"))
        await storage.sessions.store_cdr(SESSION, "DE*ABC", {"SessionID": SESSION})

    async with await Storage.open(path) as storage:
        session = await storage.sessions.get(SESSION)
        timeline = await storage.sessions.timeline(SESSION)
        cdr = await storage.sessions.get_cdr(SESSION)

    assert session is not None and session.state is SessionState.CLOSED
    assert session.cpo_partner_session_id == "cpo-session-1"
    assert [e.event.label for e in timeline] == ["remote start", "CDR"]
    assert timeline[0].answer == answer
    assert timeline[1].answer is None
    assert cdr is not None and cdr.record == {"SessionID": SESSION}


async def test_the_store_keeps_one_cdr_per_session() -> None:
    async with await Storage.open(":memory:") as storage:
        await storage.sessions.create(_session(), _event("remote start"))

        first = await storage.sessions.store_cdr(SESSION, "DE*ABC", {"n": 1})
        second = await storage.sessions.store_cdr(SESSION, "DE*ABC", {"n": 2})
        stored = await storage.sessions.get_cdr(SESSION)

    assert (first, second) == (True, False)
    assert stored is not None and stored.record == {"n": 1}


async def test_deleting_an_emp_deletes_its_contracts_and_authentication_data() -> None:
    async with await Storage.open(":memory:") as storage:
        await storage.upsert_operator(Operator("DE*ABC"))
        card = RFIDMifareFamilyIdentification("7568290FFF765F")
        await storage.partners.put_emp(EMP("DE-ICE", authentication_data=(card,)))
        await storage.partners.set_contracts(
            "DE-ICE", [Contract("DE-ICE", "DE*ABC", ServiceType.AUTHORIZATION)]
        )
        stored = await storage.partners.get_emp("DE-ICE")

        await storage.partners.delete_emp("DE-ICE")

        assert stored is not None and stored.authentication_data == (card,)
        assert await storage.partners.contracts() == []
        assert await storage.partners.get_emp("DE-ICE") is None


async def test_deleting_an_operator_deletes_its_contracts_and_sub_operators() -> None:
    async with await Storage.open(":memory:") as storage:
        await storage.upsert_operator(Operator("DE*ABC"))
        await storage.partners.put_emp(EMP("DE-ICE"))
        await storage.partners.set_contracts(
            "DE-ICE", [Contract("DE-ICE", "DE*ABC", ServiceType.RESERVATION)]
        )
        await storage.partners.set_sub_operators("DE*ABC", ["DE*SUB"])

        await storage.delete_operator("DE*ABC")

        assert await storage.partners.contracts() == []
        assert await storage.partners.sub_operators() == {}
