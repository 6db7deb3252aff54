"""A backend that drops connections is not one that refuses the hub's certificate.

A server over its connection limit resets what it accepts before answering the TLS
ClientHello; read as a reset in the handshake, that looked like a refused client certificate,
and a CPO developer went to fix a trust store that was fine.
"""

from __future__ import annotations

import asyncio
import json

from mockpki import PKIFiles
from tests.cli.conftest import hubsim
from tests.load.conftest import script_server, stub_process


def _send(url: str, pki: PKIFiles) -> list[str]:
    return [
        *("send", "remote-start", "--url", url, "--server-cert", "hubject"),
        *("--pki", str(pki.directory), "--provider", "DE*ICE", "--evse", "DE*ABC*E0001"),
        "--json",
    ]


async def test_a_stub_over_its_connection_limit_is_a_closed_connection(
    pki_files: PKIFiles,
) -> None:
    async with stub_process(pki_files, "--max-connections", "1") as stub:
        host, port = "localhost", int(stub.url.rsplit(":", 1)[1])
        _, held = await asyncio.open_connection(host, port)  # the one connection it allows
        try:
            run = await hubsim(*_send(stub.url, pki_files))
        finally:
            held.close()
    exchange = json.loads(run.out)
    assert exchange["outcome"] == "connection_closed", exchange["detail"]
    assert "before answering the hub's TLS ClientHello" in exchange["detail"]


# A process that accepts each connection and resets it at once, reading nothing.
_RESETTER = """
import socket, struct, sys
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
while True:
    conn, _ = server.accept()
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
"""


async def test_a_port_that_resets_every_connection_unanswered_is_a_closed_connection(
    pki_files: PKIFiles,
) -> None:
    async with script_server(_RESETTER) as port:
        run = await hubsim(*_send(f"https://localhost:{port}", pki_files))
    exchange = json.loads(run.out)
    assert exchange["outcome"] == "connection_closed", exchange["detail"]
    assert "never saw the hub's certificate" in exchange["detail"]


async def test_check_against_a_stub_over_its_limit_fails_the_tls_layer(
    pki_files: PKIFiles,
) -> None:
    # Layers 5 to 7 passed: every dropped probe counted as a refused bad certificate.
    async with stub_process(pki_files, "--max-connections", "1") as stub:
        _, held = await asyncio.open_connection("localhost", int(stub.url.rsplit(":", 1)[1]))
        try:
            run = await hubsim(
                *("check", "--url", stub.url, "--server-cert", "hubject"),
                *("--pki", str(pki_files.directory), "--json"),
            )
        finally:
            held.close()
    layers = {layer["key"]: layer for layer in json.loads(run.out)["layers"]}
    assert run.code == 1
    assert layers["tls"]["status"] == "FAIL"
    assert "before answering the TLS ClientHello" in layers["tls"]["reason"]
    assert layers["client_certificate"]["status"] == "SKIP"
