"""Writing a session's timeline: one entry per message, answered once the answer is known.

Every message about a SessionID goes here, whichever way it travels: the EMP's remote start
and stop (forwarded to the CPO), the CPO's notifications and CDR (forwarded to the EMP),
a CPO's authorization requests. The entry is written when the message arrives, so the
timeline keeps the order of arrival.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from oicp.messages import Acknowledgement
from simulator.session_model import JSON, Direction, EventAnswer, NewEvent, SessionState
from simulator.storage import SessionStore


def now() -> datetime:
    return datetime.now(UTC)


def new_event(
    operation: str, label: str, direction: Direction, sender: str, request: JSON
) -> NewEvent:
    """A timeline entry for a message that has just arrived."""
    return NewEvent(operation, label, direction, sender, request, now())


def ack_answer(ack: Acknowledgement, detail: str, forward_outcome: str | None) -> EventAnswer:
    """A timeline answer from the acknowledgement the sender got back, answered now."""
    return EventAnswer(
        response=ack.to_wire(explicit_nulls=True),
        result=ack.result,
        status_code=ack.status_code.code,
        detail=detail,
        answered_at=now(),
        forward_outcome=forward_outcome,
    )


class Timeline:
    """Adds entries and answers to the timelines in storage."""

    def __init__(self, sessions: SessionStore) -> None:
        self._sessions = sessions

    async def add(self, session_id: str, event: NewEvent) -> int:
        return await self._sessions.add_event(session_id, event)

    def queue_add(self, session_id: str, event: NewEvent) -> asyncio.Future[int]:
        """:meth:`add`, in line from this call on; the future is its commit, with its id."""
        return self._sessions.queue_event(session_id, event)

    async def answer(
        self,
        event_id: int,
        ack: Acknowledgement,
        detail: str,
        state: SessionState | None = None,
        *,
        forward_outcome: str | None = None,
        cpo_partner_session_id: str | None = None,
    ) -> None:
        """Answer message ``event_id`` with ``ack`` (now); ``forward_outcome`` says how its
        forwarding went, ``cpo_partner_session_id`` is kept if the session has none yet."""
        await self._sessions.answer(
            event_id, ack_answer(ack, detail, forward_outcome), state, cpo_partner_session_id
        )

    async def refused(self, session_id: str, event: NewEvent, ack: Acknowledgement) -> None:
        """Record a message the hub refused for a session it knows (a late notification on a
        dropped session, a second stop): the timeline is every message about the SessionID,
        and these are what a CPO developer most needs to see on it. Nothing was forwarded,
        and the session's state stays as it is."""
        event_id = await self.add(session_id, event)
        detail = f"refused by the hub: {ack.status_code.additional_info or ack.status_code.code}"
        await self.answer(event_id, ack, detail)

    async def answer_json(
        self,
        event_id: int,
        answer: EventAnswer,
        state: SessionState | None = None,
    ) -> None:
        await self._sessions.answer(event_id, answer, state)
