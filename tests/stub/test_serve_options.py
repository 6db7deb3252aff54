"""``hubsim stub serve --server-cert/--server-key/--client-ca``, as a process.

The rehearsals point the stub at renewed or pinned certificates with these options.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from mockpki import MockHubjectPKI, PKIFiles, load_pem_chain, self_signed_server_cert
from mockpki._x509 import certificate_pem
from tests.cli.conftest import Served, hubsim, line_with, serve

HUBSIM = [sys.executable, "-m", "hubsim"]
START = "/api/oicp/charging/v21/providers/DE*ICE/authorize-remote/start"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> PKIFiles:
    return MockHubjectPKI.create().write(tmp_path_factory.mktemp("stub-options"))


@pytest.fixture
async def served() -> AsyncIterator[list[Served]]:
    started: list[Served] = []
    yield started
    for process in started:
        process.proc.kill()
        await process.proc.wait()


async def status_presenting(url: str, cert: Path, key: Path, files: PKIFiles) -> int | str:
    """The HTTP status a POST gets presenting ``cert``, or the error that ended it."""
    context = ssl.create_default_context(cafile=str(files.hubject_ca))
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.load_cert_chain(str(cert), str(key))
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.post(url + START, data=b"{}", ssl=context) as resp,
        ):
            return resp.status
    except aiohttp.ClientError as exc:
        return type(exc).__name__


def test_a_server_certificate_without_its_key_is_refused(files: PKIFiles) -> None:
    done = subprocess.run(
        [*HUBSIM, "stub", "serve", "--pki", str(files.directory), "--server-cert", "x.pem"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "--server-cert needs --server-key" in done.stderr and "Traceback" not in done.stderr


async def test_client_ca_with_one_leaf_accepts_that_leaf_only(
    files: PKIFiles, tmp_path: Path, served: list[Served]
) -> None:
    pinned = tmp_path / "pinned.pem"
    pinned.write_bytes(certificate_pem(load_pem_chain(files.hub_client_cert.read_bytes())[0]))
    stub = await serve(
        "stub", "serve", "--pki", str(files.directory), "--port", "0",
        "--client-ca", str(pinned), ready="CPO stub listening on",
    )  # fmt: skip
    served.append(stub)
    pinned_leaf = await status_presenting(
        stub.url, files.hub_client_cert, files.hub_client_key, files
    )
    other_leaf = await status_presenting(
        stub.url, files.cpo_client_cert, files.cpo_client_key, files
    )
    assert pinned_leaf == 200
    assert other_leaf != 200  # same CA, another leaf: not the pin


async def test_server_cert_serves_the_given_certificate(
    files: PKIFiles, tmp_path: Path, served: list[Served]
) -> None:
    leaf = self_signed_server_cert("localhost", common_name="rehearsal.example")
    cert, key = tmp_path / "server.pem", tmp_path / "server.key"
    leaf.write(cert, key)
    stub = await serve(
        "stub", "serve", "--pki", str(files.directory), "--port", "0",
        "--server-cert", str(cert), "--server-key", str(key), ready="CPO stub listening on",
    )  # fmt: skip
    served.append(stub)
    host, port = stub.url.removeprefix("https://").rsplit(":", 1)
    presented = ssl.get_server_certificate((host, int(port)))
    assert load_pem_chain(presented.encode())[0] == leaf.certificate


async def _stderr_line(served: Served) -> str:
    assert served.proc.stderr is not None
    return (await asyncio.wait_for(served.proc.stderr.readline(), 60)).decode()


async def test_stub_serve_tells_each_failed_handshake_once(
    files: PKIFiles, served: list[Served]
) -> None:
    stub = await serve("stub", "serve", "--pki", str(files.directory), "--port", "0", ready="on")
    served.append(stub)
    host, port = stub.url.removeprefix("https://").split(":")
    peers = []
    for _ in range(2):  # two clients that speak no TLS: two failures, from two ports
        reader, writer = await asyncio.open_connection(host, int(port))
        peers.append(writer.get_extra_info("sockname")[1])
        writer.write(b"GET / HTTP/1.1\r\n\r\n")
        await writer.drain()
        with contextlib.suppress(ConnectionResetError):
            await reader.read()  # the stub ends the connection
        writer.close()
    lines = [await _stderr_line(stub), await _stderr_line(stub)]
    # A duplicate of the first failure would stand between the two.
    assert [str(p) in line for p, line in zip(peers, lines, strict=True)] == [True, True], lines


async def test_stub_serve_says_how_it_answered_a_refused_start(
    files: PKIFiles, served: list[Served]
) -> None:
    stub = await serve("stub", "serve", "--pki", str(files.directory), "--port", "0", ready="on")
    served.append(stub)
    send = (
        "send", "remote-start", "--url", stub.url, "--server-cert", "hubject",
        "--pki", str(files.directory), "--provider", "DE*ICE", "--evse", "DE*ABC*E0042",
    )  # fmt: skip
    for _ in range(2):  # the second start finds the EVSE charging: 602, behaviour 'accept'
        await hubsim(*send)
    first = await line_with(stub, "EvseID=DE*ABC*E0042")
    second = await line_with(stub, "EvseID=DE*ABC*E0042")
    assert "-> 200 Result true, StatusCode 000 (behaviour accept)" in first
    assert "-> 200 Result false, StatusCode 602 (behaviour accept)" in second
