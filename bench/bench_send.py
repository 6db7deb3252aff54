"""Benchmark: how close the hub comes to a bare aiohttp mTLS exchange.

(a) the floor: a bare aiohttp client posting a remote start to a bare aiohttp mTLS server;
(b) the product: the hub (Hub.send: settings lookup, request validation, sender, exchange
    recording) sending remote starts to the CPO stub (routing, validation, EVSE state,
    recording).

Both use the same certificates, 32 concurrent requests and reused connections; each server
runs in a process of its own, as a CPO backend does. Run:
``python bench/bench_send.py [--requests N]``. Targets: (b) reaches at least 0.6 of (a)'s
throughput and its p50 latency is at most 1.5 times (a)'s.
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
from contextlib import asynccontextmanager
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Figures:
    name: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    client_cpu_s: float = 0.0
    server_cpu_s: float = 0.0

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


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time of a process (this one by default), from /proc."""
    fields = Path(f"/proc/{pid or 'self'}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(
    name: str, total: int, one: Callable[[int], Awaitable[None]], server_pid: int
) -> Figures:
    """Run ``total`` calls of ``one`` with CONCURRENCY workers; record each latency."""
    latencies: list[float] = []
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            t0 = time.perf_counter()
            await one(i)
            latencies.append((time.perf_counter() - t0) * 1000)

    # Warm up on EVSEs of their own: open the connections, fill caches.
    await asyncio.gather(*(one(total + i) for i in range(CONCURRENCY)))
    t0, client0, server0 = time.perf_counter(), cpu_seconds(), cpu_seconds(server_pid)
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return Figures(
        name,
        total,
        time.perf_counter() - t0,
        latencies,
        client_cpu_s=cpu_seconds() - client0,
        server_cpu_s=cpu_seconds(server_pid) - server0,
    )


def median_run(runs: list[Figures]) -> Figures:
    return sorted(runs, key=lambda f: f.rps)[len(runs) // 2]


def evse(i: int) -> str:
    return f"DE*ABC*E{i:06d}"


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


async def bare(files: PKIFiles, total: int) -> Figures:
    async with server_process("bare", files) as (port, pid):
        return await _bare_client(files, port, pid, total)


async def _bare_client(files: PKIFiles, port: int, pid: int, total: int) -> Figures:
    client_ctx = ssl.create_default_context(cafile=str(files.hubject_ca))
    client_ctx.load_cert_chain(files.hub_client_cert, files.hub_client_key)
    url = f"https://localhost:{port}/api/oicp/charging/v21/providers/DE*ICE/authorize-remote/start"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:

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

        return await measure("(a) bare aiohttp client -> bare mTLS server", total, one, pid)


async def hub_to_stub(files: PKIFiles, total: int) -> Figures:
    # The hub's database is a file, as `hubsim hub serve` keeps it.
    storage = await Storage.open(files.directory / f"hub-{uuid.uuid4().hex}.db")
    hub = Hub(storage, HubIdentity.from_pki_dir(files.directory))
    await hub.put_operator(Operator(operator_id=OPERATOR))
    async with server_process("stub", files) as (port, pid):
        settings = {"online_request": True, "service_url": f"https://localhost:{port}"}
        await hub.save_settings(OPERATOR, ServiceType.AUTHORIZATION, settings)

        async def one(i: int) -> None:
            params = SendParams(evse_id=evse(i), provider_id="DE*ICE")
            exchange = await hub.send(OPERATOR, Operation.AUTHORIZE_REMOTE_START, params)
            if not exchange.ok:
                raise RuntimeError(exchange.detail)

        figures = await measure("(b) hub -> CPO stub (validated and recorded)", total, one, pid)
    await hub.close()
    return figures


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


async def main(total: int, rounds: int, as_json: bool) -> int:
    """Run (a) and (b) in alternation. The ratios are the medians of each round's ratios:
    a round's (a) and (b) run seconds apart, so a slow spell of the machine (other work,
    a busy neighbour of the VM) weighs on both, and one odd round decides nothing."""
    runs_a: list[Figures] = []
    runs_b: list[Figures] = []
    with tempfile.TemporaryDirectory() as tmp:
        files = MockHubjectPKI.create(host="localhost").write(Path(tmp))
        for _ in range(rounds):
            runs_a.append(await bare(files, total))
            runs_b.append(await hub_to_stub(files, total))
    a, b = median_run(runs_a), median_run(runs_b)
    pairs = list(zip(runs_a, runs_b, strict=True))
    throughputs = [rb.rps / ra.rps for ra, rb in pairs]
    p50s = [rb.percentile(50) / ra.percentile(50) for ra, rb in pairs]
    throughput, p50 = median(throughputs), median(p50s)
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
                    "round_throughput_ratios": throughputs,
                    "round_p50_ratios": p50s,
                }
            )
        )
    else:
        print(
            f"{total} remote starts per round, {CONCURRENCY} concurrent, connections reused; "
            f"{rounds} rounds, (a) and (b) alternating; figures of each side's median round\n"
        )
        print(a.line())
        print(b.line())
        print("\nper round, (b)/(a) throughput: " + ", ".join(f"{r:.2f}" for r in throughputs))
        print("per round, (b)/(a) p50 latency: " + ", ".join(f"{r:.2f}" for r in p50s))
        print(f"\nthroughput (b)/(a), median of rounds: {throughput:.2f} (target >= 0.60)")
        print(f"p50 latency (b)/(a), median of rounds: {p50:.2f} (target <= 1.50)")
    return 0 if throughput >= 0.6 and p50 <= 1.5 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="per round and side")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--serve", choices=["bare", "stub"], help=argparse.SUPPRESS)
    parser.add_argument("--pki", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve = serve_bare if args.serve == "bare" else serve_stub
        asyncio.run(serve(PKIFiles(Path(args.pki))))
    raise SystemExit(asyncio.run(main(args.requests, args.rounds, args.json)))
