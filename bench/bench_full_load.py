"""Benchmark: does a 24 MiB-class fullLoad stall the hub? The admin API's latency meanwhile.

A CPO pushes eRoamingPushEvseData fullLoads of 10,000 records in the official example's
shape (about 19.5 MiB each) to ``hubsim hub serve``, running in its own process with a
database file, while a second client asks ``GET /api/health`` on the admin port again and
again, one request at a time. If the hub decoded and checked the push in its event loop,
every other request would wait for it; the hub prepares such bodies in a worker process
(``simulator/inbound/evse_bulk.py``). The script prints the time of each push and the
health requests' latency without and during pushes. Target: no health request waits more
than 50 ms during a push. Run: ``python bench/bench_full_load.py [--pushes N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import statistics
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_load import hub_process  # bench/ is the folder of the script

from mockpki import MockHubjectPKI, PKIFiles
from oicp.cpo_operations import CPOOperation, cpo_to_hub_path
from oicp.limits import FULL_LOAD_RECORDS
from tests.hostile.peers import OPERATOR, full_evse_record, full_load_bytes

TARGET_MS = 50.0
BASELINE_S = 3.0


def full_load_body() -> bytes:
    return full_load_bytes(
        [full_evse_record(f"{OPERATOR}*E{i:07d}") for i in range(FULL_LOAD_RECORDS)]
    )


def cpo_context(files: PKIFiles) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(files.hubject_ca))
    context.load_cert_chain(files.directory / "cpo-client.pem", files.directory / "cpo-client.key")
    return context


async def probe(admin: str) -> None:
    """The prober process: ``/api/health`` one request after the other until stdin closes,
    then the samples, (start, latency in ms), as JSON on stdout.

    A process of its own: in the pushing client's event loop, sending 20 MB over TLS would
    delay the probes themselves and be counted against the hub.
    """
    samples: list[tuple[float, float]] = []
    loop = asyncio.get_running_loop()
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    async with aiohttp.ClientSession() as session:
        while not stdin_closed.done():
            started = time.perf_counter()  # CLOCK_MONOTONIC: the same clock in every process
            async with session.get(f"{admin}/api/health") as response:
                await response.read()
            samples.append((started, (time.perf_counter() - started) * 1000))
    print(json.dumps(samples))


class Prober:
    """Runs :func:`probe` in a process of its own."""

    def __init__(self, admin: str) -> None:
        self.admin = admin
        self.samples: list[tuple[float, float]] = []
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--probe",
            self.admin,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )

    async def stop(self) -> None:
        assert self._process is not None
        out, _ = await self._process.communicate(b"")
        self.samples = [(at, ms) for at, ms in json.loads(out)]

    def between(self, start: float, end: float) -> list[float]:
        return [ms for at, ms in self.samples if start <= at <= end]


def line(label: str, values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"{label:<28} {len(values):6d} requests   p50 {statistics.median(values):6.2f} ms   "
        f"p99 {p99:6.2f} ms   max {ordered[-1]:6.2f} ms"
    )


async def main(pushes: int) -> int:
    body = full_load_body()
    with tempfile.TemporaryDirectory() as tmp:
        files = MockHubjectPKI.create(host="localhost").write(Path(tmp))
        async with AsyncExitStack() as stack:
            _, admin, oicp = await hub_process(files, stack)
            session = await stack.enter_async_context(aiohttp.ClientSession())
            async with session.post(f"{admin}/api/operators", json={"operator_id": OPERATOR}):
                pass
            prober = Prober(admin)
            await prober.start()
            base_start = time.perf_counter()
            await asyncio.sleep(BASELINE_S)  # the measurement's own idle phase, not a wait
            base_end = time.perf_counter()
            url = oicp + cpo_to_hub_path(CPOOperation.PUSH_EVSE_DATA, OPERATOR)
            context = cpo_context(files)
            push_times: list[float] = []
            windows: list[tuple[float, float]] = []
            for _ in range(pushes):
                start = time.perf_counter()
                async with session.post(
                    url, data=body, headers={"Content-Type": "application/json"}, ssl=context
                ) as response:
                    answer = await response.json()
                end = time.perf_counter()
                if answer.get("Result") is not True:
                    raise SystemExit(f"the push was refused: {str(answer)[:500]}")
                push_times.append(end - start)
                windows.append((start, end))
            await prober.stop()
    during = [ms for start, end in windows for ms in prober.between(start, end)]
    baseline = prober.between(base_start, base_end)
    print(
        f"{pushes} PushEvseData fullLoads of {FULL_LOAD_RECORDS} records, "
        f"{len(body) / 2**20:.1f} MiB each, to a hub process with a database file"
    )
    print("push time (s): " + ", ".join(f"{t:.2f}" for t in push_times))
    print(line("health, no push", baseline))
    print(line("health, during the pushes", during))
    worst = max(during)
    print(
        f"longest wait of a health request during a push: {worst:.1f} ms (target < {TARGET_MS:g})"
    )
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushes", type=int, default=5)
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        asyncio.run(probe(args.probe))
        raise SystemExit(0)
    raise SystemExit(asyncio.run(main(args.pushes)))
