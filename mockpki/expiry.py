"""Read how long a certificate should live, as people write it: ``45m``, ``12h``, ``30d``.

``hubsim pki init`` and ``hubsim pki renew`` issue certificates that expire soon so that a
rehearsal sees the expiry warnings, or an expiry, without a clock that moves. An expiry in the
past is refused: a certificate issued already expired is a test fixture, not a renewal, and the
Python API (``not_after=``) issues those.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from mockpki._x509 import as_utc, utc_now
from mockpki.errors import PKIError

_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_DURATION = re.compile(r"^\s*(?P<sign>[+-]?)(?P<count>\d+)\s*(?P<unit>[mhd])\s*$")


def parse_expires_in(text: str, *, field: str = "--expires-in") -> timedelta:
    """``"45m"``, ``"12h"`` or ``"30d"`` as a positive duration; anything else is refused."""
    match = _DURATION.match(text)
    if match is None:
        raise PKIError(
            f"{field} {text!r} is not a duration: write a whole number with m (minutes), "
            "h (hours) or d (days), e.g. 45m or 30d"
        )
    amount = int(match["count"]) * _UNITS[match["unit"]]
    if match["sign"] == "-" or amount <= timedelta(0):
        raise PKIError(
            f"{field} {text!r} is an expiry in the past (or now): give a time from now, "
            "e.g. 45m or 30d, so the certificate is valid when it is issued"
        )
    return amount


def expiry_after(text: str | None, *, now: datetime | None = None) -> datetime | None:
    """The ``not_after`` for ``--expires-in TEXT`` (None when not given)."""
    if text is None:
        return None
    return (now or utc_now()) + parse_expires_in(text)


def require_future(not_after: datetime | None, *, field: str = "not_after") -> None:
    """Refuse an expiry that is not in the future (for renewals, which must be usable)."""
    if not_after is None:
        return
    now = utc_now()
    if as_utc(not_after) <= now:
        raise PKIError(
            f"{field} {as_utc(not_after).isoformat()} is in the past (now is "
            f"{now.isoformat(timespec='seconds')}): a renewed certificate must be valid, so "
            "give an expiry after now"
        )
