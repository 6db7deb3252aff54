"""Run rehearsal cases on backends, each case in its own copy of a fresh mock PKI."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from hubsim.rehearsal.backends import BACKEND_KINDS
from hubsim.rehearsal.cases_hub import HUB_CASES
from hubsim.rehearsal.cases_user import USER_CASES
from hubsim.rehearsal.context import Case, CaseContext
from hubsim.rehearsal.report import CaseResult
from mockpki import MockHubjectPKI

CASES: tuple[Case, ...] = HUB_CASES + USER_CASES


def find_cases(names: Sequence[str]) -> list[Case]:
    """The cases named (all of them when none is), or a refusal naming the unknown one."""
    if not names:
        return list(CASES)
    known = {case.name: case for case in CASES}
    for name in names:
        if name not in known:
            raise ValueError(
                f"--case {name!r} is not a rehearsal case: use one of {', '.join(known)}"
            )
    return [known[name] for name in names]


def check_backends(kinds: Sequence[str]) -> list[str]:
    for kind in kinds:
        if kind not in BACKEND_KINDS:
            raise ValueError(f"--backend {kind!r} is unknown: use {' or '.join(BACKEND_KINDS)}")
    return list(kinds) or list(BACKEND_KINDS)


def check_pairs(cases: Sequence[Case], backends: Sequence[str]) -> None:
    """Refuse a named case none of whose backends was chosen: it would run nothing."""
    for case in cases:
        if not set(case.backends) & set(backends):
            runs_on = " and ".join(case.backends)
            raise ValueError(
                f"--case {case.name!r} does not run on --backend {' or '.join(backends)}: "
                f"it runs on {runs_on}; pass --backend {case.backends[0]} or leave --backend out"
            )


async def run_rehearsal(
    cases: Sequence[Case], backends: Sequence[str], *, host: str = "localhost"
) -> list[CaseResult]:
    """Every case on every backend it supports, in a fixed order."""
    results: list[CaseResult] = []
    with tempfile.TemporaryDirectory(prefix="hubsim-rehearse-") as scratch:
        root = Path(scratch)
        template = root / "template"
        MockHubjectPKI.create(host=host).write(template)
        for index, case in enumerate(cases):
            for kind in backends:
                if kind not in case.backends:
                    continue
                work = root / f"{index:02d}-{case.name}-{kind}"
                work.mkdir()
                ctx = CaseContext.prepare(template, work, kind)
                results.append(await case.run(ctx, case))
    return results
