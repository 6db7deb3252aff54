"""Scenarios against backends in their own processes: ``hubsim stub serve`` and nginx in
front of an application, each run five times, and the strict policy."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockpki import MockHubjectPKI
from tests.backends import Answer, BackendSpec, Materials, TLSSpec, Verify
from tests.backends.pool import BackendPool
from tests.backends.stacks import REPO

BAD_CLIENTS = REPO / "scenarios" / "onboarding" / "bad-client-certificate.yaml"
_CHECKING = {
    "stub": BackendSpec(),
    "nginx": BackendSpec(answer=Answer.ECHO),  # ssl_verify_client on, proxied to aiohttp
}


@pytest.fixture(scope="module")
def materials(tmp_path_factory: pytest.TempPathFactory) -> Materials:
    return Materials.create(MockHubjectPKI.create(), Path(tmp_path_factory.mktemp("scenario")))


@pytest.fixture(scope="module")
def backends(materials: Materials) -> Iterator[BackendPool]:
    pool = BackendPool(materials)
    yield pool
    pool.close()


def run_scenario(
    path: Path, url: str, materials: Materials, *extra: str
) -> tuple[int, dict[str, Any]]:
    argv = [sys.executable, "-m", "hubsim", "scenario", "run", str(path), "--target", url]
    argv += ["--pki", str(materials.pki.directory), "--json", *extra]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def _steps(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for scenario in report["scenarios"] for step in scenario["steps"]]


# Five runs against the stub process (the scenario once passed 4 of 31 runs against it),
# three against nginx.
_RUNS = [("stub", n) for n in range(5)] + [("nginx", n) for n in range(3)]


@pytest.mark.parametrize(("stack", "repeat"), _RUNS)
def test_bad_client_certificate_scenario_passes_every_run_against_a_separate_backend(
    stack: str, repeat: int, backends: BackendPool, materials: Materials
) -> None:
    backend = backends.get(stack, _CHECKING[stack])
    code, report = run_scenario(BAD_CLIENTS, backend.url + "/cpo", materials)
    failed = [(s["id"], s["failures"], s["error"]) for s in _steps(report) if not s["passed"]]
    assert code == 0 and not failed, failed
    outcomes = [s["exchange"]["outcome"] for s in _steps(report)]
    assert outcomes == ["client_cert_refused"] * 3 + ["accepted", "accepted"]


def test_an_endpoint_accepting_bad_client_certificates_warns_unless_strict(
    backends: BackendPool, materials: Materials, tmp_path: Path
) -> None:
    open_door = backends.get("nginx", BackendSpec(TLSSpec(verify=Verify.NONE), Answer.ECHO))
    url = open_door.url + "/cpo"
    code, report = run_scenario(BAD_CLIENTS, url, materials)
    warned = [s for s in _steps(report) if s["warnings"]]
    assert code == 0 and len(warned) == 3
    assert all(s["passed"] for s in _steps(report))
    code, report = run_scenario(BAD_CLIENTS, url, materials, "--strict")
    assert code == 1
    assert [s["id"] for s in _steps(report) if not s["passed"]] == [
        "foreign-ca",
        "self-signed",
        "expired",
    ]
    strict_file = tmp_path / "strict-bad-clients.yaml"
    strict_file.write_text(BAD_CLIENTS.read_text() + "strict: true\n")
    code, report = run_scenario(strict_file, url, materials)
    assert code == 1 and sum(1 for s in _steps(report) if not s["passed"]) == 3


def test_the_summary_counts_the_passed_steps_that_warned(
    backends: BackendPool, materials: Materials
) -> None:
    open_door = backends.get("nginx", BackendSpec(TLSSpec(verify=Verify.NONE), Answer.ECHO))
    url = open_door.url + "/cpo"
    _, report = run_scenario(BAD_CLIENTS, url, materials)
    assert (report["steps_passed"], report["steps_warned"], report["steps_failed"]) == (5, 3, 0)
    argv = [sys.executable, "-m", "hubsim", "scenario", "run", str(BAD_CLIENTS), "--target", url]
    argv += ["--pki", str(materials.pki.directory)]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.stdout.rstrip().endswith("5 steps: 5 passed (3 with warnings), 0 failed")


def test_an_unrouted_path_is_quoted_once_however_many_expectations_it_misses(
    backends: BackendPool, materials: Materials
) -> None:
    unknown_evse = REPO / "scenarios" / "onboarding" / "unknown-evse.yaml"
    backend = backends.get("nginx", BackendSpec(answer=Answer.NOT_ROUTED))
    code, report = run_scenario(unknown_evse, backend.url, materials)
    (step,) = _steps(report)
    assert code == 1 and step["exchange"]["outcome"] == "http_status"
    failures = step["failures"]
    assert len(failures) == 3  # outcome, Result and StatusCode
    assert sum("404 Not Found" in failure for failure in failures) == 1
    assert "nothing answers POST at /api/oicp/charging/v21/" in failures[0]
    assert failures[2].startswith("expected StatusCode 603")
    assert failures[2].endswith("but no acknowledgement came back (outcome http_status)")


def test_a_settings_warning_names_the_service_type_it_is_about(
    backends: BackendPool, materials: Materials
) -> None:
    reservation = REPO / "scenarios" / "onboarding" / "reservation-start-stop.yaml"
    backend = backends.get("stub", BackendSpec())
    _, report = run_scenario(reservation, backend.url + "/api/oicp", materials)
    notes = report["scenarios"][0]["notes"]
    assert [note.split(": ", 2)[1] for note in notes] == [
        "authorization.service_url",
        "reservation.service_url",
    ]
