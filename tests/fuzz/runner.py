"""Run attacks of chosen classes against a target and tally every answer by class."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import hypothesis
from hypothesis import HealthCheck, Phase, given, settings

from tests.fuzz.attacks import Attack, attacks
from tests.fuzz.targets import Target


@dataclass
class Tally:
    """Cases and failures per attack class, and the first failures in full."""

    cases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def failed(self) -> int:
        return sum(self.failures.values())


def run(
    target: Target, classes: Sequence[str], examples: int, tally: Tally, seed: int | None = None
) -> Tally:
    """Send ``examples`` attacks: derandomized (the same cases on every run), or from ``seed``.

    Hypothesis only generates here (no shrinking): every failure is kept and counted.
    """

    @settings(
        max_examples=examples,
        derandomize=seed is None,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(attacks(target.routes, classes))
    def case(attack: Attack) -> None:
        answer = target.client.send(attack)
        tally.cases[attack.kind] += 1
        tally.statuses[(attack.kind, answer.status)] += 1
        problem = target.judge(answer, attack.method)
        if problem is not None:
            tally.failures[attack.kind] += 1
            if len(tally.examples) < 10:
                tally.examples.append(f"{problem}\n    {attack.describe()}")

    if seed is not None:
        case = hypothesis.seed(seed)(case)
    case()
    return tally


def still_serving(target: Target) -> list[str]:
    """What shows that the target did not come through: exited, or tracebacks in its log."""
    problems = []
    if not target.alive():
        problems.append(f"{target.name} exited")
    output = target.output()
    if "Traceback" in output:
        start = output.index("Traceback")
        problems.append(f"{target.name} logged a traceback:\n{output[start : start + 3000]}")
    return problems
