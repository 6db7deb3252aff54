"""``hubsim scenario run|check|schema``: exit codes for CI, reports, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from hubsim.cli import main
from hubsim.scenario.stage import StagePKI
from tests.scenarios.conftest import WriteScenario

PASSING = """
name: passing
steps:
  - {id: start, send: remote-start, evse_id: "DE*ABC*E0001"}
"""
FAILING = """
name: failing
steps:
  - {id: start, send: remote-start, evse_id: "DE*ABC*E0001", expect: {status_code: "602"}}
"""


@pytest.fixture
def pki_arg(hubsim_pki: StagePKI) -> str:
    return f"--pki={hubsim_pki.files.directory}"


def test_run_exits_0_when_every_step_passes(
    write_scenario: WriteScenario, pki_arg: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scenario", "run", str(write_scenario(PASSING)), pki_arg]) == 0
    out = capsys.readouterr().out
    assert "PASS  passing" in out
    assert out.rstrip().endswith("1 scenario, 1 step: 1 passed, 0 failed")


def test_run_exits_1_when_a_step_fails(write_scenario: WriteScenario, pki_arg: str) -> None:
    paths = [str(write_scenario(PASSING, "a.yaml")), str(write_scenario(FAILING, "b.yaml"))]
    assert main(["scenario", "run", *paths, pki_arg]) == 1


def test_run_exits_2_naming_file_line_and_field_for_a_broken_file(
    write_scenario: WriteScenario, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_scenario(PASSING.replace("remote-start", "remote-begin"))
    assert main(["scenario", "run", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"hubsim: error: {path}:3: steps[0].send: is 'remote-begin'")


def test_junit_option_writes_one_testcase_per_step(
    write_scenario: WriteScenario, pki_arg: str, tmp_path: Path
) -> None:
    junit = tmp_path / "junit.xml"
    main(["scenario", "run", str(write_scenario(FAILING)), pki_arg, f"--junit={junit}"])
    cases = etree.parse(str(junit)).getroot().findall("testsuite/testcase")
    assert [(case.get("name"), case.find("failure") is not None) for case in cases] == [
        ("start", True)
    ]


def test_json_option_prints_one_json_object(
    write_scenario: WriteScenario, pki_arg: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scenario", "run", str(write_scenario(PASSING)), pki_arg, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["passed"] is True
    assert data["scenarios"][0]["steps"][0]["exchange"]["status_code"] == "000"


def test_set_replaces_a_variable_from_the_command_line(
    write_scenario: WriteScenario, pki_arg: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "variables: {evse: 'DE*ABC*E0001'}\n" + PASSING.replace('"DE*ABC*E0001"', '"${evse}"')
    path = write_scenario(text)
    assert main(["scenario", "run", str(path), pki_arg, "--set", "evse=DE*ABC*E0042"]) == 0
    assert "remote-start DE*ABC*E0042" in capsys.readouterr().out


def test_server_cert_without_target_is_refused(
    write_scenario: WriteScenario, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_scenario(PASSING)
    assert main(["scenario", "run", str(path), "--server-cert", "hubject"]) == 2
    assert "--server-cert applies with --target only" in capsys.readouterr().err


def test_check_validates_without_running(
    write_scenario: WriteScenario, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scenario", "check", str(write_scenario(PASSING))]) == 0
    assert "1 scenario file, 1 step: the format is valid" in capsys.readouterr().out


def test_schema_prints_the_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "hubsim scenario"
