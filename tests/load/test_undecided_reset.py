"""A reset in the handshake whose further handshake tells nothing is not a refusal.

Under a load of thousands of connections in one process, the hub's own handshakes did not
finish in time: the probe that should tell a dropped connection from a refused certificate
timed out, and 1,513 of 5,000 requests read as ``client_cert_refused``, against a stub
that trusted the hub's certificate all along.
"""

from __future__ import annotations

import json
from contextlib import AbstractAsyncContextManager

from mockpki import PKIFiles
from tests.cli.conftest import hubsim
from tests.load.conftest import script_server

# Resets the first connection it accepts (inside the client's handshake); every further
# connection is kept open: "silent" never reads from it, "hello" answers the ClientHello
# with its ServerHello flight and then reads nothing more.
_SERVER = """
import socket, ssl, struct, sys
mode, cert, key = sys.argv[1:4]
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.load_default_certs()
held = []
first = True
while True:
    conn, _ = server.accept()
    if first:
        first = False
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
        continue
    held.append(conn)
    if mode == "hello":
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = ctx.wrap_bio(incoming, outgoing, server_side=True)
        incoming.write(conn.recv(65536))
        try:
            tls.do_handshake()
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLError:
            continue  # the old-TLS probe's hello: nothing to answer
        conn.sendall(outgoing.read())
        held.append(tls)
"""


def _server(mode: str, pki: PKIFiles) -> AbstractAsyncContextManager[int]:
    return script_server(_SERVER, mode, str(pki.cpo_server_cert), str(pki.cpo_server_key))


async def _diagnosis(port: int, pki: PKIFiles) -> dict[str, str]:
    run = await hubsim(
        *("send", "remote-start", "--url", f"https://localhost:{port}"),
        *("--server-cert", "hubject", "--pki", str(pki.directory), "--timeout", "1"),
        *("--provider", "DE*ICE", "--evse", "DE*ABC*E0001", "--json"),
    )
    exchange: dict[str, str] = json.loads(run.out)
    return exchange


async def test_a_further_handshake_that_gets_no_answer_in_time_is_not_a_refusal(
    pki_files: PKIFiles,
) -> None:
    async with _server("silent", pki_files) as port:
        exchange = await _diagnosis(port, pki_files)
    assert exchange["outcome"] == "connection_closed", exchange["detail"]
    assert "did not finish within 1 s" in exchange["detail"]
    assert "whether it refused the hub's certificate is unknown" in exchange["detail"]


async def test_a_further_handshake_answered_then_stalled_is_not_a_refusal(
    pki_files: PKIFiles,
) -> None:
    async with _server("hello", pki_files) as port:
        exchange = await _diagnosis(port, pki_files)
    assert exchange["outcome"] == "connection_closed", exchange["detail"]
    assert "did not finish within 1 s" in exchange["detail"]


async def test_the_time_of_a_failed_request_leaves_out_the_probes_of_its_diagnosis(
    pki_files: PKIFiles,
) -> None:
    # The reset comes at once; the two probes after it wait out their 1 s each. Counted in,
    # a backend that drops connections at once read as one answering in seconds.
    async with _server("silent", pki_files) as port:
        exchange = await _diagnosis(port, pki_files)
    assert float(exchange["elapsed_ms"]) < 1000, exchange
