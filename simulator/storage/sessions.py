"""Sessions, their timelines and their CDRs, in SQLite.

A timeline message is stored when it arrives and gets its answer later
(:meth:`SessionStore.answer`), so the timeline's order is the order in which the hub
received the messages, even when a CPO's notification overtakes the answer to the remote
start that caused it.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simulator.session_model import (
    Direction,
    EventAnswer,
    NewEvent,
    Session,
    SessionKind,
    SessionState,
    TimelineEvent,
)
from simulator.storage.codec import now_utc, time_from_text, time_to_text
from simulator.storage.database import Database


@dataclass(frozen=True)
class StoredCDR:
    """A CDR the hub accepted, as the CPO sent it."""

    session_id: str
    operator_id: str
    record: dict[str, Any]
    received_at: datetime


class SessionStore:
    """Sessions by SessionID, one timeline each, and at most one CDR each.

    Sessions and their timelines are traffic, like the exchange log: they are written with
    ``durable=False`` (WAL with ``synchronous=NORMAL``: a killed hub loses nothing, a power
    cut may lose the last commits). Synced at every commit, the two writes of each remote
    start took turns on the storage thread for an fsync each and bounded the EMP path. A CDR
    stays durable: it is billing data, and one per session.
    """

    def __init__(self, database: Database) -> None:
        self._database = database

    async def create(self, session: Session, first: NewEvent) -> int:
        """Store a new session with its first timeline message; return the message's id."""
        return await self.queue_create(session, first)

    def queue_create(self, session: Session, first: NewEvent) -> asyncio.Future[int]:
        """:meth:`create`, in line from this call on (every later read sees the session);
        the future is its commit, with the message's id."""
        return self._database.queue_write(lambda c: create_session(c, session, first))

    async def get(self, session_id: str) -> Session | None:
        return await self._database.read(lambda c: get_session(c, session_id))

    async def list_sessions(
        self, *, limit: int = 100, operator_id: str | None = None, provider_id: str | None = None
    ) -> list[Session]:
        """The newest sessions first."""
        return await self._database.read(
            lambda c: list_sessions(c, limit, operator_id, provider_id)
        )

    async def add_event(self, session_id: str, event: NewEvent) -> int:
        """Append a message to the session's timeline; return its id."""
        return await self.queue_event(session_id, event)

    def queue_event(self, session_id: str, event: NewEvent) -> asyncio.Future[int]:
        """:meth:`add_event`, in line from this call on; the future is its commit."""
        return self._database.queue_write(lambda c: add_event(c, session_id, event))

    async def answer(
        self,
        event_id: int,
        answer: EventAnswer,
        state: SessionState | None = None,
        cpo_partner_session_id: str | None = None,
    ) -> None:
        """Record how message ``event_id`` was answered, and the session's new state.

        A ``cpo_partner_session_id`` is kept on the session unless it already has one: the
        first CPOPartnerSessionID the CPO gives is the session's (in the same transaction).
        """
        await self._database.write(
            lambda c: answer_event(c, event_id, answer, state, cpo_partner_session_id),
            durable=False,
        )

    async def set_state(self, session_id: str, state: SessionState) -> None:
        await self._database.write(lambda c: set_state(c, session_id, state), durable=False)

    async def timeline(self, session_id: str) -> list[TimelineEvent]:
        """Every message of the session, in the order the hub received them."""
        return await self._database.read(lambda c: timeline(c, session_id))

    async def store_cdr(self, session_id: str, operator_id: str, record: dict[str, Any]) -> bool:
        """Keep the session's CDR and close the session; False if it already has one."""
        return await self._database.write(lambda c: store_cdr(c, session_id, operator_id, record))

    async def get_cdr(self, session_id: str) -> StoredCDR | None:
        return await self._database.read(lambda c: get_cdr(c, session_id))


def create_session(connection: sqlite3.Connection, session: Session, first: NewEvent) -> int:
    connection.execute(
        """
        INSERT INTO sessions (session_id, kind, provider_id, operator_id, evse_id, state,
                              identification, emp_partner_session_id, cpo_partner_session_id,
                              created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            session.session_id,
            session.kind.value,
            session.provider_id,
            session.operator_id,
            session.evse_id,
            session.state.value,
            None if session.identification is None else json.dumps(session.identification),
            session.emp_partner_session_id,
            session.cpo_partner_session_id,
            time_to_text(session.created_at, "created_at"),
            time_to_text(session.updated_at, "updated_at"),
        ),
    )
    return add_event(connection, session.session_id, first)


def get_session(connection: sqlite3.Connection, session_id: str) -> Session | None:
    row = connection.execute(
        "SELECT * FROM sessions WHERE session_id = ?", (session_id,)
    ).fetchone()
    return None if row is None else _session(row)


def list_sessions(
    connection: sqlite3.Connection, limit: int, operator_id: str | None, provider_id: str | None
) -> list[Session]:
    rows = connection.execute(
        """
        SELECT * FROM sessions
        WHERE (? IS NULL OR operator_id = ?) AND (? IS NULL OR provider_id = ?)
        ORDER BY created_at DESC, rowid DESC LIMIT ?
        """,
        (operator_id, operator_id, provider_id, provider_id, limit),
    ).fetchall()
    return [_session(row) for row in rows]


def _session(row: sqlite3.Row) -> Session:
    ident = row["identification"]
    return Session(
        session_id=row["session_id"],
        kind=SessionKind(row["kind"]),
        provider_id=row["provider_id"],
        operator_id=row["operator_id"],
        evse_id=row["evse_id"],
        state=SessionState(row["state"]),
        created_at=time_from_text(row["created_at"]),
        updated_at=time_from_text(row["updated_at"]),
        identification=None if ident is None else json.loads(ident),
        emp_partner_session_id=row["emp_partner_session_id"],
        cpo_partner_session_id=row["cpo_partner_session_id"],
    )


def add_event(connection: sqlite3.Connection, session_id: str, event: NewEvent) -> int:
    cursor = connection.execute(
        """
        INSERT INTO session_events (session_id, at, operation, label, direction, sender,
                                    request, detail)
        VALUES (?, ?, ?, ?, ?, ?, ?, '')
        """,
        (
            session_id,
            time_to_text(event.at, "at"),
            event.operation,
            event.label,
            event.direction.value,
            event.sender,
            json.dumps(event.request),
        ),
    )
    return int(cursor.lastrowid or 0)


def answer_event(
    connection: sqlite3.Connection,
    event_id: int,
    answer: EventAnswer,
    state: SessionState | None,
    cpo_partner_session_id: str | None = None,
) -> None:
    answered_at = answer.answered_at
    connection.execute(
        "UPDATE session_events SET response = ?, result = ?, status_code = ?, detail = ?, "
        "answered_at = ?, forward_outcome = ? WHERE event_id = ?",
        (
            None if answer.response is None else json.dumps(answer.response),
            answer.result,
            answer.status_code,
            answer.detail,
            None if answered_at is None else time_to_text(answered_at, "answered_at"),
            answer.forward_outcome,
            event_id,
        ),
    )
    if state is None and cpo_partner_session_id is None:
        return
    # One statement for the session (this runs for every remote start): the first
    # CPOPartnerSessionID is kept, and updated_at moves only with the state.
    connection.execute(
        "UPDATE sessions SET "
        "cpo_partner_session_id = coalesce(cpo_partner_session_id, :cpo), "
        "state = coalesce(:state, state), "
        "updated_at = CASE WHEN :state IS NULL THEN updated_at ELSE :at END "
        "WHERE session_id = (SELECT session_id FROM session_events WHERE event_id = :event)",
        {
            "cpo": cpo_partner_session_id,
            "state": None if state is None else state.value,
            "at": time_to_text(now_utc(), "updated_at"),
            "event": event_id,
        },
    )


def set_state(connection: sqlite3.Connection, session_id: str, state: SessionState) -> None:
    connection.execute(
        "UPDATE sessions SET state = ?, updated_at = ? WHERE session_id = ?",
        (state.value, time_to_text(now_utc(), "updated_at"), session_id),
    )


def timeline(connection: sqlite3.Connection, session_id: str) -> list[TimelineEvent]:
    rows = connection.execute(
        "SELECT * FROM session_events WHERE session_id = ? ORDER BY event_id", (session_id,)
    ).fetchall()
    return [_event(row) for row in rows]


def _event(row: sqlite3.Row) -> TimelineEvent:
    event = NewEvent(
        operation=row["operation"],
        label=row["label"],
        direction=Direction(row["direction"]),
        sender=row["sender"],
        request=json.loads(row["request"]),
        at=time_from_text(row["at"]),
    )
    answered = row["response"] is not None or row["detail"]
    answer = (
        EventAnswer(
            response=None if row["response"] is None else json.loads(row["response"]),
            result=None if row["result"] is None else bool(row["result"]),
            status_code=row["status_code"],
            detail=row["detail"],
            answered_at=None if row["answered_at"] is None else time_from_text(row["answered_at"]),
            forward_outcome=row["forward_outcome"],
        )
        if answered
        else None
    )
    return TimelineEvent(int(row["event_id"]), row["session_id"], event, answer)


def store_cdr(
    connection: sqlite3.Connection, session_id: str, operator_id: str, record: dict[str, Any]
) -> bool:
    cursor = connection.execute(
        "INSERT OR IGNORE INTO cdrs (session_id, operator_id, record, received_at) "
        "VALUES (?, ?, ?, ?)",
        (session_id, operator_id, json.dumps(record), time_to_text(now_utc(), "received_at")),
    )
    if cursor.rowcount == 0:
        return False
    set_state(connection, session_id, SessionState.CLOSED)
    return True


def get_cdr(connection: sqlite3.Connection, session_id: str) -> StoredCDR | None:
    row = connection.execute("SELECT * FROM cdrs WHERE session_id = ?", (session_id,)).fetchone()
    if row is None:
        return None
    return StoredCDR(
        session_id=row["session_id"],
        operator_id=row["operator_id"],
        record=json.loads(row["record"]),
        received_at=time_from_text(row["received_at"]),
    )
