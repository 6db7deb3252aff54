"""``hubsim check`` on the command line: exit codes, the terminal report, --json, --junit."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from lxml import etree

from cpo_stub import CPOStub
from hubsim.cli import main
from hubsim.commands.check_cmd import print_report
from mockpki import PKIFiles
from simulator.app import HubOptions, running_hub
from simulator.check import LAYERS, CheckReport
from tests.check.conftest import Background, free_port, one_shot

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("junit.xsd"))))
REPORT_FIELDS = {"ok", "mode", "target", "started_at", "elapsed_ms", "summary", "layers"}
LAYER_FIELDS = {"number", "key", "name", "status", "reason", "fix", "details"}
TARGET_FIELDS = {
    "service_type",
    "operator_id",
    "service_url",
    "url",
    "server_certification",
    "operation",
    "provider_id",
    "evse_id",
    "timeout_s",
}


def one_shot_args(url: str, pki_files: PKIFiles) -> list[str]:
    return ["check", "--url", url, "--server-cert", "hubject", "--pki", str(pki_files.directory)]


def refused_url() -> str:
    return f"https://127.0.0.1:{free_port()}"


@pytest.fixture
def stub_url(background: Background, pki_files: PKIFiles) -> str:
    stub = background.enter(CPOStub.from_pki_dir(pki_files.directory))
    return stub.url


def test_exit_code_is_0_when_no_layer_failed(
    stub_url: str, pki_files: PKIFiles, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(one_shot_args(stub_url, pki_files)) == 0
    out = capsys.readouterr().out
    for info in LAYERS:
        assert f"{info.number:>2} {info.name}" in out
    assert "OK: 12 passed, 0 warned, 0 failed, 0 skipped" in out


def test_exit_code_is_1_when_a_layer_failed(
    pki_files: PKIFiles, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(one_shot_args(refused_url(), pki_files)) == 1
    out = capsys.readouterr().out
    assert " 4 TCP connect" in out and "FAIL" in out and "fix: Start the backend" in out
    assert "FAILED: 3 passed, 0 warned, 1 failed, 8 skipped" in out


def test_exit_code_is_2_without_a_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 2
    assert "say what to check: --operator ID" in capsys.readouterr().err


def test_exit_code_is_2_for_a_folder_without_a_pki(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", "--url", "https://localhost:1", "--server-cert", "hubject"]
    assert main([*args, "--pki", str(tmp_path)]) == 2
    assert "hubsim pki init --dir" in capsys.readouterr().err


def test_exit_code_is_2_for_a_timeout_over_60_seconds(
    pki_files: PKIFiles, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*one_shot_args(refused_url(), pki_files), "--timeout", "61"]) == 2
    assert "--timeout 61 is out of range" in capsys.readouterr().err


def test_terminal_report_has_no_colour_when_stdout_is_not_a_terminal(
    pki_files: PKIFiles, capsys: pytest.CaptureFixture[str]
) -> None:
    main(one_shot_args(refused_url(), pki_files))
    assert "\033[" not in capsys.readouterr().out


async def test_terminal_report_is_coloured_on_a_terminal(pki_files: PKIFiles) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    report = await one_shot(refused_url(), pki_files)
    stream = Terminal()
    print_report(report, stream)
    assert "\033[32mPASS\033[0m" in stream.getvalue()
    assert "\033[31mFAIL\033[0m" in stream.getvalue()


def test_json_output_has_the_documented_field_names(
    pki_files: PKIFiles, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*one_shot_args(refused_url(), pki_files), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert set(data) == REPORT_FIELDS
    assert set(data["target"]) == TARGET_FIELDS
    assert set(data["summary"]) == {"pass", "warn", "fail", "skip"}
    assert [layer["key"] for layer in data["layers"]] == [info.key for info in LAYERS]
    assert all(set(layer) == LAYER_FIELDS for layer in data["layers"])
    assert data["ok"] is False and data["mode"] == "one-shot"
    assert CheckReport.from_json(data).to_json() == data


def _junit(path: Path) -> etree._ElementTree:
    return etree.parse(str(path))


def test_junit_file_is_valid_junit_xml(
    pki_files: PKIFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "check.xml"
    assert main([*one_shot_args(refused_url(), pki_files), "--junit", str(path)]) == 1
    doc = _junit(path)
    SCHEMA.assertValid(doc)


def test_junit_has_one_testcase_per_layer_with_failure_and_skipped_elements(
    pki_files: PKIFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "check.xml"
    main([*one_shot_args(refused_url(), pki_files), "--junit", str(path)])
    suite = _junit(path).getroot().find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == [f"{i.number:02d} {i.name}" for i in LAYERS]
    failed = [case.get("name") for case in cases if case.find("failure") is not None]
    skipped = [case.get("name") for case in cases if case.find("skipped") is not None]
    assert failed == ["04 TCP connect"]
    assert len(skipped) == 8
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("12", "1", "8")
    assert all(case.find("system-out") is not None for case in cases)
    failure = cases[3].find("failure")
    assert failure is not None and "connection refused" in (failure.get("message") or "")


def test_junit_of_a_passing_check_has_no_failures(
    stub_url: str, pki_files: PKIFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "check.xml"
    assert main([*one_shot_args(stub_url, pki_files), "--junit", str(path)]) == 0
    doc = _junit(path)
    SCHEMA.assertValid(doc)
    assert doc.getroot().get("failures") == "0" and doc.getroot().get("skipped") == "0"


# --- through a running hub ---------------------------------------------------------------------


async def _configure(hub_url: str, stub_url: str) -> None:
    settings = {"online_request": True, "service_url": stub_url}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{hub_url}/api/operators", json={"operator_id": "DE*ABC"}) as r:
            assert r.status == 201
        path = f"{hub_url}/api/operators/DE*ABC/settings/authorization"
        async with session.put(path, json=settings) as r:
            assert r.status == 200, await r.text()


@pytest.fixture
def hub_url(background: Background, pki_files: PKIFiles, stub_url: str) -> str:
    running = background.enter(running_hub(HubOptions(pki_dir=pki_files.directory)))
    background.run(_configure(running.url, stub_url))
    return running.url


def test_check_through_a_running_hub_exits_0(
    hub_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", "--operator", "DE*ABC", "--service", "authorization", "--hub", hub_url]
    assert main([*args, "--json"]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["mode"] == "operator"
    assert data["target"]["operator_id"] == "DE*ABC"


def test_check_through_a_running_hub_reports_a_failing_service_type(
    hub_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", "--operator", "DE*ABC", "--service", "reservation", "--hub", hub_url]
    assert main(args) == 1
    assert "has no saved settings" in capsys.readouterr().out


def test_check_through_a_hub_that_refuses_exits_2(
    hub_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", "--operator", "DE*XYZ", "--service", "authorization", "--hub", hub_url]
    assert main(args) == 2
    assert "the hub refused" in capsys.readouterr().err


def test_check_without_a_running_hub_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    hub = f"http://127.0.0.1:{free_port()}"
    assert main(["check", "--operator", "DE*ABC", "--service", "authorization", "--hub", hub]) == 2
    assert "cannot reach the hub" in capsys.readouterr().err


def test_operator_mode_needs_a_service(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--operator", "DE*ABC"]) == 2
    assert "--service authorization" in capsys.readouterr().err


def test_check_through_a_hub_with_an_admin_token_sends_the_token(
    background: Background, pki_files: PKIFiles, capsys: pytest.CaptureFixture[str]
) -> None:
    options = HubOptions(pki_dir=pki_files.directory, admin_token="s3cret-admin-token-16")
    hub = background.enter(running_hub(options)).url
    args = ["check", "--operator", "DE*ABC", "--service", "authorization", "--hub", hub]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "wants its admin token (no admin token given)" in err
    assert "--admin-token TOKEN or set HUBSIM_ADMIN_TOKEN" in err
    assert main([*args, "--admin-token", "not-the-token"]) == 2
    assert "the admin token given is not the hub's" in capsys.readouterr().err
    assert (
        main([*args, "--admin-token", "s3cret-admin-token-16"]) == 2
    )  # now the hub answers: no such operator
    assert "no operator 'DE*ABC' is configured" in capsys.readouterr().err
