"""The Locust user class on Locust's own master and two workers, against the stub process."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from mockpki import PKIFiles
from tests.load.conftest import StubProcess

# Found, not imported: importing Locust would monkey-patch this test process with gevent.
_SPEC = importlib.util.find_spec("hubsim.load.locustfile")
assert _SPEC is not None and _SPEC.origin is not None
LOCUST = [sys.executable, "-m", "locust", "-f", _SPEC.origin]


def _outcome(response_body: str) -> str:
    answer: dict[str, Any] = json.loads(response_body)
    if answer["Result"]:
        return "accepted"
    return f"rejected:{answer['StatusCode']['Code']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_master_and_two_workers_report_what_the_stub_recorded(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    await stub.behave("DE*ABC*E0003", {"type": "reject", "code": "603"})
    hubsim = [
        *("--hubsim-pki", str(pki_files.directory), "--hubsim-requests", "12"),
        *("--hubsim-processes", "2", "--hubsim-evse", "DE*ABC*E[0001-0008]"),
        *("--hubsim-mix", "remote-start-stop=1,reservation-start-stop=1"),
    ]
    port = free_port()
    master = await asyncio.create_subprocess_exec(
        *LOCUST,
        "--master",
        "--headless",
        "-u",
        "4",
        "-r",
        "4",
        "--expect-workers",
        "2",
        *("--master-bind-host", "127.0.0.1", "--master-bind-port", str(port)),
        *("--host", stub.url, "--json", "--only-summary", *hubsim),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    workers = [
        await asyncio.create_subprocess_exec(
            *LOCUST,
            "--worker",
            "--master-host",
            "127.0.0.1",
            "--master-port",
            str(port),
            *hubsim,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for i in range(2)
    ]
    try:
        # Each worker quits once its 12 requests are answered; the master ends with the last.
        out, err = await asyncio.wait_for(master.communicate(), 180)
        for worker in workers:
            await asyncio.wait_for(worker.wait(), 60)
    finally:
        for proc in (master, *workers):
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    stats = json.loads(out)
    reported = {(e["method"], e["name"]): (e["num_requests"], e["num_failures"]) for e in stats}
    records = await stub.records()
    slugs = {
        "eRoamingAuthorizeRemoteStart": "remote-start",
        "eRoamingAuthorizeRemoteStop": "remote-stop",
        "eRoamingAuthorizeRemoteReservationStart": "reservation-start",
        "eRoamingAuthorizeRemoteReservationStop": "reservation-stop",
    }
    # Named by the stub's own answer, not by the EvseID: the two workers may meet on one EVSE,
    # and the stub then answers 602 (busy) to the second start.
    recorded = Counter((slugs[r["operation"]], _outcome(r["response_body"])) for r in records)
    assert {key: n for key, (n, _) in reported.items()} == dict(recorded)
    assert sum(recorded.values()) >= 24  # both workers spent their budget
    for (_, name), (n, failures) in reported.items():
        assert failures == (n if name.startswith("rejected") else 0)
    assert any(name == "rejected:603" for _, name in reported)
    # The master's error report names each failure by its sentence, as a single process does.
    sentences = [line.split("rejected:603: ", 1)[1] for line in err.decode().splitlines()
                 if "rejected:603: " in line]  # fmt: skip
    assert sentences and all(
        s.startswith("The CPO answered Result false with StatusCode 603") for s in sentences
    ), sentences


async def locust_run(*options: str, env: dict[str, str] | None = None) -> tuple[int | None, str]:
    """One Locust process, run to its end: its exit code and its stderr."""
    proc = await asyncio.create_subprocess_exec(
        *LOCUST,
        *options,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return proc.returncode, err.decode()


async def _locust_refusal(
    *options: str, env: dict[str, str] | None = None
) -> tuple[int | None, str]:
    """A headless Locust run with a bad option."""
    headless = ("--headless", "-u", "2", "-r", "2", "--run-time", "120s")
    return await locust_run(*headless, *options, env=env)


async def test_locust_without_a_pki_folder_exits_2_at_start() -> None:
    code, err = await _locust_refusal("--host", "https://localhost:9")
    assert code == 2 and "Traceback" not in err
    assert "hubsim: error: give --hubsim-pki DIR" in err


async def test_a_bad_locust_option_is_refused_at_start_naming_the_locust_option(
    pki_files: PKIFiles,
) -> None:
    code, err = await _locust_refusal(
        "--host", "https://localhost:9", "--hubsim-pki", str(pki_files.directory),
        "--hubsim-mix", "remote-start=lots",
    )  # fmt: skip
    assert code == 2 and "Traceback" not in err
    assert "hubsim: error: --hubsim-mix: the weight of remote-start is 'lots'" in err


async def test_a_locust_host_over_http_is_refused_naming_host(pki_files: PKIFiles) -> None:
    code, err = await _locust_refusal(
        "--host", "http://localhost:9", "--hubsim-pki", str(pki_files.directory)
    )
    assert code == 2 and "Traceback" not in err
    assert "hubsim: error: --host: Service URL 'http://localhost:9' uses http://" in err


async def test_locust_headless_without_a_host_exits_2_at_start(pki_files: PKIFiles) -> None:
    code, err = await _locust_refusal("--hubsim-pki", str(pki_files.directory))
    assert code == 2 and "Traceback" not in err
    assert "hubsim: error: give --host https://HOST:PORT" in err


async def test_a_missing_locust_pki_folder_names_the_option() -> None:
    code, err = await _locust_refusal("--host", "https://localhost:9", "--hubsim-pki", "/no-pki")
    assert code == 2
    assert "hubsim: error: --hubsim-pki /no-pki: the PKI folder /no-pki does not exist" in err


async def test_a_negative_locust_request_budget_is_refused() -> None:
    code, err = await _locust_refusal(
        "--host", "https://localhost:9", "--hubsim-pki", "/no-pki", "--hubsim-requests", "-5"
    )
    assert code == 2 and "--hubsim-requests -5: give 0 (no bound) or more" in err


async def test_locust_options_are_read_from_their_environment_variables() -> None:
    env = {**os.environ, "LOCUST_HUBSIM_PKI": "/pki-from-env"}
    code, err = await _locust_refusal("--host", "https://localhost:9", env=env)
    assert code == 2
    assert "hubsim: error: LOCUST_HUBSIM_PKI (--hubsim-pki) /pki-from-env: the PKI folder" in err


async def test_a_bad_value_from_an_environment_variable_names_the_variable(
    pki_files: PKIFiles,
) -> None:
    env = {**os.environ, "LOCUST_HUBSIM_MIX": "remote-start=lots"}
    code, err = await _locust_refusal(
        "--host", "https://localhost:9", "--hubsim-pki", str(pki_files.directory), env=env
    )
    assert code == 2
    assert "hubsim: error: LOCUST_HUBSIM_MIX (--hubsim-mix): the weight of remote-start" in err
    # Given on the command line too, the option wins, and the refusal names the option.
    code, err = await _locust_refusal(
        "--host", "https://localhost:9", "--hubsim-pki", str(pki_files.directory),
        "--hubsim-mix=remote-start=many", env=env,
    )  # fmt: skip
    assert "hubsim: error: --hubsim-mix: the weight of remote-start is 'many'" in err


def test_the_locust_file_without_locust_says_how_to_install_it() -> None:
    code = (
        "import runpy, sys\n"
        "sys.modules['gevent'] = None\n"  # as if the 'load' extra were not installed
        "runpy.run_module('hubsim.load.locustfile', run_name='__main__')"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 1 and "Traceback" not in ran.stderr
    assert ran.stderr.strip() == (
        "hubsim: error: the Locust user class needs Locust (gevent is not installed): "
        "pip install '.[load]' in hubsim's checkout"
    )


def test_the_locust_file_prints_its_path_and_nothing_else() -> None:
    # Importing Locust here made gevent warn, on every run, of modules patched too late.
    ran = subprocess.run(
        [sys.executable, "-m", "hubsim.load.locustfile"], capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0 and ran.stderr == ""
    assert ran.stdout.strip() == _SPEC.origin


async def _refusing_master(
    stub: StubProcess, pki_files: PKIFiles, port: int, workers: int
) -> asyncio.subprocess.Process:
    """A headless master on ``port`` that expects ``workers`` workers; its stderr is piped."""
    return await asyncio.create_subprocess_exec(
        *LOCUST,
        *("--master", "--headless", "-u", "2", "-r", "2", "--run-time", "120s"),
        *("--expect-workers", str(workers), "--master-bind-host", "127.0.0.1"),
        *("--master-bind-port", str(port), "--host", stub.url),
        *("--hubsim-pki", str(pki_files.directory)),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_a_worker_refused_on_its_machine_makes_its_master_exit_2(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    port = free_port()
    master = await _refusing_master(stub, pki_files, port, 1)
    try:
        worker_code, worker_err = await locust_run(
            "--worker", "--master-host", "127.0.0.1", "--master-port", str(port),
            "--hubsim-pki", "/no-pki-here",
        )  # fmt: skip
        _, master_err = await asyncio.wait_for(master.communicate(), 60)
    finally:
        if master.returncode is None:
            master.kill()
            await master.wait()
    assert worker_code == 2 and "hubsim: error: --hubsim-pki /no-pki-here" in worker_err
    assert master.returncode == 2
    assert "hubsim: error: worker " in master_err.decode()
    assert ": --hubsim-pki /no-pki-here: the PKI folder" in master_err.decode()


async def test_at_the_end_of_run_time_every_session_started_is_stopped(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    # Locust's own default kills users mid-operation: starts without their stop stayed open.
    code, err = await locust_run(
        *("--headless", "-u", "8", "-r", "8", "--run-time", "1s", "--host", stub.url),
        *("--hubsim-pki", str(pki_files.directory), "--hubsim-mix", "remote-start-stop"),
    )
    assert code == 0, err
    records = await stub.records()
    started = {
        r["SessionID"]
        for r in records
        if r["operation"] == "eRoamingAuthorizeRemoteStart"
        and _outcome(r["response_body"]) == "accepted"
    }
    stopped = {r["SessionID"] for r in records if r["operation"] == "eRoamingAuthorizeRemoteStop"}
    assert started and started == stopped


async def test_a_worker_reads_its_own_pki_folder_and_the_masters_other_options(
    stub: StubProcess, pki_files: PKIFiles, tmp_path: Path
) -> None:
    # The master's relative --hubsim-pki does not exist where the worker runs: the worker
    # sent with it all the same (a traceback, and the master ended 0 with 0 requests).
    elsewhere = tmp_path / "worker-machine"
    elsewhere.mkdir()
    port = free_port()
    master = await asyncio.create_subprocess_exec(
        *LOCUST,
        *("--master", "--headless", "-u", "2", "-r", "2", "--run-time", "120s"),
        *("--expect-workers", "1", "--master-bind-host", "127.0.0.1"),
        *("--master-bind-port", str(port), "--host", stub.url, "--json", "--only-summary"),
        *("--hubsim-pki", pki_files.directory.name, "--hubsim-requests", "4"),
        *("--hubsim-mix", "remote-start"),
        cwd=pki_files.directory.parent,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    worker = await asyncio.create_subprocess_exec(
        *LOCUST,
        *("--worker", "--master-host", "127.0.0.1", "--master-port", str(port)),
        *("--hubsim-pki", str(pki_files.directory)),
        cwd=elsewhere,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(master.communicate(), 120)
        _, worker_err = await asyncio.wait_for(worker.communicate(), 60)
    finally:
        for proc in (master, worker):
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert master.returncode == 0, err.decode()
    assert b"Traceback" not in worker_err, worker_err.decode()
    records = await stub.records()
    # The master's --hubsim-requests and --hubsim-mix: four remote starts, all accepted.
    assert [r["operation"] for r in records] == ["eRoamingAuthorizeRemoteStart"] * 4
    reported = {(e["method"], e["name"]): e["num_requests"] for e in json.loads(out)}
    assert reported == {("remote-start", "accepted"): 4}


async def test_a_worker_refused_while_its_master_waits_for_more_workers_ends_the_master(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    # With --expect-workers 2, a good worker and a refused one: the master printed the
    # refusal, told the good worker to quit, and then waited for a second worker for ever.
    port = free_port()
    master = await _refusing_master(stub, pki_files, port, 2)
    worker = ("--worker", "--master-host", "127.0.0.1", "--master-port", str(port))
    good = await asyncio.create_subprocess_exec(
        *LOCUST, *worker, "--hubsim-pki", str(pki_files.directory),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        bad_code, _ = await locust_run(*worker, "--hubsim-pki", "/no-pki-here")
        _, master_err = await asyncio.wait_for(master.communicate(), 60)
        await asyncio.wait_for(good.wait(), 60)
    finally:
        for proc in (master, good):
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert bad_code == 2
    assert master.returncode == 2, master_err.decode()
    assert ": --hubsim-pki /no-pki-here: the PKI folder" in master_err.decode()
