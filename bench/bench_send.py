"""Benchmark: how close the hub comes to a bare aiohttp mTLS exchange.

(a) the floor: a bare aiohttp client posting a remote start to a bare aiohttp mTLS server;
(b) the product: the hub (Hub.send: settings lookup, request validation, sender, exchange
    recording in its SQLite file) sending remote starts to the CPO stub (validation, EVSE
    state, recording).

Both use the same certificates, 32 concurrent requests and reused connections; each server
runs in a process of its own, as a CPO backend does. Run:
``python bench/bench_send.py [--requests N] [--rounds R]``. Targets: (b) reaches at least
0.6 of (a)'s throughput and its p50 latency is at most 1.5 times (a)'s.

The machine's speed drifts (other work, a busy neighbour of a VM) on a scale of seconds, so
(a) and (b) are measured in short blocks that alternate, both servers running all along,
and each side's figures add up all of its blocks: a slow spell weighs on both sides alike.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

from cpo_stub import CPOStub
from mockpki import MockHubjectPKI, PKIFiles
from oicp import Operation
from simulator.hub import Hub, HubIdentity
from simulator.model import Operator, ServiceType
from simulator.requests import SendParams
from simulator.storage import Storage

CONCURRENCY = 32
OPERATOR = "DE*ABC"
ACK = {
    "Result": True,
    "StatusCode": {"Code": "000", "Description": None, "AdditionalInfo": None},
    "SessionID": None,
    "CPOPartnerSessionID": None,
    "EMPPartnerSessionID": None,
}

OneRequest = Callable[[int], Awaitable[None]]


@dataclass
class Figures:
    """One side's blocks, added up."""

    name: str
    requests: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    client_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    block_rps: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def line(self) -> str:
        per = 1e6 / self.requests
        return (
            f"{self.name:<44} {self.rps:7.0f} req/s   p50 {self.percentile(50):6.2f} ms   "
            f"p99 {self.percentile(99):6.2f} ms   CPU per request: "
            f"client {self.client_cpu_s * per:4.0f} µs, server {self.server_cpu_s * per:4.0f} µs"
        )


@dataclass(frozen=True)
class Side:
    """What one block of a side runs: a request, the server's pid, and what ends the block."""

    figures: Figures
    one: OneRequest
    server_pid: int
    settle: Callable[[], Awaitable[None]] | None = None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_block(side: Side, first: int, count: int) -> None:
    """``count`` requests with CONCURRENCY workers, added to the side's figures."""
    numbers = iter(range(first, first + count))
    latencies: list[float] = []

    async def worker() -> None:
        for i in numbers:
            t0 = time.perf_counter()
            await side.one(i)
            latencies.append((time.perf_counter() - t0) * 1000)

    t0, client0, server0 = time.perf_counter(), time.process_time(), cpu_seconds(side.server_pid)
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    if side.settle is not None:
        await side.settle()  # the work a block caused belongs to the block
    figures = side.figures
    seconds = time.perf_counter() - t0
    figures.requests += count
    figures.seconds += seconds
    figures.latencies_ms += latencies
    figures.client_cpu_s += time.process_time() - client0
    figures.server_cpu_s += cpu_seconds(side.server_pid) - server0
    figures.block_rps.append(count / seconds)


def evse(i: int) -> str:
    return f"DE*ABC*E{i:07d}"


async def serve_bare(files: PKIFiles) -> None:
    """The floor's server: parse the JSON, echo the SessionID, nothing else."""

    async def handle(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({**ACK, "SessionID": body["SessionID"]})

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(files.cpo_server_cert, files.cpo_server_key)
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    server_ctx.load_verify_locations(files.hubject_ca)
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ctx).start()
    print(f"listening on https://127.0.0.1:{runner.addresses[0][1]}", flush=True)
    await asyncio.Event().wait()


async def serve_stub(files: PKIFiles) -> None:
    async with CPOStub.from_pki_dir(files.directory) as stub:
        print(f"listening on {stub.url}", flush=True)
        await asyncio.Event().wait()


@asynccontextmanager
async def server_process(kind: str, files: PKIFiles) -> AsyncIterator[tuple[int, int]]:
    """Each server runs in its own process, as a CPO backend does: the client side measured
    here then has a core of its own, for (a) and (b) alike."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        kind,
        "--pki",
        str(files.directory),
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = (await proc.stdout.readline()).decode()
    try:
        yield int(line.rsplit(":", 1)[1]), proc.pid
    finally:
        proc.kill()
        await proc.wait()


async def bare_side(files: PKIFiles, stack: AsyncExitStack) -> Side:
    port, pid = await stack.enter_async_context(server_process("bare", files))
    client_ctx = ssl.create_default_context(cafile=str(files.hubject_ca))
    client_ctx.load_cert_chain(files.hub_client_cert, files.hub_client_key)
    url = f"https://localhost:{port}/api/oicp/charging/v21/providers/DE*ICE/authorize-remote/start"
    session = await stack.enter_async_context(
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
    )

    async def one(i: int) -> None:
        # Truly bare: a literal remote start body, no validation, nothing recorded.
        body = {
            "SessionID": str(uuid.uuid4()),
            "ProviderID": "DE*ICE",
            "EvseID": evse(i),
            "Identification": {"RemoteIdentification": {"EvcoID": "DE-8EO-CAET5E4XY-3"}},
        }
        async with session.post(url, json=body, ssl=client_ctx) as resp:
            await resp.json()

    return Side(Figures("(a) bare aiohttp client -> bare mTLS server"), one, pid)


async def hub_side(files: PKIFiles, stack: AsyncExitStack) -> Side:
    port, pid = await stack.enter_async_context(server_process("stub", files))
    # The hub's database is a file, as `hubsim hub serve` keeps it.
    storage = await Storage.open(files.directory / "hub.db")
    hub = Hub(storage, HubIdentity.from_pki_dir(files.directory))
    stack.push_async_callback(hub.close)
    await hub.put_operator(Operator(operator_id=OPERATOR))
    settings = {"online_request": True, "service_url": f"https://localhost:{port}"}
    await hub.save_settings(OPERATOR, ServiceType.AUTHORIZATION, settings)

    async def one(i: int) -> None:
        params = SendParams(evse_id=evse(i), provider_id="DE*ICE")
        exchange = await hub.send(OPERATOR, Operation.AUTHORIZE_REMOTE_START, params)
        if not exchange.ok:
            raise RuntimeError(exchange.detail)

    figures = Figures("(b) hub -> CPO stub (validated and recorded)")
    return Side(figures, one, pid, settle=storage.flush)


async def measure(block: int, rounds: int) -> tuple[Figures, Figures]:
    """Alternate blocks of (a) and (b), swapping which goes first each round."""
    with tempfile.TemporaryDirectory() as tmp:
        files = MockHubjectPKI.create(host="localhost").write(Path(tmp))
        async with AsyncExitStack() as stack:
            a, b = await bare_side(files, stack), await hub_side(files, stack)
            # Warm up on numbers of their own: open the connections, fill caches.
            warm = Figures("warm-up")
            for side in (a, b):
                await run_block(Side(warm, side.one, side.server_pid), 10**6, 4 * CONCURRENCY)
            first = 0
            for r in range(rounds):
                for side in (a, b) if r % 2 == 0 else (b, a):
                    await run_block(side, first, block)
                    first += block
            return a.figures, b.figures


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{ordered[0]:.2f} / {ordered[len(ordered) // 2]:.2f} / {ordered[-1]:.2f}"


async def main(block: int, rounds: int, as_json: bool) -> int:
    a, b = await measure(block, rounds)
    throughput, p50 = b.rps / a.rps, b.percentile(50) / a.percentile(50)
    per_round = [rb / ra for ra, rb in zip(a.block_rps, b.block_rps, strict=True)]
    if as_json:
        print(
            json.dumps(
                {
                    "a_rps": a.rps,
                    "b_rps": b.rps,
                    "throughput_ratio": throughput,
                    "a_p50_ms": a.percentile(50),
                    "b_p50_ms": b.percentile(50),
                    "a_p99_ms": a.percentile(99),
                    "b_p99_ms": b.percentile(99),
                    "p50_ratio": p50,
                    "a_client_cpu_us": a.client_cpu_s / a.requests * 1e6,
                    "b_client_cpu_us": b.client_cpu_s / b.requests * 1e6,
                    "a_server_cpu_us": a.server_cpu_s / a.requests * 1e6,
                    "b_server_cpu_us": b.server_cpu_s / b.requests * 1e6,
                    "round_throughput_ratios": per_round,
                }
            )
        )
    else:
        print(
            f"remote starts in {rounds} rounds of one {block}-request block per side, "
            f"{CONCURRENCY} concurrent, connections reused\n"
        )
        print(a.line())
        print(b.line())
        print(f"\nper round, (b)/(a) throughput, min / median / max: {spread(per_round)}")
        print(f"throughput (b)/(a): {throughput:.2f} (target >= 0.60)")
        print(f"p50 latency (b)/(a): {p50:.2f} (target <= 1.50)")
    return 0 if throughput >= 0.6 and p50 <= 1.5 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="per block")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--serve", choices=["bare", "stub"], help=argparse.SUPPRESS)
    parser.add_argument("--pki", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve = serve_bare if args.serve == "bare" else serve_stub
        asyncio.run(serve(PKIFiles(Path(args.pki))))
    raise SystemExit(asyncio.run(main(args.requests, args.rounds, args.json)))
