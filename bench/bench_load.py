"""Benchmark (c) to (f) of issue 15, with bench_send's alternating-block method.

(c) EMP -> hub's OICP port -> CPO stub -> back, against (a), the bare floor;
(d) a fresh TLS handshake per request: the hub's sender against a bare aiohttp client that
    also handshakes per request, both presenting client certificates;
(e) 1,000 requests in flight through a hub process against a stub that holds each one 20 s,
    with the operator's timeout at 60 s: all reach the stub and are accepted, hub peak RSS;
(f) ``hubsim load``'s engine in this one process against the bare aiohttp client, on the
    same stub at the same concurrency; then Locust's FastHttpUser (our user class) in one
    process on the same stub.

Every server is a process of its own. Run ``python bench/bench_load.py [--only c,d,e,f]``;
(a) and (b) stay in ``bench/bench_send.py``. Targets: (c)/(a) >= 0.30, (d) >= 0.8,
(e) 1000 accepted and RSS < 300 MB, (f) >= 0.9 and Locust's req/s at most ours.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).parent))
from bench_send import (
    CONCURRENCY,
    Figures,
    Side,
    bare_side,
    evse,
    run_block,
    server_process,
)

from hubsim.load.channels import TargetSpec, open_channel
from hubsim.load.engine import Engine
from hubsim.load.plan import EvsePattern, Plan, Shape, Unit
from mockpki import MockHubjectPKI, PKIFiles
from oicp import Operation
from simulator.hub import Hub, HubIdentity
from simulator.model import Operator, ServiceType
from simulator.requests import SendParams
from simulator.sender import Sender
from simulator.storage import Storage

HUBSIM = [sys.executable, "-m", "hubsim"]
REMOTE_START = "/api/oicp/charging/v21/providers/{}/authorize-remote/start"


def rss_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@asynccontextmanager
async def hubsim_process(
    *args: str, ready: str
) -> AsyncIterator[tuple[asyncio.subprocess.Process, list[str]]]:
    """A ``hubsim`` server process and the lines it printed up to ``ready``."""
    proc = await asyncio.create_subprocess_exec(
        *HUBSIM, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    assert proc.stdout is not None
    lines: list[str] = []
    while not any(ready in line for line in lines):
        line = (await proc.stdout.readline()).decode()
        if not line:
            raise RuntimeError(f"hubsim {' '.join(args)} ended: {lines}")
        lines.append(line.strip())
    # The stub prints a line per request; unread, they fill the pipe (64 KiB) and the
    # stub's next print blocks its event loop: (e) then lost requests or hung.
    drain = asyncio.create_task(_drain(proc.stdout))
    try:
        yield proc, lines
    finally:
        proc.kill()
        await proc.wait()
        drain.cancel()


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.read(64 * 1024):
        pass


def url_after(lines: list[str], label: str) -> str:
    return next(line for line in lines if label in line).split(" on ")[1].split()[0]


# (e) holds 1,000 connections on the hub's admin port and on the stub's port at once; each
# port closes connections beyond 512 by default.
IN_FLIGHT_CONNECTIONS = ("--max-connections", "1100")


async def hub_process(files: PKIFiles, stack: AsyncExitStack, *extra: str) -> tuple[int, str, str]:
    """``hubsim hub serve`` with its OICP port and a database file; (pid, admin, oicp)."""
    proc, lines = await stack.enter_async_context(
        hubsim_process(
            "hub",
            "serve",
            "--pki",
            str(files.directory),
            "--db",
            str(files.directory / "path.db"),
            "--port",
            "0",
            "--oicp-port",
            "0",
            *extra,
            ready="OICP endpoints",
        )
    )
    return proc.pid, url_after(lines, "admin API"), url_after(lines, "OICP endpoints")


async def configure(admin: str, stub_url: str, *, timeout_s: float = 10.0) -> None:
    async with aiohttp.ClientSession(base_url=admin) as api:
        async with api.post(
            "/api/operators", json={"operator_id": "DE*ABC", "timeout_s": timeout_s}
        ) as r:
            assert r.status < 300, await r.text()
        settings = {"online_request": True, "service_url": stub_url}
        async with api.put("/api/operators/DE*ABC/settings/authorization", json=settings) as r:
            assert r.status < 300, await r.text()
    for cmd in (("emp", "add", "DE-ICE"), ("emp", "contract", "DE-ICE", "--with", "DE*ABC")):
        subprocess.run([*HUBSIM, *cmd, "--hub", admin], check=True, capture_output=True)


def emp_context(files: PKIFiles) -> ssl.SSLContext:
    leaf = MockHubjectPKI.load(files.directory).issue_client_cert(
        "DE-ICE", organizational_unit="DE-ICE"
    )
    cert, key = files.directory / "emp.pem", files.directory / "emp.key"
    leaf.write(cert, key)
    ctx = ssl.create_default_context(cafile=str(files.hubject_ca))
    ctx.load_cert_chain(cert, key)
    return ctx


async def emp_side(files: PKIFiles, stack: AsyncExitStack) -> Side:
    """(c): an EMP posting remote starts to the hub's OICP port; the hub forwards to the stub."""
    port, _ = await stack.enter_async_context(server_process("stub", files))
    pid, admin, oicp = await hub_process(files, stack)
    await configure(admin, f"https://localhost:{port}")
    ctx = emp_context(files)
    url = oicp.replace("127.0.0.1", "localhost").rstrip("/") + REMOTE_START.format("DE-ICE")
    session = await stack.enter_async_context(
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
    )

    async def one(i: int) -> None:
        body = {
            "ProviderID": "DE-ICE",
            "EvseID": evse(i),
            "Identification": {"RemoteIdentification": {"EvcoID": "DE-8EO-CAET5E4XY-3"}},
        }
        async with session.post(url, json=body, ssl=ctx) as resp:
            answer = await resp.json()
        if answer.get("Result") is not True:
            raise RuntimeError(answer)

    return Side(Figures("(c) EMP -> hub OICP port -> CPO stub"), one, pid)


async def fresh_bare_side(files: PKIFiles, stack: AsyncExitStack) -> Side:
    """(d)'s floor: the bare client, a new connection (and handshake) per request."""
    port, pid = await stack.enter_async_context(server_process("bare", files))
    ctx = ssl.create_default_context(cafile=str(files.hubject_ca))
    ctx.load_cert_chain(files.hub_client_cert, files.hub_client_key)
    url = f"https://localhost:{port}" + REMOTE_START.format("DE*ICE")
    session = await stack.enter_async_context(
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100, force_close=True))
    )

    async def one(i: int) -> None:
        body = {
            "SessionID": str(uuid.uuid4()),
            "ProviderID": "DE*ICE",
            "EvseID": evse(i),
            "Identification": {"RemoteIdentification": {"EvcoID": "DE-8EO-CAET5E4XY-3"}},
        }
        async with session.post(url, json=body, ssl=ctx) as resp:
            await resp.json()

    return Side(Figures("(d) bare client, handshake per request"), one, pid)


async def fresh_hub_side(files: PKIFiles, stack: AsyncExitStack) -> Side:
    """(d): the hub (settings, validation, recording) with a handshake per request."""
    port, pid = await stack.enter_async_context(server_process("stub", files))
    storage = await Storage.open(files.directory / "fresh.db")
    hub = Hub(storage, HubIdentity.from_pki_dir(files.directory))
    hub.sender = Sender(hub.identity.client, fresh_connections=True)
    stack.push_async_callback(hub.close)
    await hub.put_operator(Operator(operator_id="DE*ABC"))
    settings = {"online_request": True, "service_url": f"https://localhost:{port}"}
    await hub.save_settings("DE*ABC", ServiceType.AUTHORIZATION, settings)

    async def one(i: int) -> None:
        params = SendParams(evse_id=evse(i), provider_id="DE*ICE")
        exchange = await hub.send("DE*ABC", Operation.AUTHORIZE_REMOTE_START, params)
        if not exchange.ok:
            raise RuntimeError(exchange.detail)

    return Side(Figures("(d) hub -> stub, handshake per request"), one, pid, settle=storage.flush)


async def stub_bare_side(port: int, pid: int, files: PKIFiles, stack: AsyncExitStack) -> Side:
    """(f)'s floor: the bare client posting remote starts to the stub."""
    ctx = ssl.create_default_context(cafile=str(files.hubject_ca))
    ctx.load_cert_chain(files.hub_client_cert, files.hub_client_key)
    url = f"https://localhost:{port}" + REMOTE_START.format("DE*ICE")
    session = await stack.enter_async_context(
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
    )

    async def one(i: int) -> None:
        body = {
            "SessionID": str(uuid.uuid4()),
            "ProviderID": "DE*ICE",
            "EvseID": f"DE*ABC*EB{i:07d}",
            "Identification": {"RemoteIdentification": {"EvcoID": "DE-8EO-CAET5E4XY-3"}},
        }
        async with session.post(url, json=body, ssl=ctx) as resp:
            await resp.json()

    return Side(Figures("(f) bare aiohttp client -> stub"), one, pid)


async def load_blocks(
    port: int, pid: int, files: PKIFiles, block: int, rounds: int, bare: Side
) -> tuple[Figures, Figures]:
    """(f): hubsim load's engine, one block per run, alternating with the bare client."""
    spec = TargetSpec(
        url=f"https://localhost:{port}", server_cert="hubject", pki=str(files.directory)
    )
    channel = await open_channel(spec, 100)
    ours = Figures("(f) hubsim load (one process) -> stub")
    pattern = EvsePattern("DE*ABC*EL", 0, 9_999_999, 7, "")
    try:

        async def engine_block(first: int) -> None:
            plan = Plan(
                shape=Shape(concurrency=CONCURRENCY, requests=block),
                mix=((Unit.REMOTE_START, 1.0),),
                evse=pattern,
            )
            t0, c0, s0 = time.perf_counter(), time.process_time(), bench_cpu(pid)
            engine = Engine(plan, channel, index=first)
            result = await engine.run()
            ours.requests += result.tally.requests
            ours.seconds += time.perf_counter() - t0
            ours.client_cpu_s += time.process_time() - c0
            ours.server_cpu_s += bench_cpu(pid) - s0
            ours.block_rps.append(result.tally.requests / (time.perf_counter() - t0))
            h = result.tally.histogram
            ours.latencies_ms += [h.get_value_at_percentile(p) / 1000 for p in range(1, 100)]

        await engine_block(10**8)  # warm-up: connections and caches
        ours.requests = ours.seconds = ours.client_cpu_s = ours.server_cpu_s = 0
        ours.block_rps.clear()
        ours.latencies_ms.clear()
        await run_block(Side(Figures("warm"), bare.one, pid), 10**6, 4 * CONCURRENCY)
        first = 0
        for r in range(rounds):
            for which in ("bare", "ours") if r % 2 == 0 else ("ours", "bare"):
                if which == "bare":
                    await run_block(bare, first, block)
                else:
                    await engine_block(2 * 10**6 + first)
                first += block
    finally:
        await channel.close()
    return bare.figures, ours


def bench_cpu(pid: int) -> float:
    from bench_send import cpu_seconds

    return cpu_seconds(pid)


def locust_rps(port: int, files: PKIFiles, requests: int) -> tuple[float, int]:
    """Our Locust user class on FastHttpUser, one local process, CONCURRENCY users."""
    from importlib.util import find_spec

    spec = find_spec("hubsim.load.locustfile")
    assert spec is not None and spec.origin is not None
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            spec.origin,
            "--headless",
            "-u",
            str(CONCURRENCY),
            "-r",
            str(CONCURRENCY),
            "--host",
            f"https://localhost:{port}",
            "--hubsim-pki",
            str(files.directory),
            "--hubsim-mix",
            "remote-start",
            "--hubsim-evse",
            "DE*ABC*EQ[0000000-9999999]",
            "--hubsim-requests",
            str(requests),
            "--json",
            "--only-summary",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    stats = json.loads(done.stdout)
    total = sum(e["num_requests"] for e in stats)
    start = min(e["start_time"] for e in stats)
    end = max(e["last_request_timestamp"] for e in stats)
    return total / (end - start), total


async def run_in_flight(files: PKIFiles) -> dict[str, float]:
    """(e): 1000 at once through a hub process; the stub holds each 20 s, timeout 60 s."""
    async with AsyncExitStack() as stack:
        _, stub_lines = await stack.enter_async_context(
            hubsim_process(
                "stub",
                "serve",
                "--pki",
                str(files.directory),
                "--port",
                "0",
                "--control-port",
                "0",
                *IN_FLIGHT_CONNECTIONS,
                ready="control API",
            )
        )
        stub_url = url_after(stub_lines, "listening").replace("127.0.0.1", "localhost")
        control = url_after(stub_lines, "control API")
        async with aiohttp.ClientSession() as s:
            hold = {"type": "delay", "seconds": 20, "then": {"type": "accept"}}
            async with s.put(f"{control}/behaviours/_default", json=hold) as r:
                assert r.status == 200
        pid, admin, _ = await hub_process(files, stack, *IN_FLIGHT_CONNECTIONS)
        await configure(admin, stub_url, timeout_s=60)
        t0 = time.perf_counter()
        load = await asyncio.create_subprocess_exec(
            *HUBSIM,
            "load",
            "--operator",
            "DE*ABC",
            "--hub",
            admin,
            "-c",
            "1000",
            "--requests",
            "1000",
            "--mix",
            "remote-start",
            "--evse",
            "DE*ABC*EH[0001-1000]",
            "--json",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await load.communicate()
        seconds = time.perf_counter() - t0
        if not out.strip():
            problem = err.decode().strip()
            raise SystemExit(f"hubsim load printed no report (exit {load.returncode}): {problem}")
        report = json.loads(out)
        async with aiohttp.ClientSession() as s, s.get(f"{control}/requests") as r:
            reached = len((await r.json())["requests"])
        accepted = report["outcomes"].get("accepted", {}).get("count", 0)
        return {
            "sent": report["requests"],
            "reached_stub": reached,
            "accepted": accepted,
            "outcomes": {k: v["count"] for k, v in report["outcomes"].items()},  # type: ignore[dict-item]
            "hub_peak_rss_mb": rss_peak_mb(pid),
            "seconds": seconds,
        }


def ratio_lines(label: str, a: Figures, b: Figures, target: float) -> list[str]:
    thr = b.rps / a.rps
    per = [rb / ra for ra, rb in zip(a.block_rps, b.block_rps, strict=False)]
    per.sort()
    return [
        a.line(),
        b.line(),
        f"{label}: throughput {thr:.2f} (target >= {target:.2f}); p50 "
        f"{b.percentile(50) / a.percentile(50):.2f}; per round min/median/max "
        f"{per[0]:.2f} / {per[len(per) // 2]:.2f} / {per[-1]:.2f}",
    ]


async def alternate(sides: tuple[Side, Side], block: int, rounds: int) -> None:
    for side in sides:
        await run_block(Side(Figures("warm"), side.one, side.server_pid), 10**6, 4 * CONCURRENCY)
    first = 0
    for r in range(rounds):
        for side in sides if r % 2 == 0 else sides[::-1]:
            await run_block(side, first, block)
            first += block


async def main(only: set[str], block: int, rounds: int, locust_requests: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = MockHubjectPKI.create(host="localhost").write(Path(tmp))
        print(f"{CONCURRENCY} concurrent, {rounds} rounds of {block}-request blocks per side\n")
        if "c" in only:
            async with AsyncExitStack() as stack:
                a, c = await bare_side(files, stack), await emp_side(files, stack)
                await alternate((a, c), block, rounds)
                print(
                    "\n".join(ratio_lines("(c)/(a)", a.figures, c.figures, 0.30)), "\n", flush=True
                )
        if "d" in only:
            async with AsyncExitStack() as stack:
                a, d = await fresh_bare_side(files, stack), await fresh_hub_side(files, stack)
                await alternate((a, d), block // 4, rounds)
                print(
                    "\n".join(ratio_lines("(d) hub/bare", a.figures, d.figures, 0.8)),
                    "\n",
                    flush=True,
                )
        if "f" in only:
            async with AsyncExitStack() as stack:
                port, pid = await stack.enter_async_context(server_process("stub", files))
                bare = await stub_bare_side(port, pid, files, stack)
                a, f = await load_blocks(port, pid, files, block, rounds, bare)
                print("\n".join(ratio_lines("(f) hubsim load/bare", a, f, 0.9)))
                print("    (hubsim load's p50 is read from its HDR histograms)")
                rps, total = locust_rps(port, files, locust_requests)
                print(
                    f"(f) Locust FastHttpUser (hubsim user class), 1 process, {CONCURRENCY} "
                    f"users: {rps:.0f} req/s over {total} requests; hubsim load / Locust: "
                    f"{f.rps / rps:.2f} (target >= 1.00)\n",
                    flush=True,
                )
        if "e" in only:
            found = await run_in_flight(files)
            print(f"(e) 1000 in flight, stub holds 20 s, timeout 60 s: {json.dumps(found)}")
            ok = found["accepted"] == 1000 and found["reached_stub"] == 1000
            print(
                f"    all reached and accepted: {ok}; "
                f"hub peak RSS {found['hub_peak_rss_mb']:.0f} MB (target < 300)"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="c,d,e,f", help="which setups, e.g. c,f")
    parser.add_argument("--requests", type=int, default=1000, help="per block")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--locust-requests", type=int, default=10000)
    args = parser.parse_args()
    asyncio.run(main(set(args.only.split(",")), args.requests, args.rounds, args.locust_requests))
