"""Charging notifications and CDRs from a CPO: checked against the session, then forwarded.

- Notifications (OICP 2.3 CPO, eRoamingChargingNotifications): "Hubject will forward Start,
  Progress, End and Error notification requests to the EMP. The EMP responds with an
  eRoamingAcknowledgement. This acknowledgement is then being forwarded to the CPO."
- CDRs (eRoamingChargeDetailRecord; figure eRoamingReservation): the hub checks the session
  (exists and contains the requesting CPO, else 400), accepts one CDR per SessionID, stores
  it, closes the session and forwards it to the EMP; the CPO gets a positive answer even if
  the EMP cannot be reached, once the CDR is stored.

An unknown SessionID gets "a negative response and no further processing" (OICP 2.3,
01_CPO_Communication_Paradigms, session handling): 400 "Session is invalid".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from oicp import status
from oicp.cdr import ChargeDetailRecord, plausibility_problems
from oicp.limits import clip
from oicp.messages import Acknowledgement, StatusCode
from oicp.notifications import END, START, ChargingNotification
from oicp.validation import summarise
from simulator.inbound.monitor import Monitor, Stopwatch, forward_outcome
from simulator.inbound.replies import negative
from simulator.inbound.timeline import Timeline, new_event
from simulator.partners.emp_answers import EMPAnswer, acknowledge
from simulator.partners.service import Partners
from simulator.session_model import Direction, NewEvent, Session, SessionState
from simulator.storage import SessionStore


def session_problem(session: Session | None, session_id: str, operator_id: str) -> str | None:
    """Why ``operator_id`` may not report on ``session_id`` (400), or None."""
    if session is None:
        return (
            f"SessionID {session_id} is unknown to the hub; use the SessionID Hubject sent "
            "with the remote start or returned from the authorization"
        )
    if session.operator_id != operator_id:
        return f"SessionID {session_id} belongs to CPO {session.operator_id}, not {operator_id}"
    if session.state is SessionState.DROPPED:
        return f"SessionID {session_id} was dropped (its start was refused or failed)"
    return None


def cdr_detail(answer: EMPAnswer) -> str:
    """The CDR's timeline note: stored, and whether the EMP got it."""
    if answer.positive:
        return f"stored; forwarded to the EMP {answer.provider_id}, which acknowledged it"
    return (
        f"stored, but not delivered to the EMP {answer.provider_id}: {answer.detail}; "
        "the CPO still gets Result true, as Hubject answers once the CDR is stored"
    )


def _state_after(state: SessionState, kind: str) -> SessionState | None:
    """Start confirms a pending session; End ends it; Progress and Error change nothing."""
    if kind == START and state is SessionState.PENDING:
        return SessionState.ACTIVE
    return SessionState.ENDED if kind == END else None


class Charging:
    """Answers charging notifications and CDRs."""

    def __init__(
        self, partners: Partners, sessions: SessionStore, timeline: Timeline, monitor: Monitor
    ) -> None:
        self._partners = partners
        self._sessions = sessions
        self._timeline = timeline
        self._monitor = monitor

    async def _forward_to_emp(
        self, session: Session, what: str, operation: str, body: dict[str, Any]
    ) -> EMPAnswer:
        """Forward to the session's EMP and record the exchange in the Process Monitor."""
        watch = Stopwatch()
        emp = await self._partners.find_emp(session.provider_id)
        if emp is None:
            answer = EMPAnswer(
                session.provider_id,
                False,
                status.PARTNER_NOT_FOUND,
                f"EMP {session.provider_id} is no longer configured",
            )
        else:
            answer = acknowledge(emp, what)
        self._monitor.emp_call(
            operation,
            body,
            answer,
            started_at=watch.started_at,
            elapsed_ms=watch.elapsed_ms(),
            session_id=session.session_id,
            evse_id=session.evse_id,
        )
        return answer

    async def notification(
        self, operator_id: str, notification: ChargingNotification
    ) -> Acknowledgement:
        sid = notification.session_id
        label = f"notification {notification.type}"
        event = new_event(
            notification.operation.value,
            label,
            Direction.CPO_TO_EMP,
            operator_id,
            notification.to_wire(),
        )
        session = await self._sessions.get(sid)
        problem = session_problem(session, sid, operator_id)
        if problem is None and session is not None and not session.state.open:
            problem = f"SessionID {sid} is closed: its CDR has been received"
        if problem is not None or session is None:
            return await self._refuse(
                sid, session, operator_id, event, status.SESSION_INVALID, problem
            )
        event_id = await self._timeline.add(sid, event)
        answer = await self._forward_to_emp(
            session, label, notification.operation.value, event.request
        )
        ack = Acknowledgement(
            answer.positive,
            StatusCode.for_code(answer.code, clip(answer.detail)),
            sid,
            notification.cpo_partner_session_id,
            notification.emp_partner_session_id,
        )
        state = _state_after(session.state, notification.type) if answer.positive else None
        await self._timeline.answer(
            event_id,
            ack,
            answer.detail,
            state,
            forward_outcome=forward_outcome(answer),
            cpo_partner_session_id=notification.cpo_partner_session_id,
        )
        return ack

    async def cdr(self, operator_id: str, cdr: ChargeDetailRecord) -> Acknowledgement:
        sid = cdr.session_id
        event = new_event(
            cdr.operation.value, "CDR", Direction.CPO_TO_EMP, operator_id, cdr.to_wire()
        )
        session = await self._sessions.get(sid)
        problem = session_problem(session, sid, operator_id) or await self._duplicate(sid)
        if problem is not None or session is None:
            return await self._refuse(
                sid, session, operator_id, event, status.SESSION_INVALID, problem
            )
        implausible = plausibility_problems(cdr, datetime.now(UTC))
        if implausible:
            return await self._refuse(
                sid, session, operator_id, event, status.DATA_ERROR, summarise(implausible)
            )
        event_id = await self._timeline.add(sid, event)
        if not await self._sessions.store_cdr(sid, operator_id, cdr.to_wire()):
            ack = negative(status.SESSION_INVALID, await self._duplicate(sid) or "", sid)
            await self._timeline.answer(event_id, ack, "duplicate CDR")
            return ack
        answer = await self._forward_to_emp(session, "CDR", cdr.operation.value, event.request)
        ack = Acknowledgement(
            True,
            StatusCode.for_code(status.SUCCESS),
            sid,
            cdr.cpo_partner_session_id,
            cdr.emp_partner_session_id,
        )
        await self._timeline.answer(
            event_id,
            ack,
            cdr_detail(answer),
            forward_outcome=forward_outcome(answer),
            cpo_partner_session_id=cdr.cpo_partner_session_id,
        )
        return ack

    async def _refuse(
        self,
        sid: str,
        session: Session | None,
        operator_id: str,
        event: NewEvent,
        code: str,
        problem: str | None,
    ) -> Acknowledgement:
        """The negative answer; on the session's timeline too when the session is this
        CPO's own (an unknown one has no timeline, another CPO's is not this CPO's to add
        to)."""
        ack = negative(code, problem or "", sid)
        if session is not None and session.operator_id == operator_id:
            await self._timeline.refused(sid, event, ack)
        return ack

    async def _duplicate(self, session_id: str) -> str | None:
        stored = await self._sessions.get_cdr(session_id)
        if stored is None:
            return None
        return (
            f"a CDR for SessionID {session_id} was already accepted at "
            f"{stored.received_at.isoformat()}; Hubject accepts only one CDR per SessionID"
        )
