"""``hubsim fuzz`` against real processes: the CPO stub, and seeded bugs behind nginx or
served over the backend's own TLS. Every UNEXPECTED class is found, shrunk and reproduced
by running the printed curl command.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hubsim.fuzz.classify import Unexpected

from .support import hubsim, nginx_in_front, run_curl, seeded_backend, stub_process


def _fuzz(url: str, pki_dir: Path, tmp: Path, *extra: str) -> tuple[int, dict[str, Any], Path]:
    report, junit = tmp / "fuzz.json", tmp / "fuzz.xml"
    ran = hubsim(
        "fuzz", "--url", url, "--server-cert", "hubject", "--pki", str(pki_dir),
        "--report-json", str(report), "--junit", str(junit), *extra,
    )  # fmt: skip
    assert report.exists(), ran.stderr + ran.stdout
    return ran.returncode, json.loads(report.read_text()), junit


def _finding(report: dict[str, Any], unexpected: Unexpected) -> dict[str, Any]:
    found = [f for f in report["findings"] if f["class"] == unexpected.value]
    assert found, [f["class"] for f in report["findings"]]
    return found[0]


# --- the stub --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stub_runs(
    pki_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[tuple[int, dict[str, Any], Path]]]:
    with stub_process(pki_dir) as stub:
        every = ["--max-examples", "10", "--seed", "7"]
        stops = ["--operation", "remote-stop", *every]
        yield [
            _fuzz(stub.url, pki_dir, tmp_path_factory.mktemp("fuzz-stub-all"), *every),
            _fuzz(stub.url, pki_dir, tmp_path_factory.mktemp("fuzz-stub-1"), *stops),
            _fuzz(stub.url, pki_dir, tmp_path_factory.mktemp("fuzz-stub-2"), *stops),
        ]


def test_fuzzing_the_stub_finds_nothing_unexpected(
    stub_runs: list[tuple[int, dict[str, Any], Path]],
) -> None:
    code, report, _ = stub_runs[0]
    assert (code, report["ok"], report["findings"]) == (0, True, [])
    assert all(t["handled"] == t["examples"] == 10 for t in report["targets"])


def test_fuzz_covers_the_four_operations_in_both_path_styles(
    stub_runs: list[tuple[int, dict[str, Any], Path]],
) -> None:
    _, report, _ = stub_runs[0]
    assert [(t["operation"], t["path_style"]) for t in report["targets"]] == [
        ("eRoamingAuthorizeRemoteStart", "hubject"),
        ("eRoamingAuthorizeRemoteStop", "hubject"),
        ("eRoamingAuthorizeRemoteReservationStart", "hubject"),
        ("eRoamingAuthorizeRemoteReservationStart", "charging"),
        ("eRoamingAuthorizeRemoteReservationStop", "hubject"),
        ("eRoamingAuthorizeRemoteReservationStop", "charging"),
    ]


def test_fuzz_sends_valid_and_invalid_bodies(
    stub_runs: list[tuple[int, dict[str, Any], Path]],
) -> None:
    _, report, _ = stub_runs[0]
    for target in report["targets"]:
        assert 0 < target["valid_bodies"] < target["examples"], target


def test_same_seed_same_examples(stub_runs: list[tuple[int, dict[str, Any], Path]]) -> None:
    first, second = (run[1]["targets"] for run in stub_runs[1:])
    assert first == second


def test_junit_report_has_one_passing_testcase_per_target(
    stub_runs: list[tuple[int, dict[str, Any], Path]],
) -> None:
    _, _, junit = stub_runs[0]
    suite = ET.parse(junit).getroot()
    cases = suite.findall("testcase")
    assert len(cases) == 6 and suite.get("failures") == "0"
    assert all(case.find("failure") is None for case in cases)


# --- the seeded bugs behind nginx --------------------------------------------------------------


@pytest.fixture(scope="module")
def nginx_runs(
    pki_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[tuple[int, dict[str, Any], Path]]]:
    bugs = ["lowercase-evse-500", "missing-evco-true"]
    with (
        seeded_backend(bugs) as backend,
        nginx_in_front(backend.url, pki_dir, tmp_path_factory.mktemp("nginx-fuzz")) as nginx,
    ):
        yield [
            _fuzz(
                nginx.url,
                pki_dir,
                tmp_path_factory.mktemp("fuzz-nginx"),
                *("--operation", "remote-start", "--max-examples", "40", "--seed", "1"),
            )
        ]


def test_500_on_a_lowercase_evse_id_is_found_and_shrunk(
    nginx_runs: list[tuple[int, dict[str, Any], Path]],
) -> None:
    code, report, _ = nginx_runs[0]
    found = _finding(report, Unexpected.HTTP_5XX)
    assert code == 1 and not report["ok"]
    body = found["minimal_body"]
    assert list(body) == ["EvseID"] and body["EvseID"] != body["EvseID"].upper()
    # Nothing but the two seeded bugs is found: the backend is otherwise correct.
    classes = {f["class"] for f in report["findings"]}
    assert classes == {Unexpected.HTTP_5XX.value, Unexpected.RESULT_TRUE_FOR_INVALID.value}


def test_result_true_for_a_missing_evco_id_is_found_and_shrunk(
    nginx_runs: list[tuple[int, dict[str, Any], Path]],
) -> None:
    _, report, _ = nginx_runs[0]
    found = _finding(report, Unexpected.RESULT_TRUE_FOR_INVALID)
    assert found["operation"] in (
        "eRoamingAuthorizeRemoteStart",
        "eRoamingAuthorizeRemoteReservationStart",
    )
    assert found["minimal_body"] == {"Identification": {"RemoteIdentification": {}}}


def test_printed_curl_reproduces_the_500(
    nginx_runs: list[tuple[int, dict[str, Any], Path]],
) -> None:
    _, report, _ = nginx_runs[0]
    replay = run_curl(_finding(report, Unexpected.HTTP_5XX)["curl"])
    assert replay.stdout.rstrip().endswith("HTTP 500"), replay


def test_printed_curl_reproduces_result_true(
    nginx_runs: list[tuple[int, dict[str, Any], Path]],
) -> None:
    _, report, _ = nginx_runs[0]
    replay = run_curl(_finding(report, Unexpected.RESULT_TRUE_FOR_INVALID)["curl"])
    answer, status = replay.stdout.rstrip().rsplit("\n", 1)
    assert status == "HTTP 200" and json.loads(answer)["Result"] is True


def test_junit_report_fails_the_targets_with_findings(
    nginx_runs: list[tuple[int, dict[str, Any], Path]],
) -> None:
    _, report, junit = nginx_runs[0]
    failed = {
        case.get("name")
        for case in ET.parse(junit).getroot().findall("testcase")
        if case.find("failure") is not None
    }
    expected = {f"{f['operation']} ({f['path_style']} path)" for f in report["findings"]}
    assert failed == expected and failed


# --- every other UNEXPECTED class, served by the backend's own mutual TLS ------------------------

CLASSES = [
    ("bad-evse-not-json", Unexpected.NOT_JSON, "HTTP 200"),
    ("bad-evse-404", Unexpected.HTTP_STATUS, "HTTP 404"),
    ("bad-evse-not-ack", Unexpected.NOT_ACKNOWLEDGEMENT, "HTTP 200"),
    ("bad-evse-602", Unexpected.UNFITTING_CODE, "HTTP 200"),
    ("bad-evse-drop", Unexpected.CONNECTION_DROPPED, None),
    ("bad-evse-hang", Unexpected.TIMEOUT, None),
]


def _class_run(bug: str, pki_dir: Path, tmp: Path) -> tuple[int, dict[str, Any], str]:
    """Fuzz remote stops against the backend with ``bug``; the finding's curl, replayed."""
    with seeded_backend([bug], tls_pki=pki_dir) as backend:
        code, report, _ = _fuzz(
            backend.url, pki_dir, tmp, "--operation", "remote-stop", "--max-examples", "12",
            "--seed", "2", "--timeout", "1",
        )  # fmt: skip
        replay = ""
        if report["findings"]:
            ran = run_curl(report["findings"][0]["curl"])
            replay = f"{ran.returncode}\n{ran.stdout}"
    return code, report, replay


@pytest.mark.parametrize(
    ("bug", "unexpected", "status"), CLASSES, ids=[c[1].value for c in CLASSES]
)
def test_unexpected_class_is_found_shrunk_and_reproduced(
    bug: str, unexpected: Unexpected, status: str | None, pki_dir: Path, tmp_path: Path
) -> None:
    code, report, replay = _class_run(bug, pki_dir, tmp_path)
    assert code == 1
    (found,) = report["findings"]
    assert found["class"] == unexpected.value
    # The bug fires on any body without a valid upper-case EvseID: the smallest is {}.
    assert found["minimal_body"] == {}
    returncode, output = replay.split("\n", 1)
    if status is None:  # no HTTP answer: curl fails as the hub's call did
        assert returncode != "0", replay
    else:
        assert output.rstrip().endswith(status), replay


def test_same_seed_same_findings(pki_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "1").mkdir()
    (tmp_path / "2").mkdir()
    runs = [_class_run("bad-evse-404", pki_dir, tmp_path / str(n))[1] for n in (1, 2)]
    first, second = (
        [(f["class"], f["minimal_body"], f["occurrences"]) for f in r["findings"]] for r in runs
    )
    assert first == second and first
    assert runs[0]["targets"] == runs[1]["targets"]


def test_max_time_bounds_the_run(pki_dir: Path, tmp_path: Path) -> None:
    with seeded_backend(["bad-evse-hang"], tls_pki=pki_dir) as backend:
        code, report, _ = _fuzz(
            backend.url, pki_dir, tmp_path, "--operation", "remote-stop", "--max-examples", "1000",
            "--max-time", "2", "--timeout", "1",
        )  # fmt: skip
    (target,) = report["targets"]
    assert target["examples"] < 1000
    assert code == 1  # what was found before the time was up is still reported


def test_fuzz_refuses_bad_bounds_naming_the_option(pki_dir: Path) -> None:
    ran = hubsim(
        "fuzz",
        "--url",
        "https://localhost:1",
        "--server-cert",
        "hubject",
        "--pki",
        str(pki_dir),
        "--max-examples",
        "0",
    )
    assert ran.returncode == 2
    assert ran.stderr.strip() == "hubsim: error: --max-examples 0 must be at least 1"


def test_unreachable_endpoint_is_a_setup_error_not_a_finding(pki_dir: Path) -> None:
    with seeded_backend([], tls_pki=pki_dir) as backend:
        port = backend.url.rsplit(":", 1)[1]
    # The backend has ended: nothing listens on its port any more.
    ran = hubsim(
        "fuzz", "--url", f"https://localhost:{port}", "--server-cert", "hubject", "--pki",
        str(pki_dir), "--max-examples", "3",
    )  # fmt: skip
    assert ran.returncode == 2
    assert ran.stderr.startswith(f"hubsim: error: cannot fuzz https://localhost:{port}: ")
    assert "Run 'hubsim check' on it" in ran.stderr
