"""The readable report of a scenario run, one block per scenario, one line per step."""

from __future__ import annotations

import sys
from typing import TextIO

from hubsim.report import coloured
from hubsim.scenario.results import RunReport, ScenarioResult, StepResult
from simulator.exchange import Exchange


def scenario_lines(result: ScenarioResult, stream: TextIO = sys.stdout) -> list[str]:
    """The block of one scenario: a header, then each step with what went wrong."""
    mark = coloured("PASS" if result.passed else "FAIL", result.passed, stream)
    lines = [f"{mark}  {result.scenario.name}  ({result.scenario.path})"]
    if result.scenario.spec:
        lines.append(f"      checks {result.scenario.spec}")
    lines.append(f"      endpoint {result.endpoint}")
    lines += [f"      note: {note}" for note in result.notes]
    if result.setup_error:
        lines.append(f"      setup failed: {result.setup_error}")
        return lines
    width = max(len(step.step.id) for step in result.steps)
    for step in result.steps:
        lines += _step_lines(step, width, stream)
    return lines


def _step_lines(result: StepResult, width: int, stream: TextIO) -> list[str]:
    mark = coloured("ok  " if result.passed else "FAIL", result.passed, stream)
    step = result.step
    head = f"  {mark}  {step.id:<{width}}  {step.operation.slug} {step.evse_id}"
    if result.exchange is not None:
        head += f" -> {_answer(result.exchange)}"
    lines = [head]
    if result.error:
        lines.append(f"          {result.error}")
    lines += [f"          {failure}" for failure in result.failures]
    lines += [
        f"          WARN: {warning} (a FAIL with strict: true or --strict: anyone who "
        "reaches the endpoint can remote-start your chargers; verify client certificates "
        "against the Hubject chain, or allow only Hubject's addresses)"
        for warning in result.warnings
    ]
    lines += [f"          note: {note}" for note in result.notes]
    return lines


def _answer(exchange: Exchange) -> str:
    text = exchange.outcome.value
    if exchange.status_code is not None:
        text += f", Result {str(exchange.result).lower()}, {exchange.status_code}"
        text += f" {exchange.status_description}" if exchange.status_description else ""
    return f"{text} ({exchange.elapsed_ms:.0f} ms)"


def plural(count: int, noun: str) -> str:
    """``1 step``, ``2 steps``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary_line(report: RunReport, stream: TextIO = sys.stdout) -> str:
    """E.g. ``8 scenarios, 17 steps: 16 passed (2 with a warning), 1 failed``."""
    passed, failed = report.step_counts
    count = len(report.scenarios)
    warned = report.steps_warned
    text = f"{plural(count, 'scenario')}, {plural(passed + failed, 'step')}: {passed} passed"
    if warned:  # a warning above would otherwise hide behind "passed"
        text += f" ({warned} with a warning)" if warned == 1 else f" ({warned} with warnings)"
    text += f", {failed} failed"
    return coloured(text, report.passed, stream)
