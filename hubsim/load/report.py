"""The final report of a load run: terminal text, one JSON object, JUnit, and the verdict.

The thresholds (``--max-p99-ms``, ``--max-error-rate``) decide the exit code. An error is
any request whose outcome is not ``accepted``: a rejection is the CPO's answer, but under
load it is exactly what a team wants to see counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from lxml import etree as ET

from hubsim.load.stats import BUDGET_MS, PERCENTILES, Tally, rate_text


@dataclass(frozen=True)
class Thresholds:
    max_p99_ms: float | None = None
    max_error_rate: float | None = None  # a share, 0 to 1


@dataclass(frozen=True)
class Verdict:
    name: str
    ok: bool
    text: str
    value: float | None = None  # what the run measured (ms, or a share), for scripts
    limit: float | None = None


@dataclass(frozen=True)
class Report:
    tally: Tally
    seconds: float
    workers: int
    thresholds: Thresholds
    lost: str | None = None  # why the run ended early (the hub's admin API was lost)

    @property
    def requests(self) -> int:
        return self.tally.requests

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def error_rate(self) -> float:
        return self.tally.errors / self.requests if self.requests else 0.0

    @property
    def within_budget(self) -> float:
        return self.tally.within_budget / self.requests if self.requests else 0.0

    def verdicts(self) -> list[Verdict]:
        out = []
        t = self.thresholds
        if t.max_p99_ms is not None:
            p99 = self.tally.percentile_ms(99)
            text = f"p99 {p99:.2f} ms (at most {t.max_p99_ms:g} ms)"
            out.append(Verdict("p99", p99 <= t.max_p99_ms, text, p99, t.max_p99_ms))
        if t.max_error_rate is not None:
            ok = self.error_rate <= t.max_error_rate
            text = f"error rate {self.error_rate:.4%} (at most {t.max_error_rate:.4%})"
            out.append(Verdict("error_rate", ok, text, self.error_rate, t.max_error_rate))
        return out

    @property
    def ok(self) -> bool:
        return self.lost is None and all(v.ok for v in self.verdicts())

    def latency(self) -> dict[str, float]:
        found = {f"p{p:g}": self.tally.percentile_ms(p) for p in PERCENTILES}
        return {k: round(v, 3) for k, v in found.items()} | {"max": round(self.tally.max_ms(), 3)}

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "lost": self.lost,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "rate": round(self.rate, 1),
            "workers": self.workers,
            "latency_ms": self.latency(),
            "errors": self.tally.errors,
            "error_rate": self.error_rate,
            "within_budget": self.within_budget,
            "budget_ms": BUDGET_MS,
            "max_loop_lag_ms": round(self.tally.max_lag_ms, 1),
            "max_behind_rate_ms": round(self.tally.max_behind_ms, 1),
            "stops_failed": self.tally.stops_failed,
            "outcomes": {
                k: {"count": o.count, "first_detail": o.first_detail}
                for k, o in sorted(self.tally.outcomes.items())
            },
            "thresholds": [
                {"name": v.name, "ok": v.ok, "value": v.value, "limit": v.limit, "text": v.text}
                for v in self.verdicts()
            ],
        }

    def write_text(self, out: TextIO) -> None:
        lat = self.latency()
        print(
            f"{self.requests} request{'' if self.requests == 1 else 's'} in "
            f"{_seconds(self.seconds)} s: {rate_text(self.rate)} "
            f"({self.workers} process{'es' if self.workers > 1 else ''})",
            file=out,
        )
        print("latency " + "  ".join(f"{k} {v:.2f} ms" for k, v in lat.items()), file=out)
        print(
            f"answered over HTTP within Hubject's {BUDGET_MS / 1000:g} s budget: "
            f"{self.within_budget:.2%}",
            file=out,
        )
        print("outcomes:", file=out)
        for key, o in sorted(self.tally.outcomes.items(), key=lambda kv: -kv[1].count):
            print(f"  {key:<28} {o.count:>8}  first: {o.first_detail}", file=out)
        for v in self.verdicts():
            print(f"{'PASS' if v.ok else 'FAIL'}  {v.text}", file=out)
        if self.lost is not None:  # the PASS lines above judge part of a run only
            print(f"FAIL  the run was cut short after {self.requests} requests", file=out)

    def notes(self) -> list[str]:
        """What a reader of the figures must know, on stderr: none of it sets the exit code."""
        found = (self._errors_note(), self._lag_note(), self._rate_note(), self._stops_note())
        return [note for note in found if note is not None]

    def _errors_note(self) -> str | None:
        t = self.thresholds
        if not self.tally.errors or t.max_error_rate is not None:
            return None
        errors = self.tally.errors
        were = "were" if errors > 1 else "was"
        head = f"{errors} of {self.requests} requests {were} not accepted"
        if t.max_p99_ms is None:
            return (
                f"{head}; the exit code is 0 because no threshold was given "
                "(--max-error-rate 0 fails the run on any)"
            )
        return (
            f"{head}, and no --max-error-rate was given: --max-p99-ms counts their times too, "
            "and refused or dropped connections are fast, so a p99 alone passes a backend that "
            "refuses them all; add --max-error-rate (0 fails the run on any)"
        )

    def _lag_note(self) -> str | None:
        if self.tally.max_lag_ms < LATE_NOTE_MS:
            return None
        return (
            f"this load was up to {self.tally.max_lag_ms / 1000:.1f} s late on its own timers: "
            "a process with more users than it serves in time adds that delay to its latencies "
            "and timeouts, so these figures are partly its own; lower -c or --rate, or spread "
            "the load with --workers N"
        )

    def _rate_note(self) -> str | None:
        behind, full = self.tally.max_behind_ms, self.tally.max_behind_full_ms
        if behind < LATE_NOTE_MS:
            return None
        head = f"--rate was not kept: operations started up to {behind / 1000:.1f} s behind its "
        if full < LATE_NOTE_MS:  # slots were free: this process started them late itself
            return (
                head + "timetable while --max-in-flight slots were free: this process was too "
                "busy to start them on time, so these figures are partly its own, not the "
                "backend's; lower --rate or spread the load with --workers N"
            )
        # A backend that closed connections is already over its own limit: more in flight
        # would only be closed too.
        advice = (
            "lower --rate"
            if "connection_closed" in self.tally.outcomes
            else "raise --max-in-flight or lower --rate"
        )
        return (
            head + "timetable, since all --max-in-flight operations were still waiting for "
            f"answers; the backend answers slower than the rate asks: {advice}"
        )

    def _stops_note(self) -> str | None:
        failed = self.tally.stops_failed
        if not failed:
            return None
        if failed == 1:
            return (
                "1 stop was not accepted: the session or reservation it was to end may still "
                "be open at the backend, which then refuses the next start on that EVSE (602 "
                "while charging, 601 while reserved)"
            )
        return (
            f"{failed} stops were not accepted: the sessions or reservations they were to end "
            "may still be open at the backend, which then refuses the next start on those "
            "EVSEs (602 while charging, 601 while reserved)"
        )


# A process this late on its timers, or a --rate this far behind its timetable (a tenth of
# Hubject's budget), distorted its own figures; opening hundreds of TLS connections at once
# makes a process late by less.
LATE_NOTE_MS = 1000.0


def write_junit(report: Report, path: Path) -> None:
    """One testcase per threshold (a run without thresholds gets one 'load' testcase)."""
    verdicts = report.verdicts()
    if not verdicts or report.lost is not None:
        verdicts.append(Verdict("load", report.lost is None, f"{report.requests} requests"))
    suite = ET.Element(
        "testsuite",
        name="hubsim load",
        tests=str(len(verdicts)),
        failures=str(sum(not v.ok for v in verdicts if v.name != "load")),
        errors=str(int(report.lost is not None)),
        time=f"{report.seconds:.3f}",
    )
    summary = "\n".join(
        f"{k}: {o.count} ({o.first_detail})" for k, o in sorted(report.tally.outcomes.items())
    )
    for v in verdicts:
        # Every threshold judges the whole run: each case takes the run's time.
        case = ET.SubElement(
            suite, "testcase", classname="hubsim.load", name=v.name, time=f"{report.seconds:.3f}"
        )
        if v.name == "load" and report.lost is not None:
            ET.SubElement(case, "error", message=report.lost, type="cut_short").text = summary
        elif not v.ok:
            ET.SubElement(case, "failure", message=v.text, type="threshold").text = summary
        ET.SubElement(case, "system-out").text = f"{v.text}\n{summary}"
    # Written through Python's file, not lxml's own: lxml said nothing of a full disk
    # (/dev/full), and CI then read a file that was not there.
    path.write_bytes(ET.tostring(suite, encoding="utf-8", xml_declaration=True, pretty_print=True))


def _seconds(seconds: float) -> str:
    """A run's length: tenths, or hundredths below a second (not "0.0 s" for 30 ms)."""
    return f"{seconds:.1f}" if seconds >= 1 else f"{seconds:.2f}"
