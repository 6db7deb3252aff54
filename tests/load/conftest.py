"""Load runs against real processes: the CPO stub (and the hub) as ``hubsim`` subprocesses."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from mockpki import MockHubjectPKI, PKIFiles
from tests.cli.conftest import Run, Served, hubsim, line_with, serve
from tests.cli.conftest import served as served  # the fixture, for the hub-process tests


@pytest.fixture(scope="session")
def pki_files(tmp_path_factory: pytest.TempPathFactory) -> PKIFiles:
    return MockHubjectPKI.create(host="localhost").write(tmp_path_factory.mktemp("load-pki"))


@dataclass
class StubProcess:
    """``hubsim stub serve`` in its own process, with its plain-HTTP control API."""

    served: Served
    url: str  # with the host name its certificate covers
    control: str

    async def records(self) -> list[dict[str, Any]]:
        async with aiohttp.ClientSession() as s, s.get(f"{self.control}/requests") as r:
            data: dict[str, Any] = await r.json()
        return list(data["requests"])

    async def behave(self, evse_id: str, behaviour: dict[str, Any]) -> None:
        async with (
            aiohttp.ClientSession() as s,
            s.put(f"{self.control}/behaviours/{evse_id}", json=behaviour) as r,
        ):
            assert r.status == 200, await r.text()


@pytest.fixture
async def stub(pki_files: PKIFiles) -> AsyncIterator[StubProcess]:
    async with stub_process(pki_files) as running:
        yield running


@asynccontextmanager
async def stub_process(pki_files: PKIFiles, *extra: str) -> AsyncIterator[StubProcess]:
    """``hubsim stub serve`` with ``extra`` options, in its own process."""
    served = await serve(
        "stub",
        "serve",
        "--pki",
        str(pki_files.directory),
        "--port",
        "0",
        "--control-port",
        "0",
        *extra,
        ready="listening on",
    )
    drain: asyncio.Task[None] | None = None
    try:
        control = (await line_with(served, "control API on")).split(" on ")[1].strip()
        url = served.url.replace("127.0.0.1", "localhost")
        # The stub prints a line per request: unread, its pipe fills after a few hundred and
        # the stub blocks in print(), control API and all (a fast machine gets there in 0.5 s).
        drain = asyncio.create_task(_read_to_the_end(served))
        yield StubProcess(served, url, control)
    finally:
        served.proc.kill()
        await served.proc.wait()
        if drain is not None:
            await drain


async def _read_to_the_end(served: Served) -> None:
    assert served.proc.stdout is not None
    while await served.proc.stdout.read(65536):
        pass


@asynccontextmanager
async def script_server(source: str, *args: str) -> AsyncIterator[int]:
    """A small server of ``source`` in a Python process of its own, which prints its port
    first; yields that port."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", source, *args, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    try:
        yield int(await asyncio.wait_for(proc.stdout.readline(), 30))
    finally:
        proc.kill()
        await proc.wait()


def one_shot(stub: StubProcess, pki: PKIFiles, *extra: str) -> list[str]:
    return [
        "load",
        "--url",
        stub.url,
        "--server-cert",
        "hubject",
        "--pki",
        str(pki.directory),
        *extra,
    ]


async def load_json(*args: str) -> tuple[Run, dict[str, Any]]:
    run = await hubsim(*args, "--json")
    assert run.out, run.err
    return run, json.loads(run.out)


NGINX = "/usr/sbin/nginx"
_NGINX_CONF = """
worker_processes 1;
error_log {dir}/error.log;
pid {dir}/nginx.pid;
events {{}}
http {{
    log_format connections '$connection $request_uri';
    access_log {dir}/access.log connections;
    client_body_temp_path {dir}/body;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {pki}/cpo-server.pem;
        ssl_certificate_key {pki}/cpo-server.key;
        ssl_client_certificate {pki}/hubject-ca.pem;
        ssl_verify_client on;
        ssl_verify_depth 3;
        location / {{
            {location}
        }}
    }}
}}
"""
_ACK = """default_type application/json;
            return 200 '{"Result": true, "StatusCode": {"Code": "000"}}';"""


@dataclass
class Nginx:
    """A foreign mTLS backend whose access log numbers each connection."""

    url: str
    access_log: Any

    def connections(self) -> list[str]:
        return [line.split()[0] for line in self.access_log.read_text().splitlines()]


@pytest.fixture
async def nginx(pki_files: PKIFiles, tmp_path: Path) -> AsyncIterator[Nginx]:
    async with nginx_answering(_ACK, pki_files, tmp_path) as server:
        yield server


@asynccontextmanager
async def nginx_answering(location: str, pki: PKIFiles, tmp_path: Path) -> AsyncIterator[Nginx]:
    """nginx with mutual TLS (the mock Hubject CA), answering every path with the
    directives of ``location`` (nginx syntax)."""
    with socket.socket() as sock:  # a free port; nginx cannot report the one it was given
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conf = tmp_path / "nginx.conf"
    text = _NGINX_CONF.format(dir=tmp_path, port=port, pki=pki.directory, location=location)
    conf.write_text(text)
    # nginx daemonises once its socket listens: this command's exit says it is ready.
    start = await asyncio.create_subprocess_exec(
        NGINX, "-p", str(tmp_path), "-c", str(conf), stderr=asyncio.subprocess.PIPE
    )
    _, err = await start.communicate()
    assert start.returncode == 0, err.decode()
    try:
        yield Nginx(f"https://localhost:{port}", tmp_path / "access.log")
    finally:
        stop = await asyncio.create_subprocess_exec(
            NGINX, "-p", str(tmp_path), "-c", str(conf), "-s", "stop"
        )
        await stop.wait()
