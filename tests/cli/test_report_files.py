"""Report files (``--junit``, ``--report-json``) as CI reads them: written after the report,
named when they cannot be written, and never left over from an earlier run."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import pytest

from mockpki import PKIFiles
from tests.backends.stacks import REPO
from tests.cli.conftest import hubsim

UNKNOWN_EVSE = REPO / "scenarios" / "onboarding" / "unknown-evse.yaml"


def _closed_url() -> str:
    """An https URL on a loopback port that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"https://localhost:{sock.getsockname()[1]}"


def _one_shot(pki: PKIFiles) -> list[str]:
    return ["--server-cert", "hubject", "--pki", str(pki.directory)]


def _command(name: str, pki: PKIFiles, url: str) -> list[str]:
    """A run of ``name`` that ends with a report: its target answers nothing."""
    if name == "check":
        return ["check", "--url", url, *_one_shot(pki)]
    return ["scenario", "run", str(UNKNOWN_EVSE), "--target", url, "--pki", str(pki.directory)]


@pytest.mark.parametrize("name", ["check", "scenario"])
async def test_a_junit_file_that_cannot_be_written_is_named_and_exits_2(
    name: str, pki_files: PKIFiles
) -> None:
    run = await hubsim(*_command(name, pki_files, _closed_url()), "--junit", "/dev/full")
    assert run.code == 2, run.err
    assert run.out  # the report came first
    assert run.err == (
        "hubsim: error: --junit '/dev/full': the file could not be written (No space left on "
        "device); the report above is complete\n"
    )


@pytest.mark.parametrize(
    ("option", "refused"),
    [
        ("--junit", ["check", "--url", "https://localhost:1", "--timeout", "0"]),
        ("--junit", ["scenario", "run", "no-such-file.yaml"]),
        ("--junit", ["load", "--url", "https://localhost:1", "-c", "1", "--requests", "0"]),
        ("--report-json", ["fuzz", "--url", "https://localhost:1", "--max-examples", "0"]),
    ],
)
async def test_a_refused_run_leaves_no_report_file_of_an_earlier_run(
    option: str, refused: list[str], pki_files: PKIFiles, tmp_path: Path
) -> None:
    earlier = tmp_path / "report"
    earlier.write_text("<testsuites/> of an earlier run")
    run = await hubsim(*refused, *_one_shot(pki_files), option, str(earlier))
    assert run.code == 2 and run.err.startswith("hubsim: error: "), run.err
    assert not earlier.exists()


async def _with_stdout(redirect: str, *args: str) -> tuple[int, str]:
    """``hubsim ARGS`` with its stdout redirected by the shell (``>&-``, ``> /dev/full``)."""
    proc = await asyncio.create_subprocess_exec(
        "sh", "-c", f'exec "$0" -m hubsim "$@" {redirect}', sys.executable, *args,
        stderr=asyncio.subprocess.PIPE, cwd=REPO,
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, err.decode()


async def test_a_closed_stdout_is_refused_before_the_run_since_the_report_would_be_lost(
    pki_files: PKIFiles,
) -> None:
    code, err = await _with_stdout(">&-", *_command("check", pki_files, _closed_url()))
    assert code == 2
    assert err == (
        "hubsim: error: standard output is closed (>&-), so the report would be lost: send it "
        "to a file (> report.txt), or to /dev/null to discard it\n"
    )


async def test_a_command_without_a_report_runs_with_stdout_closed() -> None:
    target = _closed_url().removeprefix("https://")
    code, err = await _with_stdout(">&-", "wait", "--timeout", "0.1", target)
    assert code == 1 and err.startswith(f"hubsim: error: {target} is not ready"), err


async def test_a_report_that_cannot_be_written_to_stdout_names_stdout(pki_files: PKIFiles) -> None:
    code, err = await _with_stdout("> /dev/full", *_command("check", pki_files, _closed_url()))
    assert code == 2
    assert err == (
        "hubsim: error: the report could not be written to standard output (No space left on "
        "device); send it where there is room, or to a file\n"
    )
