"""Run ``hubsim rehearse`` as a user does: one real process, whose backends are processes too.

The whole rehearsal (every case on the stub and on nginx) runs once per test session; each
test then reads the case it is about from the JSON report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

HUBSIM = [sys.executable, "-m", "hubsim"]
REHEARSAL_TIMEOUT_S = 600


def rehearse(*args: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [*HUBSIM, "rehearse", "--json", *args],
        capture_output=True,
        text=True,
        timeout=REHEARSAL_TIMEOUT_S,
        check=False,
    )
    assert done.stdout.strip(), f"hubsim rehearse printed nothing; stderr: {done.stderr}"
    return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="session")
def rehearsal() -> dict[str, Any]:
    code, report = rehearse()
    report["exit_code"] = code
    return report


def case_of(report: dict[str, Any], case: str, backend: str) -> dict[str, Any]:
    for found in report["cases"]:
        if found["case"] == case and found["backend"] == backend:
            return found
    raise AssertionError(f"the rehearsal has no case {case} on {backend}")


def outcomes(case: dict[str, Any]) -> list[str]:
    return [step["outcome"] for step in case["steps"]]
