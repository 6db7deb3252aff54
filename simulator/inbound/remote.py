"""Remote start/stop and reservations from an EMP: Hubject's checks, then the CPO's answer.

The order of the checks is Hubject's (OICP 2.3 CPO, figures eRoamingAuthorizeRemoteStart
and eRoamingAuthorizeRemoteReservationStart; digest §5):

1. the partners exist (300) — the requesting EMP is checked before this module is called;
2. a valid contract between the EMP and the CPO for the service type (210);
3. if the CPO has uploaded EVSE data: the EvseID is known (603) and Hubject compatible (604);
4. a SessionID is generated and the request forwarded with the CPO's service type settings;
5. the CPO's acknowledgement goes back to the EMP; on Result false the session is deleted.

A stop replaces the contract check by a session check: the session exists and belongs to
the requesting EMP, else 400. The CPO of a stop is the CPO of the session.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json

from oicp import status
from oicp.identifiers import new_session_id
from oicp.messages import (
    Acknowledgement,
    AuthorizeRemoteReservationStart,
    AuthorizeRemoteStart,
    RemoteIdentification,
    RemoteRequest,
    identification_to_wire,
)
from simulator.exchange import Exchange, Outcome
from simulator.hub import Hub
from simulator.inbound.replies import negative, note_exchange
from simulator.inbound.timeline import Timeline, new_event, now
from simulator.partners.service import Partners
from simulator.requests import SendParams, service_type_of
from simulator.session_model import Direction, NewEvent, Session, SessionKind, SessionState

StartRequest = AuthorizeRemoteStart | AuthorizeRemoteReservationStart

# The outcomes where the CPO never answered: Hubject returns "a 'false' result and a message
# indicating the connection error" (OICP 2.3 CPO, eRoamingAuthorizeRemoteStart) - 310.
_NO_ANSWER = frozenset(
    {
        Outcome.DNS_FAILURE,
        Outcome.CONNECTION_REFUSED,
        Outcome.TIMEOUT,
        Outcome.PLAIN_HTTP,
        Outcome.SERVER_CERT_EXPIRED,
        Outcome.SERVER_CERT_NOT_YET_VALID,
        Outcome.SERVER_CERT_UNTRUSTED,
        Outcome.HOSTNAME_MISMATCH,
        Outcome.TLS_VERSION,
        Outcome.CLIENT_CERT_REFUSED,
        Outcome.TLS_ERROR,
        Outcome.CONNECTION_CLOSED,
    }
)
# The CPO's service type cannot be used (not online, no Service URL, no user certificate).
_NOT_OFFERED = frozenset({Outcome.SETTINGS_INVALID, Outcome.NO_USER_CERTIFICATE})


def _kind(request: RemoteRequest) -> SessionKind:
    return SessionKind.RESERVATION if request.operation.is_reservation else SessionKind.REMOTE


def _params(request: RemoteRequest) -> SendParams:
    """What :meth:`Hub.send` needs to rebuild ``request`` (it validates it again)."""
    start = (
        request
        if isinstance(request, AuthorizeRemoteStart | AuthorizeRemoteReservationStart)
        else None
    )
    ident = start.identification if start is not None else None
    reservation = request if isinstance(request, AuthorizeRemoteReservationStart) else None
    return SendParams(
        evse_id=request.evse_id,
        provider_id=request.provider_id,
        evco_id=ident.evco_id if isinstance(ident, RemoteIdentification) else None,
        session_id=request.session_id,
        cpo_partner_session_id=request.cpo_partner_session_id,
        emp_partner_session_id=request.emp_partner_session_id,
        partner_product_id=start.partner_product_id if start is not None else None,
        duration=reservation.duration if reservation is not None else None,
    )


def acknowledgement_for_emp(exchange: Exchange, session_id: str) -> Acknowledgement:
    """What the EMP gets back: the CPO's acknowledgement, or the hub's reason for none."""
    if exchange.outcome in (Outcome.ACCEPTED, Outcome.REJECTED) and exchange.response_body:
        ack = Acknowledgement.from_wire(json.loads(exchange.response_body))
        return ack if ack.session_id else dataclasses.replace(ack, session_id=session_id)
    if exchange.outcome in _NO_ANSWER:
        return negative(status.PARTNER_DID_NOT_RESPOND, exchange.detail, session_id)
    if exchange.outcome in _NOT_OFFERED:
        return negative(status.SERVICE_NOT_AVAILABLE, exchange.detail, session_id)
    # HTTP status other than 200, not JSON, or not an acknowledgement: the CPO failed.
    return negative(status.SYSTEM_ERROR, exchange.detail, session_id)


class RemoteControl:
    """Runs an EMP's remote start/stop or reservation through the hub to the CPO."""

    def __init__(self, hub: Hub, partners: Partners, timeline: Timeline) -> None:
        self._hub = hub
        self._partners = partners
        self._timeline = timeline
        self._sessions = hub.storage.sessions
        self._evse = hub.storage.evse

    async def start(self, request: StartRequest) -> Acknowledgement:
        """Check, forward and record a remote start or reservation start."""
        operator_id = await self._partners.operator_of_evse(request.evse_id)
        if operator_id is None:
            return negative(
                status.PARTNER_NOT_FOUND,
                f"no CPO of the hub operates EvseID {request.evse_id}: its operator part is "
                "neither a configured OperatorID nor a sub-operator of one",
            )
        refusal = await self._start_refusal(request, operator_id)
        if refusal is not None:
            return refusal
        forwarded = dataclasses.replace(request, session_id=new_session_id())
        entry = self._open_session(forwarded, operator_id)
        return await self._forward(forwarded, operator_id, entry, start=True)

    async def _start_refusal(
        self, request: StartRequest, operator_id: str
    ) -> Acknowledgement | None:
        service_type = service_type_of(request.operation)
        if not await self._partners.has_contract(request.provider_id, operator_id, service_type):
            return negative(
                status.NO_VALID_CONTRACT,
                f"EMP {request.provider_id} has no contract with CPO {operator_id} for "
                f"{service_type.value}; add one (PUT /api/emps/{{provider_id}}/contracts)",
            )
        return await self._evse_refusal(request.evse_id, operator_id)

    async def _evse_refusal(self, evse_id: str, operator_id: str) -> Acknowledgement | None:
        """603/604, only when the CPO has pushed EVSE data at all (OICP 2.3 §5)."""
        if await self._evse.count(operator_id) == 0:
            return None
        record = await self._evse.get(evse_id)
        if record is None or record.operator_id != operator_id:
            return negative(
                status.UNKNOWN_EVSE_ID,
                f"CPO {operator_id} has pushed EVSE data, but none for EvseID {evse_id}",
            )
        if not record.is_hubject_compatible:
            return negative(
                status.EVSE_NOT_HUBJECT_COMPATIBLE,
                f"the EVSE data of {evse_id} says IsHubjectCompatible: false",
            )
        return None

    def _open_session(self, request: StartRequest, operator_id: str) -> asyncio.Future[int]:
        assert request.session_id is not None
        created = now()
        session = Session(
            session_id=request.session_id,
            kind=_kind(request),
            provider_id=request.provider_id,
            operator_id=operator_id,
            evse_id=request.evse_id,
            state=SessionState.PENDING,
            created_at=created,
            updated_at=created,
            identification=identification_to_wire(request.identification),
            emp_partner_session_id=request.emp_partner_session_id,
        )
        return self._sessions.queue_create(session, self._event(request))

    def _event(self, request: RemoteRequest) -> NewEvent:
        label = request.operation.slug.replace("-", " ")
        return new_event(
            request.operation.value,
            label,
            Direction.EMP_TO_CPO,
            request.provider_id,
            request.to_wire(),
        )

    async def stop(self, request: RemoteRequest) -> Acknowledgement:
        """Check the session, then forward a remote stop or reservation stop to its CPO."""
        assert request.session_id is not None
        session = await self._sessions.get(request.session_id)
        problem = _stop_problem(session, request)
        if problem is not None or session is None:
            ack = negative(status.SESSION_INVALID, problem or "", request.session_id)
            if session is not None and session.provider_id == request.provider_id:
                # This EMP's own session (a second stop, say): its timeline shows the refusal.
                await self._timeline.refused(session.session_id, self._event(request), ack)
            return ack
        entry = self._timeline.queue_add(session.session_id, self._event(request))
        return await self._forward(request, session.operator_id, entry, start=False)

    async def _forward(
        self,
        request: RemoteRequest,
        operator_id: str,
        entry: asyncio.Future[int],
        *,
        start: bool,
    ) -> Acknowledgement:
        """Forward ``request`` while its timeline entry (``entry``: queued, not committed)
        commits, then answer the entry.

        The entry is in line before the request leaves, so a CPO's notification about the
        session that arrives during the forward finds it; waiting for its commit first made
        every remote start wait for the storage thread twice. If it fails to commit, the
        StorageError comes after the CPO was asked, and the EMP gets the hub's error.
        """
        assert request.session_id is not None
        exchange = await self._hub.send(operator_id, request.operation, _params(request))
        event_id = await entry
        note_exchange(exchange.exchange_id)
        ack = acknowledgement_for_emp(exchange, request.session_id)
        state: SessionState | None
        if start:
            state = SessionState.ACTIVE if ack.result else SessionState.DROPPED
        else:
            state = SessionState.STOPPING if ack.result else None
        # The CPO's own CPOPartnerSessionID, when the CPO answered (not the hub's 310).
        cpo_session = ack.cpo_partner_session_id if exchange.outcome.answered else None
        await self._timeline.answer(
            event_id,
            ack,
            exchange.detail,
            state,
            forward_outcome=exchange.outcome.value,
            cpo_partner_session_id=cpo_session,
        )
        return ack


def _stop_problem(session: Session | None, request: RemoteRequest) -> str | None:
    """Why ``request`` may not stop ``session`` (OICP 2.3 §5: exists and belongs to the EMP)."""
    sid = request.session_id
    if session is None:
        return f"SessionID {sid} is unknown to the hub; stop the SessionID the start returned"
    if session.provider_id != request.provider_id:
        return f"SessionID {sid} belongs to another EMP, not to {request.provider_id}"
    if session.kind is not _kind(request):
        return (
            f"SessionID {sid} is a {session.kind.value} session, not a {_kind(request).value} one"
        )
    if not session.state.open:
        return f"SessionID {sid} is {session.state.value} and can no longer be stopped"
    return None
