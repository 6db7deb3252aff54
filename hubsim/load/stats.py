"""What a load run saw: an HDR histogram of answer times and the count of each outcome.

Tallies of several processes merge exactly: their histograms are added bucket by bucket
(hdrhistogram's own encoding carries them between processes), never by averaging
percentiles.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from hdrh.histogram import HdrHistogram

from oicp.limits import ANSWER_BUDGET_S

# Answer times in microseconds, from 1 µs to 2 minutes (beyond Hubject's 60 s), 3 digits.
_LOWEST_US, _HIGHEST_US, _DIGITS = 1, 120_000_000, 3
BUDGET_MS = ANSWER_BUDGET_S * 1000
PERCENTILES = (50.0, 90.0, 99.0, 99.9)
_UNRECORDED_MAX = 4096


def rate_text(per_second: float) -> str:
    """A request rate as the progress line and the report print it: whole requests a second,
    with a decimal below 10 (a run at --rate 0.5 shows "0.5 req/s", not "0 req/s")."""
    return f"{per_second:.1f} req/s" if per_second < 9.95 else f"{per_second:.0f} req/s"


def new_histogram() -> HdrHistogram:
    return HdrHistogram(_LOWEST_US, _HIGHEST_US, _DIGITS)


@dataclass
class OutcomeCount:
    """How often one outcome occurred, and the diagnosis of its first occurrence."""

    count: int
    first_detail: str
    first_at: float  # wall-clock time of the first occurrence, to merge processes' tallies


@dataclass
class Tally:
    outcomes: dict[str, OutcomeCount] = field(default_factory=dict)
    within_budget: int = 0  # answered (an HTTP answer came) within BUDGET_MS
    # How late this process (the most late of the processes merged) woke for its own timers:
    # a sender too busy to send and read on time adds that delay to every figure it reports.
    max_lag_ms: float = 0.0
    # With --rate: how far behind its timetable an operation started, at most (all of
    # --max-in-flight waiting for answers holds the next start back).
    max_behind_ms: float = 0.0
    # The same, counting only the starts whose every --max-in-flight slot was taken when
    # they were due: the backend held them back, not this process's own lateness.
    max_behind_full_ms: float = 0.0
    stops_failed: int = 0  # stops not accepted: their sessions may stay open at the backend
    _recorded: HdrHistogram = field(default_factory=new_histogram, repr=False)
    # Answer times not yet in the histogram, as {microseconds: count}. hdrh's record_value
    # is Python and costs ten times a dict update on every request; the histogram takes the
    # counts whenever it is read, so nothing is lost and every reader sees all of them.
    _unrecorded: dict[int, int] = field(default_factory=dict, repr=False)

    @property
    def histogram(self) -> HdrHistogram:
        self._record_pending()
        return self._recorded

    def _record_pending(self) -> None:
        for us, count in self._unrecorded.items():
            self._recorded.record_value(us, count)
        self._unrecorded.clear()

    @property
    def requests(self) -> int:
        return sum(o.count for o in self.outcomes.values())

    @property
    def errors(self) -> int:
        return self.requests - self.outcomes.get("accepted", OutcomeCount(0, "", 0)).count

    def add(self, key: str, detail: str, elapsed_ms: float, answered: bool) -> None:
        us = min(max(round(elapsed_ms * 1000), _LOWEST_US), _HIGHEST_US)
        self._unrecorded[us] = self._unrecorded.get(us, 0) + 1
        if len(self._unrecorded) > _UNRECORDED_MAX:  # widely spread times: bound the dict
            self._record_pending()
        found = self.outcomes.get(key)
        if found is None:
            self.outcomes[key] = OutcomeCount(1, detail, time.time())
        else:
            found.count += 1
        if answered and elapsed_ms <= BUDGET_MS:
            self.within_budget += 1

    def merge(self, other: Tally) -> None:
        self.histogram.add(other.histogram)
        self.within_budget += other.within_budget
        self.max_lag_ms = max(self.max_lag_ms, other.max_lag_ms)
        self.max_behind_ms = max(self.max_behind_ms, other.max_behind_ms)
        self.max_behind_full_ms = max(self.max_behind_full_ms, other.max_behind_full_ms)
        self.stops_failed += other.stops_failed
        for key, theirs in other.outcomes.items():
            mine = self.outcomes.get(key)
            if mine is None:
                self.outcomes[key] = OutcomeCount(
                    theirs.count, theirs.first_detail, theirs.first_at
                )
                continue
            mine.count += theirs.count
            if theirs.first_at < mine.first_at:
                mine.first_detail, mine.first_at = theirs.first_detail, theirs.first_at

    def percentile_ms(self, p: float) -> float:
        return float(self.histogram.get_value_at_percentile(p)) / 1000

    def max_ms(self) -> float:
        return float(self.histogram.get_max_value()) / 1000 if self.requests else 0.0

    # Between processes: plain JSON with the histogram in hdrhistogram's encoding.

    def to_wire(self) -> dict[str, Any]:
        return {
            "histogram": self.histogram.encode().decode("ascii"),
            "within_budget": self.within_budget,
            "max_lag_ms": self.max_lag_ms,
            "max_behind_ms": self.max_behind_ms,
            "max_behind_full_ms": self.max_behind_full_ms,
            "stops_failed": self.stops_failed,
            "outcomes": {
                k: {"count": o.count, "first_detail": o.first_detail, "first_at": o.first_at}
                for k, o in self.outcomes.items()
            },
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Tally:
        tally = cls(
            within_budget=int(data["within_budget"]),
            max_lag_ms=float(data["max_lag_ms"]),
            max_behind_ms=float(data["max_behind_ms"]),
            max_behind_full_ms=float(data["max_behind_full_ms"]),
            stops_failed=int(data["stops_failed"]),
            outcomes={
                k: OutcomeCount(int(o["count"]), str(o["first_detail"]), float(o["first_at"]))
                for k, o in data["outcomes"].items()
            },
        )
        tally.histogram.add(HdrHistogram.decode(data["histogram"].encode("ascii")))
        return tally
