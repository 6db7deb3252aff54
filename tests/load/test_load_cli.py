"""``hubsim load`` as a user runs it: a real process against a real stub process."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import re
import signal
import sys
from asyncio.subprocess import DEVNULL, PIPE
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import aiohttp
import pytest

from mockpki import PKIFiles
from tests.cli.conftest import HUBSIM, Run, Served, hubsim, serve, write
from tests.load.conftest import Nginx, StubProcess, load_json, one_shot


async def test_every_request_sent_is_one_the_stub_recorded(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    run, report = await load_json(*one_shot(stub, pki_files, "-c", "4", "--requests", "40"))
    assert run.code == 0, run.err
    records = await stub.records()
    assert report["requests"] == len(records) >= 40
    assert report["outcomes"] == {
        "accepted": {"count": len(records), "first_detail": "Accepted (StatusCode 000)."}
    }
    assert report["within_budget"] == 1.0


async def test_a_start_then_stop_stops_the_session_it_started(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    run, _ = await load_json(
        *one_shot(stub, pki_files, "-c", "1", "--requests", "6", "--mix", "remote-start-stop")
    )
    assert run.code == 0, run.err
    records = await stub.records()
    operations = [r["operation"] for r in records]
    assert operations == ["eRoamingAuthorizeRemoteStart", "eRoamingAuthorizeRemoteStop"] * 3
    for start, stop in zip(records[::2], records[1::2], strict=True):
        assert stop["SessionID"] == start["SessionID"] and stop["EvseID"] == start["EvseID"]


async def test_reservations_carry_the_duration_given(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    args = ("-c", "1", "--requests", "2", "--mix", "reservation-start-stop")
    run, _ = await load_json(*one_shot(stub, pki_files, *args, "--reservation-duration", "42"))
    assert run.code == 0, run.err
    start, stop = await stub.records()
    assert start["operation"] == "eRoamingAuthorizeRemoteReservationStart"
    assert start["body"]["Duration"] == 42
    assert stop["operation"] == "eRoamingAuthorizeRemoteReservationStop"
    assert stop["SessionID"] == start["SessionID"]


async def test_the_mix_follows_its_weights(stub: StubProcess, pki_files: PKIFiles) -> None:
    mix = "remote-start=3,reservation-start=1"
    run, _ = await load_json(
        *one_shot(stub, pki_files, "-c", "2", "--requests", "40", "--mix", mix)
    )
    assert run.code == 0, run.err
    counts = Counter(r["operation"] for r in await stub.records())
    assert counts == {
        "eRoamingAuthorizeRemoteStart": 30,
        "eRoamingAuthorizeRemoteReservationStart": 10,
    }


async def test_evse_ids_are_drawn_in_turn_from_the_pattern(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    args = ("-c", "1", "--requests", "6", "--mix", "remote-start-stop")
    run, _ = await load_json(*one_shot(stub, pki_files, *args, "--evse", "DE*ABC*E[098-100]"))
    assert run.code == 0, run.err
    evses = [r["EvseID"] for r in await stub.records()]
    assert evses == ["DE*ABC*E098"] * 2 + ["DE*ABC*E099"] * 2 + ["DE*ABC*E100"] * 2


async def test_each_rejection_code_is_counted_with_its_first_diagnosis(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    for evse in ("DE*ABC*E2", "DE*ABC*E4"):
        await stub.behave(evse, {"type": "reject", "code": "603"})
    args = ("-c", "1", "--requests", "4", "--mix", "remote-start", "--evse", "DE*ABC*E[1-4]")
    run, report = await load_json(*one_shot(stub, pki_files, *args))
    assert run.code == 0, run.err  # no threshold given: rejections alone do not fail the run
    rejected = report["outcomes"]["rejected:603"]
    assert rejected["count"] == 2 and "StatusCode 603" in rejected["first_detail"]
    assert report["outcomes"]["accepted"]["count"] == 2
    assert report["errors"] == 2 and report["error_rate"] == 0.5


async def test_an_error_rate_above_the_threshold_exits_1_and_fails_the_junit_case(
    stub: StubProcess, pki_files: PKIFiles, tmp_path: Path
) -> None:
    await stub.behave("DE*ABC*E2", {"type": "reject", "code": "603"})
    junit = tmp_path / "load.xml"
    args = ("-c", "1", "--requests", "4", "--mix", "remote-start", "--evse", "DE*ABC*E[1-4]")
    run, report = await load_json(
        *one_shot(stub, pki_files, *args, "--max-error-rate", "10%", "--junit", str(junit))
    )
    assert run.code == 1
    assert report["ok"] is False
    assert [(t["name"], t["ok"]) for t in report["thresholds"]] == [("error_rate", False)]
    case = ET.parse(junit).getroot().find("testcase")
    assert case is not None and case.get("name") == "error_rate"
    assert case.find("failure") is not None


async def test_a_threshold_carries_its_measured_value_and_limit_for_scripts(
    stub: StubProcess, pki_files: PKIFiles, tmp_path: Path
) -> None:
    await stub.behave("DE*ABC*E2", {"type": "reject", "code": "603"})
    junit = tmp_path / "load.xml"
    args = ("-c", "1", "--requests", "4", "--mix", "remote-start", "--evse", "DE*ABC*E[1-4]")
    _, report = await load_json(
        *one_shot(stub, pki_files, *args, "--max-error-rate", "10%", "--junit", str(junit))
    )
    (threshold,) = report["thresholds"]
    assert (threshold["value"], threshold["limit"]) == (0.25, 0.1)
    suite = ET.parse(junit).getroot()
    case = suite.find("testcase")
    assert suite.get("errors") == "0" and case is not None and case.get("time")
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "threshold"


async def test_a_p99_above_the_threshold_exits_1(stub: StubProcess, pki_files: PKIFiles) -> None:
    await stub.behave("_default", {"type": "delay", "seconds": 0.3, "then": {"type": "accept"}})
    run, report = await load_json(
        *one_shot(stub, pki_files, "-c", "2", "--requests", "4", "--max-p99-ms", "100")
    )
    assert run.code == 1, run.err
    assert report["latency_ms"]["p99"] >= 300
    assert report["thresholds"][0]["name"] == "p99" and not report["thresholds"][0]["ok"]


async def test_thresholds_that_hold_exit_0(stub: StubProcess, pki_files: PKIFiles) -> None:
    run, report = await load_json(
        *one_shot(stub, pki_files, "-c", "2", "--requests", "10", "--max-error-rate", "0")
    )
    assert run.code == 0, run.err
    assert report["ok"] is True


async def test_workers_together_send_the_requests_asked_and_the_stub_saw_them_all(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    args = ("-c", "4", "--requests", "40", "--mix", "remote-start", "--workers", "2")
    run, report = await load_json(*one_shot(stub, pki_files, *args))
    assert run.code == 0, run.err
    records = await stub.records()
    assert report["workers"] == 2
    assert report["requests"] == len(records) == 40
    # The two processes took alternate operation numbers: every EvseID once.
    assert len({r["EvseID"] for r in records}) == 40


async def test_a_rate_sends_the_requests_asked(stub: StubProcess, pki_files: PKIFiles) -> None:
    args = ("--rate", "200/s", "--requests", "20", "--mix", "remote-start")
    run, report = await load_json(*one_shot(stub, pki_files, *args))
    assert run.code == 0, run.err
    assert report["requests"] == len(await stub.records()) == 20


async def test_a_slow_rate_ends_when_its_last_operation_is_answered(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    # At --rate 0.01 the next slot is 100 s away: the run waited for it although nothing
    # more could start, and reported its rate over that idle wait.
    args = ("--rate", "0.01", "--requests", "1", "--mix", "remote-start")
    run, report = await load_json(*one_shot(stub, pki_files, *args))
    assert run.code == 0, run.err
    assert report["requests"] == len(await stub.records()) == 1
    assert report["seconds"] < 100


async def test_a_slow_rate_with_a_duration_ends_at_the_duration(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    args = ("--rate", "0.01", "--duration", "1s", "--mix", "remote-start")
    run, report = await load_json(*one_shot(stub, pki_files, *args))
    assert run.code == 0, run.err
    assert report["requests"] == 1 and report["seconds"] < 100


async def test_a_duration_ends_the_run(stub: StubProcess, pki_files: PKIFiles) -> None:
    run, report = await load_json(*one_shot(stub, pki_files, "-c", "2", "--duration", "0.5s"))
    assert run.code == 0, run.err
    assert report["requests"] == len(await stub.records()) > 0


async def test_an_unreachable_backend_is_counted_with_the_hubs_diagnosis(
    pki_files: PKIFiles,
) -> None:
    url = "https://localhost:1"  # nothing listens on port 1
    _, report = await load_json(
        "load",
        "--url",
        url,
        "--server-cert",
        "hubject",
        "--pki",
        str(pki_files.directory),
        "-c",
        "1",
        "--requests",
        "2",
        "--mix",
        "remote-start",
    )
    refused = report["outcomes"]["connection_refused"]
    assert refused["count"] == 2 and "localhost:1" in refused["first_detail"]
    assert report["within_budget"] == 0.0


async def test_progress_lines_are_plain_lines_when_not_on_a_terminal(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    # Single starts: with start-stop pairs the total may pass 20 by one stop per user.
    args = ("-c", "2", "--requests", "20", "--mix", "remote-start")
    run = await hubsim(*one_shot(stub, pki_files, *args))
    assert run.code == 0, run.err
    assert "\r" not in run.err and "\033" not in run.err
    last = run.err.splitlines()[-1]
    assert last.split()[2:4] == ["20", "requests"] and "req/s" not in last  # the totals
    assert run.out.startswith("20 requests in ") or "requests in" in run.out.splitlines()[0]
    assert "outcomes:" in run.out and "accepted" in run.out


async def test_with_workers_progress_begins_when_their_load_does(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    # A worker process takes about half a second to start: lines counted from the command's
    # start read "0 requests" until then. Half a second of load answers many requests.
    args = ("-c", "2", "--duration", "1.5s", "--workers", "2", "--progress-interval", "0.5")
    run = await hubsim(*one_shot(stub, pki_files, *args))
    assert run.code == 0, run.err
    lines = [line for line in run.err.splitlines() if " requests " in line]
    assert lines, run.err
    assert all(int(line.split()[2]) > 0 for line in lines), run.err


async def test_fresh_connections_make_a_handshake_per_request(
    nginx: Nginx, pki_files: PKIFiles
) -> None:
    base = (
        "load",
        "--url",
        nginx.url,
        "--server-cert",
        "hubject",
        "--pki",
        str(pki_files.directory),
    )
    args = (*base, "-c", "2", "--requests", "10", "--mix", "remote-start")
    fresh, report = await load_json(*args, "--fresh-connections")
    assert fresh.code == 0, fresh.err
    assert report["outcomes"]["accepted"]["count"] == 10
    assert len(set(nginx.connections())) == 10  # a new connection for each request


async def test_without_fresh_connections_each_user_keeps_its_connection(
    nginx: Nginx, pki_files: PKIFiles
) -> None:
    base = (
        "load",
        "--url",
        nginx.url,
        "--server-cert",
        "hubject",
        "--pki",
        str(pki_files.directory),
    )
    reused, _ = await load_json(*base, "-c", "2", "--requests", "10", "--mix", "remote-start")
    assert reused.code == 0, reused.err
    assert len(nginx.connections()) == 10 and len(set(nginx.connections())) <= 2


async def hub_for(
    stub: StubProcess, pki: PKIFiles, served: list[Served], tmp: Path, *extra: str
) -> Served:
    """A hub process whose operator DE*ABC sends its Authorization requests to the stub."""
    config = write(
        tmp / "hub.yaml",
        f"""
pki_dir: {pki.directory}
operators:
  - operator_id: "DE*ABC"
    settings:
      authorization:
        online_request: true
        service_url: "{stub.url}"
        server_certification: hubject
""",
    )
    hub = await serve(
        "hub", "serve", "--config", str(config), "--port", "0", *extra, ready="listening on"
    )
    served.append(hub)
    return hub


async def test_through_the_hub_every_request_is_in_its_process_monitor(
    stub: StubProcess, pki_files: PKIFiles, served: list[Served], tmp_path: Path
) -> None:
    hub = await hub_for(stub, pki_files, served, tmp_path)
    run, report = await load_json(
        "load", "--operator", "DE*ABC", "--hub", hub.url, "-c", "2", "--requests", "10"
    )
    assert run.code == 0, run.err
    async with aiohttp.ClientSession() as session, session.get(f"{hub.url}/api/exchanges") as r:
        logged = (await r.json())["exchanges"]
    assert report["requests"] == len(logged) == len(await stub.records())
    assert {e["outcome"] for e in logged} == {"accepted"}


async def test_an_unknown_operator_is_refused_before_any_load(
    served: list[Served], pki_files: PKIFiles
) -> None:
    hub = await serve(
        "hub", "serve", "--pki", str(pki_files.directory), "--port", "0", ready="listening on"
    )
    served.append(hub)
    run = await hubsim("load", "--operator", "DE*XYZ", "--hub", hub.url, "--requests", "5")
    assert run.code == 2
    assert "DE*XYZ" in run.err and "Traceback" not in run.err
    assert "--operator: no operator 'DE*XYZ' is configured" in run.err  # the option typed


async def test_importing_hubsim_needs_no_locust() -> None:
    code = (
        "import sys; sys.modules['locust'] = None; sys.modules['gevent'] = None\n"
        "import hubsim.cli, hubsim.load\n"
        "sys.exit(hubsim.cli.main(['load', '--help']))"
    )
    import asyncio

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert b"--workers" in out


def _ctrl_c_as_on_a_terminal() -> None:
    """In the child before it runs hubsim: Ctrl-C as a terminal's command has it. A suite run
    in the background (``cmd &`` in a script) hands its children SIGINT ignored, and Python
    then never raises KeyboardInterrupt: the run went on to its end and exited 0."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


async def _interrupted(*args: str) -> tuple[int | None, str]:
    """A load run stopped by SIGINT (Ctrl-C) once its first progress line is out."""
    proc = await asyncio.create_subprocess_exec(
        *HUBSIM, *args, "--progress-interval", "0.2", stdout=DEVNULL, stderr=PIPE,
        preexec_fn=_ctrl_c_as_on_a_terminal,
    )  # fmt: skip
    assert proc.stderr is not None
    try:
        first = await asyncio.wait_for(proc.stderr.readline(), 60)
        proc.send_signal(signal.SIGINT)
        rest = await asyncio.wait_for(proc.stderr.read(), 60)
        await asyncio.wait_for(proc.wait(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return proc.returncode, (first + rest).decode()


def _no_leftovers(err: str) -> bool:
    return not any(s in err for s in ("Traceback", "exception was never", "Unclosed"))


async def test_ctrl_c_through_the_hub_exits_130_without_a_traceback(
    stub: StubProcess, pki_files: PKIFiles, served: list[Served], tmp_path: Path
) -> None:
    # The channel closed under requests in flight: "the hub stopped answering", unawaited.
    hub = await hub_for(stub, pki_files, served, tmp_path)
    args = ("load", "--operator", "DE*ABC", "--hub", hub.url, "-c", "8", "--duration", "60s")
    code, err = await _interrupted(*args)
    assert code == 130 and _no_leftovers(err), err


async def test_ctrl_c_with_fresh_connections_exits_130_leaving_no_open_session(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    # Requests still running after the sender closed opened a client session of their own.
    args = ("-c", "8", "--duration", "60s", "--fresh-connections")
    code, err = await _interrupted(*one_shot(stub, pki_files, *args))
    assert code == 130 and _no_leftovers(err), err


async def test_on_a_terminal_the_line_is_rewritten_in_place_and_ctrl_c_ends_it(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    # Ended without a newline, the shell's prompt came up after the last progress line.
    master, slave = pty.openpty()
    args = one_shot(stub, pki_files, "-c", "2", "--duration", "60s", "--progress-interval", "0.2")
    proc = await asyncio.create_subprocess_exec(
        *HUBSIM, *args, stdout=DEVNULL, stderr=slave, preexec_fn=_ctrl_c_as_on_a_terminal
    )
    os.close(slave)
    loop, seen = asyncio.get_running_loop(), b""

    async def read() -> bytes:
        try:
            return await loop.run_in_executor(None, os.read, master, 65536)
        except OSError:  # EIO: every writer of the terminal has ended
            return b""

    try:
        while b"\033[K" not in seen:
            chunk = await asyncio.wait_for(read(), 60)
            assert chunk, seen
            seen += chunk
        proc.send_signal(signal.SIGINT)
        while chunk := await asyncio.wait_for(read(), 60):
            seen += chunk
        assert await asyncio.wait_for(proc.wait(), 60) == 130
    finally:
        os.close(master)
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    last = seen.rsplit(b"\033[K", 1)[1]
    assert b"requests" in last and last.endswith(b"\r\n"), seen


async def test_errors_without_a_threshold_exit_0_with_a_note_saying_why(
    pki_files: PKIFiles,
) -> None:
    # Exit 0 with every request refused read as a pass in CI logs.
    run = await hubsim(
        *("load", "--url", "https://localhost:1", "--server-cert", "hubject"),
        *("--pki", str(pki_files.directory), "-c", "1", "--requests", "2", "--mix", "remote-start"),
    )
    assert run.code == 0, run.err
    assert "hubsim: note: 2 of 2 requests were not accepted; the exit code is 0" in run.err


async def test_through_the_hub_settings_that_send_nothing_stop_the_run_before_it_starts(
    stub: StubProcess, pki_files: PKIFiles, served: list[Served], tmp_path: Path
) -> None:
    # Only Authorization is online: every reservation was counted settings_invalid, exit 0.
    hub = await hub_for(stub, pki_files, served, tmp_path)
    run = await hubsim(
        *("load", "--operator", "DE*ABC", "--hub", hub.url, "-c", "2", "--requests", "10"),
        *("--mix", "remote-start=1,reservation-start-stop=1"),
    )
    assert run.code == 2 and run.out == "", run.err
    assert run.err.startswith(
        "hubsim: error: --operator DE*ABC: with its saved settings the hub would send no "
        "reservation-start (settings_invalid): The Reservation service type of DE*ABC is not "
        "online"
    )
    assert await stub.records() == []


async def test_errors_with_only_a_p99_threshold_get_a_note_naming_max_error_rate(
    pki_files: PKIFiles,
) -> None:
    # A dead backend passed a p99-only gate: refused connections are fast.
    run = await hubsim(
        *("load", "--url", "https://localhost:1", "--server-cert", "hubject"),
        *("--pki", str(pki_files.directory), "-c", "1", "--requests", "2", "--mix", "remote-start"),
        *("--max-p99-ms", "60000"),
    )
    assert run.code == 0, run.err
    assert (
        "hubsim: note: 2 of 2 requests were not accepted, and no --max-error-rate was given: "
        "--max-p99-ms counts their times too"
    ) in run.err


async def _through_a_hub_over_its_limit(
    stub: StubProcess, pki_files: PKIFiles, served: list[Served], tmp_path: Path
) -> Run:
    """A text-mode run through a hub that closes connections beyond 2: it ends with exit 3."""
    hub = await hub_for(stub, pki_files, served, tmp_path, "--max-connections", "2")
    run = await hubsim(
        *("load", "--operator", "DE*ABC", "--hub", hub.url, "-c", "12", "--requests", "400"),
        *("--mix", "remote-start", "--evse", "DE*ABC*E[1-400]"),
    )
    assert run.code == 3, run.err
    return run


async def test_through_a_hub_over_its_connection_limit_the_error_names_max_connections(
    stub: StubProcess, pki_files: PKIFiles, served: list[Served], tmp_path: Path
) -> None:
    # The hub was healthy; "stopped answering under load" sent the user to look for a crash.
    run = await _through_a_hub_over_its_limit(stub, pki_files, served, tmp_path)
    assert "stopped answering under load" in run.err and "Traceback" not in run.err
    assert "the hub still listens, so it closed this connection" in run.err
    assert "beyond its --max-connections (512 by default)" in run.err
    assert "lower -c or --max-in-flight" in run.err
    assert "Error(" not in run.err  # no exception repr: "(connection reset by peer)"


async def test_the_text_report_of_a_run_cut_short_ends_with_a_fail_line(
    stub: StubProcess, pki_files: PKIFiles, served: list[Served], tmp_path: Path
) -> None:
    # Stdout ended with the thresholds' lines, PASS on part of a run, the error on stderr.
    run = await _through_a_hub_over_its_limit(stub, pki_files, served, tmp_path)
    last = run.out.splitlines()[-1]
    assert re.fullmatch(r"FAIL  the run was cut short after \d+ requests", last), run.out


async def test_stops_not_accepted_are_counted_with_a_note_on_the_sessions_left_open(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    # The 602s later in the run came from these sessions, with nothing linking them back.
    reject_stops = {"type": "reject", "code": "400", "operations": ["remote-stop"]}
    await stub.behave("_default", reject_stops)
    args = ("-c", "1", "--requests", "6", "--mix", "remote-start-stop", "--evse", "DE*ABC*E[1-3]")
    run, report = await load_json(*one_shot(stub, pki_files, *args))
    assert report["stops_failed"] == 3, report
    assert (
        "hubsim: note: 3 stops were not accepted: the sessions or reservations they were to "
        "end may still be open at the backend"
    ) in run.err


async def test_a_rate_the_backend_cannot_keep_up_with_gets_a_note(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    # Two operations in flight at most, each held 2 s: the third, due at 0.1 s, can start
    # only when one of them ends.
    await stub.behave("_default", {"type": "delay", "seconds": 2, "then": {"type": "accept"}})
    args = ("--rate", "20/s", "--max-in-flight", "2", "--duration", "1s", "--mix", "remote-start")
    run, report = await load_json(*one_shot(stub, pki_files, *args))
    assert report["requests"] == 3, report
    assert report["max_behind_rate_ms"] >= 1000
    assert "hubsim: note: --rate was not kept: operations started up to" in run.err
    assert "the backend answers slower than the rate asks" in run.err  # every slot was taken


@pytest.mark.parametrize("shape", [("-c", "4"), ("--rate", "200/s")], ids=["users", "rate"])
async def test_a_hub_lost_during_the_run_still_leaves_a_report_and_a_junit_error(
    shape: tuple[str, str],
    stub: StubProcess,
    pki_files: PKIFiles,
    served: list[Served],
    tmp_path: Path,
) -> None:
    # CI got exit 2, no JSON and no JUnit file: the requests already sent were lost.
    hub = await hub_for(stub, pki_files, served, tmp_path)
    junit = tmp_path / "load.xml"
    proc = await asyncio.create_subprocess_exec(
        *HUBSIM,
        *("load", "--operator", "DE*ABC", "--hub", hub.url, *shape, "--workers", "2"),
        *("--duration", "60s", "--mix", "remote-start", "--evse", "DE*ABC*E[1-99999]"),
        *("--progress-interval", "0.2", "--json", "--junit", str(junit)),
        stdout=PIPE,
        stderr=PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        await asyncio.wait_for(proc.stderr.readline(), 60)  # the load has begun
        served.remove(hub)
        hub.proc.kill()
        await hub.proc.wait()
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 3, err
    report = json.loads(out)
    assert report["ok"] is False and "stopped answering under load" in report["lost"]
    assert report["requests"] > 0
    assert "the run ended there, and the report covers the" in err.decode()
    assert "the hub has stopped" in report["lost"] and "--max-connections" not in report["lost"]
    suite = ET.parse(junit).getroot()
    assert suite.get("errors") == "1"
    error = suite.find("testcase/error")
    assert error is not None and "stopped answering" in (error.get("message") or "")


async def test_more_users_than_evse_ids_get_a_note_before_the_run(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    # 20 users on 10 EvseIDs drew 3,617 602s, and nothing said why.
    args = ("-c", "3", "--requests", "3", "--mix", "remote-start", "--evse", "DE*ABC*E[1-2]")
    run, _ = await load_json(*one_shot(stub, pki_files, *args))
    assert (
        "hubsim: note: -c 3 users share the 2 EvseIDs of --evse 'DE*ABC*E[1-2]': some will "
        "start on an EVSE another user is charging"
    ) in run.err


async def test_a_healthy_run_has_no_note(stub: StubProcess, pki_files: PKIFiles) -> None:
    run, report = await load_json(*one_shot(stub, pki_files, "-c", "4", "--requests", "40"))
    assert report["errors"] == 0, report
    assert "hubsim: note" not in run.err, run.err


def _children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while we read
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


async def _ended(pid: int) -> None:
    """Return when process ``pid`` has ended (its pidfd becomes readable)."""
    fd = os.pidfd_open(pid)
    loop, ended = asyncio.get_running_loop(), asyncio.Event()
    loop.add_reader(fd, ended.set)
    try:
        await ended.wait()
    finally:
        loop.remove_reader(fd)
        os.close(fd)


async def test_the_workers_end_with_a_load_run_that_is_terminated(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    # SIGTERM (CI's cancel, `timeout`) ends the parent at once; its workers went on loading
    # the backend until their next progress line found no reader, here a minute later.
    args = one_shot(stub, pki_files, "-c", "2", "--duration", "60s", "--workers", "2")
    proc = await asyncio.create_subprocess_exec(
        *HUBSIM, *args, "--progress-interval", "60", stdout=DEVNULL, stderr=DEVNULL
    )
    try:
        while not await stub.records():  # the workers' load has reached the stub
            pass
        workers = _children_of(proc.pid)
        assert len(workers) == 2, workers
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
        await asyncio.wait_for(asyncio.gather(*(_ended(pid) for pid in workers)), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_a_junit_file_that_cannot_be_written_after_the_run_is_named_and_exits_2(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    # /dev/full passes every check before the run and refuses the write: a full disk. lxml
    # said nothing of it (exit 0, no file); an error said only "No such file or directory".
    args = one_shot(stub, pki_files, "-c", "1", "--requests", "2", "--junit", "/dev/full")
    run = await hubsim(*args)
    assert run.code == 2, run.err
    assert "2 requests in" in run.out  # the report came first
    assert (
        "hubsim: error: --junit '/dev/full': the file could not be written (No space left on "
        "device); the report above is complete\n"
    ) in run.err
