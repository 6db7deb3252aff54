"""The four OICP 2.3 operations Hubject's HBS sends to a CPO.

The enum values are the operation names as OICP writes them (OICP 2.3 CPO,
02_CPO_Services_and_Operations: eRoamingAuthorization and eRoamingReservation,
the operations marked "To RECEIVE").
"""

from __future__ import annotations

import enum


class Operation(enum.Enum):
    """A hub-to-CPO operation; the value is its OICP wire name."""

    AUTHORIZE_REMOTE_START = "eRoamingAuthorizeRemoteStart"
    AUTHORIZE_REMOTE_STOP = "eRoamingAuthorizeRemoteStop"
    AUTHORIZE_REMOTE_RESERVATION_START = "eRoamingAuthorizeRemoteReservationStart"
    AUTHORIZE_REMOTE_RESERVATION_STOP = "eRoamingAuthorizeRemoteReservationStop"

    @property
    def slug(self) -> str:
        """The short lower-case name used on the command line and in file names."""
        return _SLUGS[self]

    @property
    def is_reservation(self) -> bool:
        """True for the two operations of the eRoamingReservation service."""
        return self in (
            Operation.AUTHORIZE_REMOTE_RESERVATION_START,
            Operation.AUTHORIZE_REMOTE_RESERVATION_STOP,
        )

    @property
    def is_start(self) -> bool:
        """True for the operations that begin a session (and carry an Identification)."""
        return self in (
            Operation.AUTHORIZE_REMOTE_START,
            Operation.AUTHORIZE_REMOTE_RESERVATION_START,
        )

    @classmethod
    def from_slug(cls, text: str) -> Operation:
        """Return the operation whose slug (``remote-start`` …) is ``text``.

        Raises ValueError naming the accepted slugs when ``text`` is none of them.
        """
        for member in cls:
            if member.slug == text:
                return member
        accepted = ", ".join(member.slug for member in cls)
        raise ValueError(f"unknown operation {text!r}: use one of {accepted}")


_SLUGS = {
    Operation.AUTHORIZE_REMOTE_START: "remote-start",
    Operation.AUTHORIZE_REMOTE_STOP: "remote-stop",
    Operation.AUTHORIZE_REMOTE_RESERVATION_START: "reservation-start",
    Operation.AUTHORIZE_REMOTE_RESERVATION_STOP: "reservation-stop",
}
