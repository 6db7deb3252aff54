"""Soak: keep a hub and a CPO stub busy for a while and sample their memory (RSS).

Starts ``hubsim hub serve`` (exchange log in a SQLite file) and ``hubsim stub serve`` as
processes of their own, points the hub's Authorization settings at the stub, then sends
remote starts through the admin API (``--concurrency`` at a time, on 100 EVSEs in turn, each
accepted one followed by its remote stop) and,
beside them, opens idle connections to the stub and to the hub's OICP port that the servers
must close (short header timeout). Every ``--every`` seconds it prints the RSS of the hub,
its exchange log writer and the stub. Run: ``python bench/soak_rss.py [--minutes 10]``.
Figures go in the README (section "Hostile input and limits").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from mockpki import MockHubjectPKI

HUBSIM = [sys.executable, "-m", "hubsim"]
OPERATOR = "DE*ABC"


@dataclass
class Process:
    process: asyncio.subprocess.Process
    urls: list[str]
    lines: list[str] = field(default_factory=list)


async def _drain(process: Process) -> None:
    assert process.process.stdout is not None
    async for raw in process.process.stdout:
        if len(process.lines) < 1000:  # keep the first lines, for a failure message
            process.lines.append(raw.decode(errors="replace"))


@asynccontextmanager
async def serving(args: list[str], patterns: list[str]) -> AsyncIterator[Process]:
    proc = await asyncio.create_subprocess_exec(
        *HUBSIM,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    urls: list[str] = []
    lines: list[str] = []
    for pattern in patterns:
        while True:
            line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
            lines.append(line)
            if not line:
                raise SystemExit(f"hubsim {' '.join(args)} did not start:\n{''.join(lines)}")
            match = re.search(pattern, line)
            if match:
                urls.append(match.group(1))
                break
    running = Process(proc, urls, lines)
    drain = asyncio.create_task(_drain(running))
    try:
        yield running
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        drain.cancel()


def rss_mb(pid: int) -> float:
    """The resident set size of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@dataclass
class Counts:
    sent: int = 0
    failed: int = 0
    idle_closed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


async def sender(session: aiohttp.ClientSession, admin: str, counts: Counts, n: int) -> None:
    """Remote starts on 100 EVSEs in turn, each accepted one followed by its stop."""
    base = f"{admin}/api/operators/{OPERATOR}/send"
    while True:
        body = {"evse_id": f"{OPERATOR}*E{n % 100:04d}", "provider_id": "DE-ICE"}
        n += 1
        answer = await _send(session, f"{base}/remote-start", body, counts)
        if answer.get("outcome") == "accepted" and answer.get("session_id"):
            stop = {**body, "session_id": answer["session_id"]}
            await _send(session, f"{base}/remote-stop", stop, counts)


async def _send(
    session: aiohttp.ClientSession, url: str, body: dict[str, str], counts: Counts
) -> dict[str, object]:
    try:
        async with session.post(url, json=body) as response:
            answer: dict[str, object] = await response.json()
    except (aiohttp.ClientError, ValueError):
        counts.failed += 1
        return {}
    outcome = f"{url.rsplit('/', 1)[1]} {answer.get('outcome')}"
    counts.outcomes[outcome] = counts.outcomes.get(outcome, 0) + 1
    counts.sent += 1
    return answer


async def idler(host: str, port: int, counts: Counts) -> None:
    """Opens a connection, sends nothing, and waits for the server to close it."""
    while True:
        with contextlib.suppress(OSError):
            reader, writer = await asyncio.open_connection(host, port)
            with contextlib.suppress(OSError):
                await reader.read()
            writer.close()
            counts.idle_closed += 1


def _port(url: str) -> tuple[str, int]:
    host, port = url.rsplit("//", 1)[1].rsplit(":", 1)
    return ("127.0.0.1" if host == "localhost" else host), int(port)


async def soak(minutes: float, every_s: float, concurrency: int) -> None:
    with tempfile.TemporaryDirectory(prefix="hubsim-soak-") as scratch:
        pki_dir = Path(scratch) / "pki"
        MockHubjectPKI.create(host="localhost", operator_id=OPERATOR).write(pki_dir)
        limits = ["--header-timeout", "2"]
        stub_args = ["stub", "serve", "--pki", str(pki_dir), "--port", "0", *limits]
        hub_args = [
            "hub", "serve", "--pki", str(pki_dir), "--db", str(Path(scratch) / "hub.sqlite3"),
            "--port", "0", "--oicp-port", "0", *limits,
        ]  # fmt: skip
        async with (
            serving(stub_args, [r"CPO stub listening on (\S+)"]) as stub,
            serving(hub_args, [r"listening on (\S+)", r"\(mutual TLS\) on (\S+)"]) as hub,
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session,
        ):
            admin, oicp = hub.urls
            stub_url = stub.urls[0].replace("127.0.0.1", "localhost")
            await session.post(f"{admin}/api/operators", json={"operator_id": OPERATOR})
            await session.put(
                f"{admin}/api/operators/{OPERATOR}/settings/authorization",
                json={"online_request": True, "service_url": stub_url},
            )
            counts = Counts()
            senders = [sender(session, admin, counts, i) for i in range(concurrency)]
            idlers = [idler(*_port(u), counts) for u in (stub.urls[0], oicp) for _ in range(4)]
            tasks = [asyncio.create_task(job) for job in [*senders, *idlers]]
            await _sample(hub.process.pid, stub.process.pid, counts, minutes * 60, every_s)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def _sample(hub: int, stub: int, counts: Counts, seconds: float, every_s: float) -> None:
    heads = ("t (s)", 6), ("sent", 8), ("failed", 6), ("idle", 6), ("hub MB", 7), ("writer MB", 9)
    print(" ".join(f"{name:>{width}}" for name, width in heads), f"{'stub MB':>7}")
    start = time.monotonic()
    samples: list[tuple[float, float, float]] = []
    while (elapsed := time.monotonic() - start) <= seconds:
        writer = sum(rss_mb(pid) for pid in children(hub))
        sample = (rss_mb(hub), writer, rss_mb(stub))
        samples.append(sample)
        print(
            f"{elapsed:6.0f} {counts.sent:8d} {counts.failed:6d} {counts.idle_closed:6d} "
            f"{sample[0]:7.1f} {sample[1]:9.1f} {sample[2]:7.1f}",
            flush=True,
        )
        await asyncio.sleep(every_s)  # a sampling period, not synchronisation
    _summary(samples, counts)


def _summary(samples: list[tuple[float, float, float]], counts: Counts) -> None:
    print(f"\nsent {counts.sent} requests ({counts.outcomes}), {counts.failed} failed; "
          f"{counts.idle_closed} idle connections closed by the servers")  # fmt: skip
    half = samples[len(samples) // 2 :]
    for i, name in enumerate(("hub", "log writer", "stub")):
        values = [s[i] for s in samples]
        print(
            f"{name:>10}: start {values[0]:6.1f} MB, max {max(values):6.1f} MB, "
            f"end {values[-1]:6.1f} MB; second half {min(s[i] for s in half):6.1f} to "
            f"{max(s[i] for s in half):6.1f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    asyncio.run(soak(args.minutes, args.every, args.concurrency))


if __name__ == "__main__":
    main()
