"""eRoamingAuthorizeStart/Stop from a CPO: Hubject authorizes offline, online or by broadcast.

OICP 2.3 CPO, eRoamingAuthorizeStart (digest §2.6, certificates digest §5):

1. offline: the identification is in authentication data an EMP uploaded to the HBS;
2. online: the EvcoID (QR code, Plug&Charge, remote) names the EMP, which is asked directly
   if it takes Online Requests;
3. broadcast: otherwise (an RFID card) every EMP under contract with the CPO that takes
   Online and Broadcast Requests is asked; one positive answer authorizes.

Only EMPs with an Authorization contract with the CPO take part (else 210). An unreachable
EMP counts as NotAuthorized. On success the hub opens a session and returns its SessionID.
"""

from __future__ import annotations

from dataclasses import dataclass

from oicp import status
from oicp.authorization import (
    AUTHORIZED,
    NOT_AUTHORIZED,
    AuthorizationStart,
    AuthorizationStop,
    AuthorizeStart,
    AuthorizeStop,
)
from oicp.identification import (
    Identification,
    RFIDMifareFamilyIdentification,
    identification_from_wire,
    identification_to_wire,
)
from oicp.identifiers import new_session_id
from oicp.limits import clip
from oicp.messages import StatusCode
from simulator.inbound.monitor import Monitor, Stopwatch, forward_outcome
from simulator.inbound.timeline import Timeline, new_event, now
from simulator.model import ServiceType
from simulator.partner_model import EMP, evco_of, identification_key
from simulator.partners.emp_answers import EMPAnswer, authorize
from simulator.partners.service import Partners
from simulator.session_model import (
    Direction,
    EventAnswer,
    Session,
    SessionKind,
    SessionState,
)
from simulator.storage import SessionStore


@dataclass(frozen=True)
class Decision:
    """The hub's verdict on an identification, and how it came to it."""

    provider_id: str | None
    code: str
    detail: str
    forwarded: str | None = None  # how asking the EMP(s) went (an Outcome value), if asked

    @property
    def authorized(self) -> bool:
        return self.provider_id is not None and self.code == status.SUCCESS


def _no(code: str, detail: str) -> Decision:
    return Decision(None, code, detail)


class Authorization:
    """Answers eRoamingAuthorizeStart and eRoamingAuthorizeStop."""

    def __init__(
        self, partners: Partners, sessions: SessionStore, timeline: Timeline, monitor: Monitor
    ) -> None:
        self._partners = partners
        self._sessions = sessions
        self._timeline = timeline
        self._monitor = monitor

    async def start(self, request: AuthorizeStart) -> AuthorizationStart:
        decision = await self.decide(request.operator_id, request.identification, request)
        if not decision.authorized or decision.provider_id is None:
            return AuthorizationStart(
                NOT_AUTHORIZED,
                StatusCode.for_code(decision.code, clip(decision.detail)),
                cpo_partner_session_id=request.cpo_partner_session_id,
                emp_partner_session_id=request.emp_partner_session_id,
            )
        known = None if request.session_id is None else await self._sessions.get(request.session_id)
        problem = _attach_problem(known, request, decision.provider_id)
        if problem is not None:
            return AuthorizationStart(
                NOT_AUTHORIZED,
                StatusCode.for_code(status.SESSION_INVALID, clip(problem)),
                session_id=request.session_id,
                cpo_partner_session_id=request.cpo_partner_session_id,
                emp_partner_session_id=request.emp_partner_session_id,
            )
        answer = AuthorizationStart(
            AUTHORIZED,
            StatusCode.for_code(status.SUCCESS, decision.detail),
            session_id=request.session_id or new_session_id(),
            cpo_partner_session_id=request.cpo_partner_session_id,
            emp_partner_session_id=request.emp_partner_session_id,
            provider_id=decision.provider_id,
        )
        await self._record_start(request, answer, decision, known)
        return answer

    async def _record_start(
        self,
        request: AuthorizeStart,
        answer: AuthorizationStart,
        decision: Decision,
        known: Session | None,
    ) -> None:
        assert answer.session_id is not None and answer.provider_id is not None
        event = new_event(
            request.operation.value,
            "authorize start",
            Direction.CPO_TO_EMP,
            request.operator_id,
            request.to_wire(),
        )
        if known is not None:
            event_id = await self._timeline.add(known.session_id, event)
        else:
            event_id = await self._sessions.create(self._session(request, answer), event)
        await self._timeline.answer_json(event_id, _answer(answer.to_wire(), decision))

    def _session(self, request: AuthorizeStart, answer: AuthorizationStart) -> Session:
        assert answer.session_id is not None and answer.provider_id is not None
        created = now()
        return Session(
            session_id=answer.session_id,
            kind=SessionKind.AUTHORIZATION,
            provider_id=answer.provider_id,
            operator_id=request.operator_id,
            evse_id=request.evse_id,
            state=SessionState.ACTIVE,
            created_at=created,
            updated_at=created,
            identification=identification_to_wire(request.identification),
            emp_partner_session_id=request.emp_partner_session_id,
            cpo_partner_session_id=request.cpo_partner_session_id,
        )

    async def decide(
        self,
        operator_id: str,
        identification: Identification,
        request: AuthorizeStart | AuthorizeStop | None = None,
    ) -> Decision:
        """Offline, then online to the EMP the EvcoID names, then broadcast.

        Each EMP asked is recorded in the Process Monitor with ``request`` (hub → EMP).
        """
        contracted = await self._contracted(operator_id)
        if not contracted:
            return _no(
                status.NO_VALID_CONTRACT,
                f"no EMP has an Authorization contract with CPO {operator_id}",
            )
        for emp in contracted:
            if emp.offline_authorization and emp.knows(identification) is not None:
                return Decision(emp.provider_id, status.SUCCESS, "authorized offline")
        evco = evco_of(identification)
        if evco is not None:
            return await self._online(operator_id, evco, identification, contracted, request)
        return self._broadcast(operator_id, identification, contracted, request)

    async def _contracted(self, operator_id: str) -> list[EMP]:
        contracts = await self._partners.contracts(operator_id=operator_id)
        ids = {c.provider_id for c in contracts if c.service_type is ServiceType.AUTHORIZATION}
        return [emp for emp in await self._partners.emps() if emp.provider_id in ids]

    async def _online(
        self,
        operator_id: str,
        evco: str,
        identification: Identification,
        contracted: list[EMP],
        request: AuthorizeStart | AuthorizeStop | None,
    ) -> Decision:
        emp = await self._partners.emp_of_evco(evco)
        if emp is None:
            return _no(status.PARTNER_NOT_FOUND, f"no EMP of the hub issued EvcoID {evco}")
        if emp.provider_id not in {e.provider_id for e in contracted}:
            return _no(
                status.NO_VALID_CONTRACT,
                f"EMP {emp.provider_id} (EvcoID {evco}) has no Authorization contract with "
                f"CPO {operator_id}",
            )
        if not emp.online_request:
            return _no(
                status.NO_POSITIVE_AUTHENTICATION_RESPONSE,
                f"EMP {emp.provider_id} takes no Online Requests and its offline data "
                "does not hold this identification",
            )
        answer = self._ask(emp, identification, request)
        forwarded = forward_outcome(answer)
        if answer.positive:
            return Decision(
                emp.provider_id, status.SUCCESS, "authorized online by the EMP", forwarded
            )
        return Decision(None, answer.code, answer.detail, forwarded)

    def _ask(
        self,
        emp: EMP,
        identification: Identification,
        request: AuthorizeStart | AuthorizeStop | None,
    ) -> EMPAnswer:
        """The EMP's answer, recorded as a hub → EMP exchange when there is a request."""
        watch = Stopwatch()
        answer = authorize(emp, identification)
        if request is not None:
            self._monitor.emp_call(
                request.operation.value,
                request.to_wire(),
                answer,
                started_at=watch.started_at,
                elapsed_ms=watch.elapsed_ms(),
                session_id=request.session_id,
                evse_id=request.evse_id,
            )
        return answer

    def _broadcast(
        self,
        operator_id: str,
        identification: Identification,
        contracted: list[EMP],
        request: AuthorizeStart | AuthorizeStop | None,
    ) -> Decision:
        asked = [e for e in contracted if e.online_request and e.broadcast_request]
        answers = [self._ask(emp, identification, request) for emp in asked]
        for answer in answers:
            if answer.positive:
                return Decision(
                    answer.provider_id,
                    status.SUCCESS,
                    "authorized by broadcast",
                    forward_outcome(answer),
                )
        heard = "; ".join(f"{a.provider_id}: {a.detail}" for a in answers) or "no EMP was asked"
        return _no(
            status.RFID_INVALID_UID
            if isinstance(identification, RFIDMifareFamilyIdentification)
            else status.NO_POSITIVE_AUTHENTICATION_RESPONSE,
            f"no EMP under contract with {operator_id} authorized the identification ({heard})",
        )

    async def stop(self, request: AuthorizeStop) -> AuthorizationStop:
        """Authorize ending the session: the same medium, or its EMP says yes."""
        session = await self._sessions.get(request.session_id)
        problem = _stop_problem(session, request)
        if problem is not None or session is None:
            code = StatusCode.for_code(status.SESSION_INVALID, clip(problem or ""))
            return AuthorizationStop(NOT_AUTHORIZED, code, request.session_id)
        decision = await self._stop_decision(session, request)
        answer = AuthorizationStop(
            AUTHORIZED if decision.authorized else NOT_AUTHORIZED,
            StatusCode.for_code(decision.code, clip(decision.detail)),
            session.session_id,
            request.cpo_partner_session_id,
            request.emp_partner_session_id,
            session.provider_id if decision.authorized else None,
        )
        event = new_event(
            request.operation.value,
            "authorize stop",
            Direction.CPO_TO_EMP,
            request.operator_id,
            request.to_wire(),
        )
        event_id = await self._timeline.add(session.session_id, event)
        state = SessionState.STOPPING if decision.authorized else None
        await self._timeline.answer_json(event_id, _answer(answer.to_wire(), decision), state)
        return answer

    async def _stop_decision(self, session: Session, request: AuthorizeStop) -> Decision:
        identification = request.identification
        started = session.identification
        if started is not None and identification_key(
            identification_from_wire(started)
        ) == identification_key(identification):
            return Decision(session.provider_id, status.SUCCESS, "the same medium as the start")
        emp = await self._partners.find_emp(session.provider_id)
        if emp is None or not emp.online_request:
            return _no(
                status.NO_POSITIVE_AUTHENTICATION_RESPONSE,
                "a session is stopped with the medium that started it (OICP 2.3 "
                "eRoamingAuthorizeStop), and its EMP cannot be asked online",
            )
        answer = self._ask(emp, identification, request)
        forwarded = forward_outcome(answer)
        if answer.positive:
            return Decision(
                emp.provider_id, status.SUCCESS, "authorized online by the EMP", forwarded
            )
        return Decision(None, answer.code, answer.detail, forwarded)


def _stop_problem(session: Session | None, request: AuthorizeStop) -> str | None:
    sid = request.session_id
    if session is None:
        return f"SessionID {sid} is unknown to the hub"
    if session.operator_id != request.operator_id:
        return f"SessionID {sid} belongs to another CPO, not to {request.operator_id}"
    if not session.state.open:
        return f"SessionID {sid} is {session.state.value}"
    return None


def _answer(response: dict[str, object], decision: Decision) -> EventAnswer:
    return EventAnswer(
        response,
        decision.authorized,
        decision.code,
        decision.detail,
        answered_at=now(),
        forward_outcome=decision.forwarded,
    )


def _attach_problem(known: Session | None, request: AuthorizeStart, provider_id: str) -> str | None:
    """Why an authorization may not join the session its SessionID names, or None.

    A SessionID is a capability only for the parties of its session: a CPO that could attach
    an authorization to another provider's session, by naming its SessionID, would write into
    that provider's timeline and CDR (OICP 2.3 CP §Session handling: the SessionID binds the
    requests of one session).
    """
    if known is None:
        return None
    sid = known.session_id
    if known.operator_id != request.operator_id:
        return f"SessionID {sid} belongs to CPO {known.operator_id}, not {request.operator_id}"
    if known.provider_id != provider_id:
        return (
            f"SessionID {sid} is a session of EMP {known.provider_id}, while this authorization "
            f"is {provider_id}'s; leave SessionID out to open a new session"
        )
    return None
