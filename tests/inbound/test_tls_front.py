"""The TLS front: broken clients do not harm the listener, and stopping drops handshakes."""

from __future__ import annotations

import asyncio

from mockpki import PKIFiles
from mockpki.ca import LeafCertificate
from oicp.cpo_operations import CPOOperation, cpo_to_hub_path
from simulator.inbound.server import InboundServer, server_tls_from_pki_dir
from simulator.inbound.service import Inbound
from tests.inbound.support import OPERATOR, OICPClient, add_operator, evse_data_push, evse_record

Certs = dict[str, LeafCertificate | None]
EVSE_DATA = cpo_to_hub_path(CPOOperation.PUSH_EVSE_DATA, OPERATOR)


def _port(server: InboundServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


async def test_plain_http_gets_nginx_400_and_the_listener_goes_on(
    inbound: Inbound, server: InboundServer, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    reader, writer = await asyncio.open_connection("127.0.0.1", _port(server))
    writer.write(b"POST / HTTP/1.1\r\nHost: x\r\n\r\n")

    answer = await reader.read()  # the front answers, then closes
    writer.close()
    reply = await client.post(EVSE_DATA, evse_data_push(evse_record()), certificates["cpo"])

    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"<center>The plain HTTP request was sent to HTTPS port</center>" in answer
    assert reply.json["Result"] is True


async def test_a_client_that_leaves_during_the_handshake_does_not_harm_the_listener(
    inbound: Inbound, server: InboundServer, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    _, writer = await asyncio.open_connection("127.0.0.1", _port(server))
    writer.write(b"\x16\x03\x01\x00\x05")  # the start of a TLS record, then nothing
    writer.close()
    await writer.wait_closed()

    reply = await client.post(EVSE_DATA, evse_data_push(evse_record()), certificates["cpo"])

    assert reply.json["Result"] is True


async def test_stopping_closes_connections_still_in_their_handshake(
    inbound: Inbound, pki_files: PKIFiles
) -> None:
    server = InboundServer(inbound, server_tls_from_pki_dir(pki_files.directory))
    await server.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", _port(server))
    writer.write(b"\x16\x03\x01")  # never completes the ClientHello

    await server.stop()
    try:
        async with asyncio.timeout(10):  # a safety net: a hanging connection fails the test
            leftover = await reader.read()
    except ConnectionResetError:  # the front aborts: the peer may see a reset, not an EOF
        leftover = b""
    writer.close()

    assert leftover == b""
