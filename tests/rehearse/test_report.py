"""The rehearsal's report as a whole: its exit code, its stability, its refusals."""

from __future__ import annotations

import subprocess
from typing import Any

from tests.rehearse.conftest import HUBSIM, rehearse

STABLE = ("case", "backend", "verdict", "diagnosis", "ok")


def _stable(case: dict[str, Any]) -> tuple[object, ...]:
    # The steps' outcomes are left out: with TLS 1.3 the hub sees a refused client
    # certificate as an alert or as a closed connection, whichever it reads first.
    return tuple(case[key] for key in STABLE)


def test_every_case_runs_and_the_exit_code_is_zero_when_all_show_what_they_rehearse(
    rehearsal: dict[str, Any],
) -> None:
    assert len(rehearsal["cases"]) == 19  # 9 cases on both backends, 1 on the stub only
    assert rehearsal["ok"] is True and rehearsal["exit_code"] == 0


def test_the_same_rehearsal_gives_the_same_verdicts_and_diagnoses(
    rehearsal: dict[str, Any],
) -> None:
    names = ["hub-renewal-pinned-leaf", "intermediate-rotation-old-intermediate-only"]
    names += ["user-leaf-without-intermediate", "user-old-expired"]
    _, again = rehearse(*(arg for name in names for arg in ("--case", name)))
    first = [_stable(c) for c in rehearsal["cases"] if c["case"] in names]
    assert [_stable(c) for c in again["cases"]] == first


def test_an_unknown_case_is_refused_naming_the_known_ones() -> None:
    done = subprocess.run(
        [*HUBSIM, "rehearse", "--case", "renewal-day"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr.startswith("hubsim: error: --case 'renewal-day' is not a rehearsal case")
    assert "hub-renewal-pinned-leaf" in done.stderr and "Traceback" not in done.stderr


def test_a_case_named_for_a_backend_it_does_not_run_on_is_refused() -> None:
    argv = [*HUBSIM, "rehearse", "--case", "intermediate-rotation-old-intermediate-only"]
    done = subprocess.run([*argv, "--backend", "nginx"], capture_output=True, text=True)
    assert done.returncode == 2, done.stdout
    assert done.stderr.startswith(
        "hubsim: error: --case 'intermediate-rotation-old-intermediate-only' does not run on "
        "--backend nginx: it runs on stub; pass --backend stub"
    )
    assert done.stdout == ""
