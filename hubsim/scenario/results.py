"""What a scenario run found: one result per step, per scenario, per run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hubsim.scenario.model import Scenario, Step
from simulator.exchange import Exchange


@dataclass(frozen=True)
class StepResult:
    """One step: passed, failed (with every unmet expectation), or not run (``error``)."""

    step: Step
    failures: tuple[str, ...] = ()
    exchange: Exchange | None = None
    error: str | None = None  # the step could not be sent; says why
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # what is wrong but does not fail the step

    @property
    def passed(self) -> bool:
        return not self.failures and self.error is None

    @property
    def seconds(self) -> float:
        return self.exchange.elapsed_ms / 1000 if self.exchange else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.step.id,
            "name": self.step.title,
            "operation": self.step.operation.value,
            "line": self.step.line,
            "passed": self.passed,
            "failures": list(self.failures),
            "error": self.error,
            "notes": list(self.notes),
            "warnings": list(self.warnings),
            "exchange": self.exchange.to_json() if self.exchange else None,
        }


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario: its steps, or why it could not be set up."""

    scenario: Scenario
    steps: tuple[StepResult, ...]
    endpoint: str  # the Service URL used, or "(not started)"
    setup_error: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.setup_error is None and all(step.passed for step in self.steps)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.scenario.name,
            "file": str(self.scenario.path),
            "spec": self.scenario.spec,
            "endpoint": self.endpoint,
            "passed": self.passed,
            "setup_error": self.setup_error,
            "notes": list(self.notes),
            "steps": [step.to_json() for step in self.steps],
        }


@dataclass(frozen=True)
class RunReport:
    """Every scenario of one ``hubsim scenario run``."""

    scenarios: tuple[ScenarioResult, ...]

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.scenarios)

    @property
    def step_counts(self) -> tuple[int, int]:
        """(passed, not passed) over every step of every scenario."""
        steps = [step for result in self.scenarios for step in result.steps]
        good = sum(1 for step in steps if step.passed)
        return good, len(steps) - good

    @property
    def steps_warned(self) -> int:
        """Passed steps that warned (a bad client certificate accepted, for one)."""
        steps = [step for result in self.scenarios for step in result.steps]
        return sum(1 for step in steps if step.passed and step.warnings)

    def to_json(self) -> dict[str, Any]:
        passed, failed = self.step_counts
        return {
            "passed": self.passed,
            "steps_passed": passed,
            "steps_warned": self.steps_warned,
            "steps_failed": failed,
            "scenarios": [result.to_json() for result in self.scenarios],
        }
