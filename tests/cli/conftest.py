"""Run ``hubsim`` as a user does: a real process, real output, real exit code."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from mockpki import MockHubjectPKI, PKIFiles

HUBSIM = [sys.executable, "-m", "hubsim"]


@pytest.fixture(scope="session")
def pki_files(tmp_path_factory: pytest.TempPathFactory) -> PKIFiles:
    return MockHubjectPKI.create(host="localhost").write(tmp_path_factory.mktemp("cli-pki"))


@dataclass
class Run:
    code: int
    out: str
    err: str


async def hubsim(*args: str, timeout: float = 120) -> Run:
    proc = await asyncio.create_subprocess_exec(
        *HUBSIM, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return Run(proc.returncode, out.decode(), err.decode())


@dataclass
class Served:
    """A long-running ``hubsim`` process and the URL it printed."""

    proc: asyncio.subprocess.Process
    url: str


async def serve(*args: str, ready: str) -> Served:
    """Start a server command and wait for the line that says it listens (no sleeping)."""
    proc = await asyncio.create_subprocess_exec(
        *HUBSIM, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    while True:
        line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        if not line:
            err = await proc.stderr.read() if proc.stderr else b""
            raise AssertionError(f"hubsim {' '.join(args)} exited: {err.decode()}")
        if ready in line:
            return Served(proc, line.split(" on ")[1].split()[0])


async def line_with(served: Served, text: str) -> str:
    """Read the server's output up to the first line containing ``text``."""
    assert served.proc.stdout is not None
    while True:
        line = (await asyncio.wait_for(served.proc.stdout.readline(), 60)).decode()
        if not line:
            raise AssertionError(f"the process ended before printing {text!r}")
        if text in line:
            return line


@pytest.fixture
async def served() -> AsyncIterator[list[Served]]:
    started: list[Served] = []
    yield started
    for s in started:
        s.proc.kill()
        await s.proc.wait()


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


async def roaming_hub(pki: PKIFiles, served: list[Served]) -> tuple[Served, str]:
    """``hubsim hub serve`` with its OICP port: the hub and its OICP URL."""
    hub = await serve(
        "hub", "serve", "--pki", str(pki.directory), "--port", "0", "--oicp-port", "0",
        ready="listening on",
    )  # fmt: skip
    served.append(hub)
    return hub, (await line_with(hub, "OICP endpoints")).rsplit(" on ", 1)[1].strip()


async def cpo_with_emp(hub: Served, service_url: str, **operator: object) -> None:
    """Operator DE*ABC online at ``service_url`` (Authorization, Hubject certificate), and
    EMP DE-ICE with a contract with it, configured as a user does: API and CLI."""
    async with aiohttp.ClientSession(base_url=hub.url) as api:
        await api.post("/api/operators", json={"operator_id": "DE*ABC", **operator})
        settings = {"online_request": True, "service_url": service_url}
        await api.put("/api/operators/DE*ABC/settings/authorization", json=settings)
    assert (await hubsim("emp", "add", "DE-ICE", "--hub", hub.url)).code == 0
    contract = await hubsim("emp", "contract", "DE-ICE", "--with", "DE*ABC", "--hub", hub.url)
    assert contract.code == 0, contract.err
