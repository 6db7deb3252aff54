"""Days to expiry and the alarms they raise: the one place for the renewal thresholds.

Certificates break integrations on ordinary days: Hubject's user certificates last two years,
its CA ten. The hub warns when fewer than 30 days are left and urgently when fewer than 7,
for its own service certificate, each upload in Certificate Management and the certificate a
CPO presents; the API, the portal and ``hubsim check`` all show what :func:`expiry_of` says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

WARN_BEFORE = timedelta(days=30)
URGENT_BEFORE = timedelta(days=7)


class ExpiryAlarm(Enum):
    """How loudly a certificate's end of validity calls for a renewal."""

    NONE = "none"
    WARN = "warn"  # fewer than 30 days left
    URGENT = "urgent"  # fewer than 7 days left
    EXPIRED = "expired"


@dataclass(frozen=True)
class Expiry:
    """A certificate's time left at one moment, and the alarm it raises."""

    not_after: datetime
    left: timedelta
    alarm: ExpiryAlarm

    @property
    def days_left(self) -> int:
        """Whole days left (negative once expired): 0 means less than a day."""
        return self.left.days if self.left >= timedelta(0) else -((-self.left).days + 1)

    def sentence(self, what: str) -> str:
        """``what`` expires when, said with the alarm's urgency (empty for no alarm).

        ``what`` opens a sentence ("The hub's service certificate", "It"); after "Urgent:"
        it reads on in lower case.
        """
        until = f"{self.not_after:%Y-%m-%d %H:%M} UTC"
        if self.alarm is ExpiryAlarm.EXPIRED:
            return f"{what} expired on {until}; renew it now."
        if self.alarm is ExpiryAlarm.URGENT:
            reads_on = what[:1].lower() + what[1:]
            return (
                f"Urgent: {reads_on} expires on {until}, in {_left_text(self.left)}; renew it "
                "today (fewer than 7 days left)."
            )
        if self.alarm is ExpiryAlarm.WARN:
            return (
                f"{what} expires on {until}, in {_left_text(self.left)}; renew it within the "
                "next weeks (fewer than 30 days left)."
            )
        return ""

    def to_json(self) -> dict[str, Any]:
        return {
            "not_after": self.not_after.isoformat(),
            "days_left": self.days_left,
            "expiry_alarm": self.alarm.value,
        }


def expiry_of(not_after: datetime, now: datetime) -> Expiry:
    """The time left until ``not_after`` at ``now`` (both aware) and its alarm."""
    left = not_after - now
    if left <= timedelta(0):
        alarm = ExpiryAlarm.EXPIRED
    elif left < URGENT_BEFORE:
        alarm = ExpiryAlarm.URGENT
    elif left < WARN_BEFORE:
        alarm = ExpiryAlarm.WARN
    else:
        alarm = ExpiryAlarm.NONE
    return Expiry(not_after=not_after, left=left, alarm=alarm)


def _left_text(left: timedelta) -> str:
    if left >= timedelta(days=2):
        return f"{left.days} days"
    hours = int(left.total_seconds() // 3600)
    if hours >= 2:
        return f"{hours} hours"
    return f"{max(1, int(left.total_seconds() // 60))} minutes"
