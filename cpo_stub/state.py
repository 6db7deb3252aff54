"""The stub CPO's minimal EVSE state: available, reserved or charging.

The rules are what a real CPO backend would answer when the request itself is fine
(OICP 2.3 CPO, 02_CPO_Services_and_Operations; status codes from 03_CPO_Data_Types
"CodeType"):

* reservation start on a reserved EVSE → 601 "EVSE already reserved.", on a charging
  one → 602 "EVSE already in use/ wrong token.";
* remote start on a charging EVSE, or on one reserved under another SessionID → 602; a
  remote start under the reservation's own SessionID consumes the reservation;
* remote stop and reservation stop need the SessionID of a running session / reservation
  on that EVSE, else 400 "Session is invalid." (OICP 2.3 CPO, "Session handling");
* with a set of known EvseIDs configured, any other EvseID → 603 "Unknown EVSE ID.", and
  the same for EvseIDs configured as unknown.

A reservation's Duration is in minutes (OICP 2.3 eRoamingAuthorizeRemoteReservationStart);
the spec gives no default, so the stub holds a reservation without one for
``DEFAULT_RESERVATION_MINUTES``. Expired reservations free the EVSE when next looked at.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from oicp import status
from oicp.identifiers import new_session_id
from oicp.operations import Operation

DEFAULT_RESERVATION_MINUTES = 15
"""How long a reservation without Duration lasts (the spec leaves it to the CPO)."""


class EvseStatus(enum.Enum):
    """What an EVSE is doing, as far as the stub knows."""

    AVAILABLE = "available"
    RESERVED = "reserved"
    CHARGING = "charging"


@dataclass(frozen=True)
class EvseState:
    """One EVSE's state; ``session_id`` is the Hubject SessionID that holds it."""

    evse_id: str
    status: EvseStatus = EvseStatus.AVAILABLE
    session_id: str | None = None
    cpo_partner_session_id: str | None = None
    reserved_until: datetime | None = None

    def to_json(self) -> dict[str, object]:
        """The JSON form used by the control API's ``GET /state``."""
        until = self.reserved_until.isoformat() if self.reserved_until else None
        return {
            "EvseID": self.evse_id,
            "status": self.status.value,
            "SessionID": self.session_id,
            "CPOPartnerSessionID": self.cpo_partner_session_id,
            "reserved_until": until,
        }


@dataclass(frozen=True)
class Decision:
    """The state rules' answer to one request: a status code and what to echo."""

    code: str
    additional_info: str | None = None
    cpo_partner_session_id: str | None = None

    @property
    def accepted(self) -> bool:
        """True when the request was performed (code 000)."""
        return self.code == status.SUCCESS


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _new_partner_session_id() -> str:
    return new_session_id()  # a UUID, as CPO backends commonly hand out


class EvseBook:
    """The state of every EVSE the stub has been asked about.

    ``clock`` and ``new_partner_session_id`` can be replaced (tests, reproducible runs).
    """

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = _utc_now,
        new_partner_session_id: Callable[[], str] = _new_partner_session_id,
    ) -> None:
        self._clock = clock
        self._new_partner_session_id = new_partner_session_id
        self._states: dict[str, EvseState] = {}
        self.known_evses: frozenset[str] | None = None
        self.unknown_evses: frozenset[str] = frozenset()

    def set_known_evses(self, evse_ids: Iterable[str] | None) -> None:
        """Answer 603 for every EvseID outside ``evse_ids``; None accepts any EvseID."""
        self.known_evses = None if evse_ids is None else frozenset(evse_ids)

    def set_unknown_evses(self, evse_ids: Iterable[str]) -> None:
        """Answer 603 for each of ``evse_ids`` (an empty list forgets them)."""
        self.unknown_evses = frozenset(evse_ids)

    def is_known(self, evse_id: str) -> bool:
        """False if the EvseID is configured as unknown, or outside the known EvseIDs."""
        if evse_id in self.unknown_evses:
            return False
        return self.known_evses is None or evse_id in self.known_evses

    def clear(self) -> None:
        """Forget every EVSE's state (known EvseIDs stay configured)."""
        self._states.clear()

    def state(self, evse_id: str) -> EvseState:
        """The current state of ``evse_id`` (available if never seen or expired)."""
        return self._held(evse_id) or EvseState(evse_id)

    def _held(self, evse_id: str) -> EvseState | None:
        """The state of a reserved or charging EVSE; None when it is available. (The rules
        read this on every request: an available EVSE needs no state object.)"""
        current = self._states.get(evse_id)
        until = current.reserved_until if current is not None else None
        if until is not None and until <= self._clock():
            del self._states[evse_id]
            return None
        return current

    def states(self) -> list[EvseState]:
        """Every EVSE that is not available, sorted by EvseID."""
        current = [self.state(evse_id) for evse_id in sorted(self._states)]
        return [s for s in current if s.status is not EvseStatus.AVAILABLE]

    def apply(
        self,
        operation: Operation,
        evse_id: str,
        session_id: str | None,
        duration_minutes: int | None = None,
    ) -> Decision:
        """Apply the rules for ``operation`` and, if accepted, change the EVSE's state."""
        if not self.is_known(evse_id):
            return Decision(status.UNKNOWN_EVSE_ID, f"EvseID {evse_id} is not one of this CPO's")
        if operation is Operation.AUTHORIZE_REMOTE_START:
            return self.remote_start(evse_id, session_id)
        if operation is Operation.AUTHORIZE_REMOTE_RESERVATION_START:
            return self.reservation_start(evse_id, session_id, duration_minutes)
        wanted = (
            EvseStatus.RESERVED
            if operation is Operation.AUTHORIZE_REMOTE_RESERVATION_STOP
            else EvseStatus.CHARGING
        )
        return self._stop(evse_id, session_id, wanted)

    def remote_start(self, evse_id: str, session_id: str | None) -> Decision:
        """Start charging unless the EVSE is busy (602)."""
        current = self._held(evse_id)
        if current is None:
            return self._occupy(evse_id, EvseStatus.CHARGING, session_id, None, None)
        if current.status is EvseStatus.CHARGING:
            return Decision(status.EVSE_ALREADY_IN_USE, f"EVSE {evse_id} is already charging")
        # Reserved: only the reservation's own SessionID may start charging on it.
        if session_id is None or current.session_id != session_id:
            return Decision(
                status.EVSE_ALREADY_IN_USE,
                f"EVSE {evse_id} is reserved under another SessionID",
            )
        partner_id = current.cpo_partner_session_id
        return self._occupy(evse_id, EvseStatus.CHARGING, session_id, partner_id, None)

    def reservation_start(
        self, evse_id: str, session_id: str | None, duration_minutes: int | None
    ) -> Decision:
        """Reserve the EVSE unless it is reserved (601) or charging (602)."""
        current = self.state(evse_id)
        if current.status is EvseStatus.RESERVED:
            return Decision(status.EVSE_ALREADY_RESERVED, f"EVSE {evse_id} is already reserved")
        if current.status is EvseStatus.CHARGING:
            return Decision(status.EVSE_ALREADY_IN_USE, f"EVSE {evse_id} is charging")
        minutes = duration_minutes or DEFAULT_RESERVATION_MINUTES
        until = self._clock() + timedelta(minutes=minutes)
        return self._occupy(evse_id, EvseStatus.RESERVED, session_id, None, until)

    def _occupy(
        self,
        evse_id: str,
        new_status: EvseStatus,
        session_id: str | None,
        partner_id: str | None,
        until: datetime | None,
    ) -> Decision:
        partner_id = partner_id or self._new_partner_session_id()
        self._states[evse_id] = EvseState(evse_id, new_status, session_id, partner_id, until)
        return Decision(status.SUCCESS, cpo_partner_session_id=partner_id)

    def _stop(self, evse_id: str, session_id: str | None, wanted: EvseStatus) -> Decision:
        current = self.state(evse_id)
        problem = _stop_problem(current, session_id, wanted)
        if problem is not None:
            return Decision(status.SESSION_INVALID, problem)
        self._states.pop(evse_id, None)
        return Decision(status.SUCCESS, cpo_partner_session_id=current.cpo_partner_session_id)

    def release(self, evse_id: str) -> None:
        """Make the EVSE available again, whatever it was doing."""
        self._states.pop(evse_id, None)

    def force(self, state: EvseState) -> None:
        """Put an EVSE into ``state`` directly (scenario set-up)."""
        if state.status is EvseStatus.AVAILABLE:
            self.release(state.evse_id)
        else:
            self._states[state.evse_id] = state


def _stop_problem(current: EvseState, session_id: str | None, wanted: EvseStatus) -> str | None:
    """Why a stop for ``session_id`` cannot be performed on ``current``, or None."""
    what = "reservation" if wanted is EvseStatus.RESERVED else "charging session"
    if session_id is None:
        return f"a SessionID is required to stop a {what}"
    if current.session_id != session_id or current.status is EvseStatus.AVAILABLE:
        return f"SessionID {session_id} is not a running {what} on EVSE {current.evse_id}"
    if current.status is not wanted:
        return f"SessionID {session_id} on EVSE {current.evse_id} is not a {what}"
    return None
