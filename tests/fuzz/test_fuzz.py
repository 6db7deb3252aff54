"""The fuzz suite: hostile requests to the stub, the hub's OICP endpoints and its admin API.

Each server runs as a process of its own. A bounded, derandomized run (the same cases every
time) sends attacks of every class that the servers are meant to survive; the targets:
no HTTP 5xx, every answer in its port's protocol (OICP on the OICP ports, ``{"error",
"issues"}`` with a 4xx for admin refusals), no traceback in the servers' output, and the
servers still up at the end. ``bench/fuzz_run.py`` runs the same attacks at length.
"""

from __future__ import annotations

from tests.fuzz.runner import Tally, run, still_serving
from tests.fuzz.targets import Target

OICP_CLASSES = (
    "schema",
    "mutated",
    "nesting",
    "encoding",
    "surrogate",
    "size",
    "nan",
    "query",
    "method",
    "path",
    "oversize",
)
ADMIN_CLASSES = (
    "schema",
    "mutated",
    "nesting",
    "encoding",
    "surrogate",
    "size",
    "oversize",
    "method",
    "path",
    "query",
    "nan",
)
CASES = {"stub": 700, "hub-oicp": 700, "admin": 600}  # about 2,000 in all


def _fuzz(target: Target, classes: tuple[str, ...]) -> None:
    tally = run(target, classes, CASES[target.name], Tally())
    assert sorted(tally.cases) == sorted(classes)  # every class was sent
    failures = "\n".join(tally.examples)
    assert tally.failed() == 0, f"{dict(tally.failures)} of {dict(tally.cases)}:\n{failures}"
    assert still_serving(target) == []


def test_the_stub_answers_every_attack_in_oicp(stub_target: Target) -> None:
    _fuzz(stub_target, OICP_CLASSES)


def test_the_hub_oicp_endpoints_answer_every_attack_in_oicp(oicp_target: Target) -> None:
    _fuzz(oicp_target, OICP_CLASSES)


def test_the_admin_api_refuses_every_attack_with_error_and_issues(admin_target: Target) -> None:
    _fuzz(admin_target, ADMIN_CLASSES)
