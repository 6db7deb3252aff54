"""Value types of the inbound side: sessions, their timeline, and the EVSE data CPOs pushed.

They sit beside ``simulator.model``, below ``simulator.storage`` which stores them and
``simulator.inbound`` which makes them, so imports point one way.

A session is what a Hubject SessionID names: a remote start (or reservation) an EMP sent,
or an authorization a CPO asked for. Its timeline holds every message about it, in both
directions, in the order the hub received them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

JSON = dict[str, Any]


class SessionKind(enum.Enum):
    """How a session began."""

    REMOTE = "remote"  # eRoamingAuthorizeRemoteStart from an EMP
    RESERVATION = "reservation"  # eRoamingAuthorizeRemoteReservationStart from an EMP
    AUTHORIZATION = "authorization"  # eRoamingAuthorizeStart from a CPO


class SessionState(enum.Enum):
    """Where a session stands."""

    PENDING = "pending"  # forwarded to the CPO, no answer yet
    ACTIVE = "active"  # the CPO accepted (or the hub authorized)
    STOPPING = "stopping"  # a stop was accepted
    ENDED = "ended"  # the CPO notified the end of charging
    CLOSED = "closed"  # the CDR arrived: "Hub stores the CDR and closes the session"
    DROPPED = "dropped"  # the CPO refused or could not be reached: the session is deleted

    @property
    def open(self) -> bool:
        """True while the session still accepts stops and notifications."""
        return self not in (SessionState.CLOSED, SessionState.DROPPED)


class Direction(enum.Enum):
    """Which way a message went through the hub."""

    EMP_TO_CPO = "EMP → hub → CPO"
    CPO_TO_EMP = "CPO → hub → EMP"


@dataclass(frozen=True)
class Session:
    """One SessionID and what the hub knows about it."""

    session_id: str
    kind: SessionKind
    provider_id: str
    operator_id: str
    evse_id: str | None
    state: SessionState
    created_at: datetime
    updated_at: datetime
    identification: JSON | None = None
    emp_partner_session_id: str | None = None
    cpo_partner_session_id: str | None = None

    def to_json(self) -> JSON:
        return {
            "session_id": self.session_id,
            "kind": self.kind.value,
            "provider_id": self.provider_id,
            "operator_id": self.operator_id,
            "evse_id": self.evse_id,
            "state": self.state.value,
            "identification": self.identification,
            "emp_partner_session_id": self.emp_partner_session_id,
            "cpo_partner_session_id": self.cpo_partner_session_id,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


@dataclass(frozen=True)
class NewEvent:
    """A message to add to a session's timeline (its answer may come later)."""

    operation: str  # OICP wire name, e.g. "eRoamingAuthorizeRemoteStart"
    label: str  # what a person reads: "remote start", "notification Start", "CDR"
    direction: Direction
    sender: str  # ProviderID or OperatorID of the partner who sent it
    request: JSON
    at: datetime


@dataclass(frozen=True)
class EventAnswer:
    """How a timeline message was answered."""

    response: JSON | None
    result: bool | None
    status_code: str | None
    detail: str
    answered_at: datetime | None = None  # None only in records from before schema 4
    # How forwarding the message to the other side went (an Outcome value, e.g. "accepted"
    # or "emp_unreachable"); None when the hub answered it without forwarding it.
    forward_outcome: str | None = None


@dataclass(frozen=True)
class TimelineEvent:
    """One message of a session's timeline, with its answer."""

    event_id: int
    session_id: str
    event: NewEvent
    answer: EventAnswer | None

    def to_json(self) -> JSON:
        answer = self.answer
        return {
            "event_id": self.event_id,
            "session_id": self.session_id,
            "at": self.event.at.isoformat(),
            "operation": self.event.operation,
            "label": self.event.label,
            "direction": self.event.direction.value,
            "sender": self.event.sender,
            "request": self.event.request,
            "response": answer.response if answer else None,
            "result": answer.result if answer else None,
            "status_code": answer.status_code if answer else None,
            "detail": answer.detail if answer else "",
            "answered_at": answer.answered_at.isoformat()
            if answer and answer.answered_at
            else None,
            "duration_ms": self.duration_ms,
            "forward_outcome": answer.forward_outcome if answer else None,
        }

    @property
    def duration_ms(self) -> float | None:
        """How long the sender waited for the answer, when its time is known."""
        answered = self.answer.answered_at if self.answer else None
        if answered is None:
            return None
        return round((answered - self.event.at).total_seconds() * 1000, 3)


@dataclass(frozen=True)
class StoredEvse:
    """One EVSE data record a CPO pushed, with its last pushed status."""

    evse_id: str
    operator_id: str
    is_hubject_compatible: bool
    record: JSON
    updated_at: datetime
    status: str | None = None

    def to_json(self) -> JSON:
        return {
            "evse_id": self.evse_id,
            "operator_id": self.operator_id,
            "is_hubject_compatible": self.is_hubject_compatible,
            "status": self.status,
            "updated_at": self.updated_at.isoformat(),
            "record": self.record,
        }
