"""What a rehearsal found: per case and backend, each exchange and the verdict with its reason.

The verdict and the reason are built from outcomes and from what the rehearsal knows about
the renewal (which certificate changed, what the backend serves); they hold no port, serial
or fingerprint, so the same rehearsal gives the same report on every run. The hub's own
sentences, which name ports, are kept per step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hubsim.rehearsal.stage import Sent


@dataclass(frozen=True)
class Step:
    """One remote start of a case: when it was sent and how it ended."""

    label: str
    sent: Sent

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "outcome": self.sent.outcome, "detail": self.sent.detail}


@dataclass(frozen=True)
class CaseResult:
    """One case on one backend: what a CPO sees on renewal day, and why."""

    case: str
    backend: str
    title: str
    expected: str  # the verdict the case is meant to show
    verdict: str
    diagnosis: str
    steps: tuple[Step, ...]

    @property
    def ok(self) -> bool:
        """The rehearsal showed what the case expects (a failure can be the expected sight)."""
        return self.verdict == self.expected

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "backend": self.backend,
            "title": self.title,
            "expected": self.expected,
            "verdict": self.verdict,
            "ok": self.ok,
            "diagnosis": self.diagnosis,
            "steps": [step.to_json() for step in self.steps],
        }


def report_json(results: list[CaseResult]) -> dict[str, Any]:
    return {"ok": all(r.ok for r in results), "cases": [r.to_json() for r in results]}


def report_text(results: list[CaseResult]) -> str:
    """The terminal report: one block per case and backend."""
    lines: list[str] = []
    for result in results:
        mark = "as expected" if result.ok else f"UNEXPECTED (expected: {result.expected})"
        lines.append(f"{result.case} [{result.backend}]: {result.verdict} - {mark}")
        lines.append(f"  {result.title}")
        for step in result.steps:
            lines.append(f"  {step.label}: {step.sent.outcome}")
            if step.sent.outcome != "accepted":  # what a CPO would read in the Process Monitor
                lines.append(f"    the hub said: {step.sent.detail}")
        lines.append(f"  why: {result.diagnosis}")
        lines.append("")
    shown = sum(r.ok for r in results)
    lines.append(f"{shown} of {len(results)} rehearsals showed what they rehearse")
    return "\n".join(lines)
