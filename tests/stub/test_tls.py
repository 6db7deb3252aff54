"""Mutual TLS: what the stub requires, what it presents, and how it reports refusals."""

from __future__ import annotations

import asyncio
import contextlib
import io
import ssl
from pathlib import Path

import aiohttp
import pytest

from cpo_stub import CPOStub, run_stub
from cpo_stub.tls import server_context
from mockpki import MockHubjectPKI, PKIFiles, foreign_ca
from mockpki.errors import PKIError
from oicp.operations import Operation
from tests.stub.support import Hub, client_context, start_body


async def test_handshake_without_client_certificate_is_recorded_with_the_reason(
    stub: CPOStub, http: aiohttp.ClientSession, pki_files: PKIFiles
) -> None:
    anonymous = Hub(stub, http, client_context(pki_files, with_client_cert=False))

    with pytest.raises(aiohttp.ClientError):
        await anonymous.remote_start()

    [failure] = await stub.wait_for_handshake_failures(1)
    assert failure.reason == "peer did not return a certificate"
    assert failure.peer.startswith("127.0.0.1:")
    assert stub.records == []


async def test_handshake_with_a_foreign_ca_certificate_is_recorded_with_the_reason(
    stub: CPOStub, http: aiohttp.ClientSession, pki_files: PKIFiles, tmp_path: Path
) -> None:
    context = client_context(pki_files, with_client_cert=False)
    foreign_ca().issue_client_cert("service-qa.hubject.com").configure_cert(context)
    stranger = Hub(stub, http, context)

    with pytest.raises(aiohttp.ClientError):
        await stranger.remote_start()

    [failure] = await stub.wait_for_handshake_failures(1)
    assert failure.reason == "unable to get local issuer certificate"
    assert failure.verify_message == "unable to get local issuer certificate"


async def test_handshake_failures_are_listed_on_the_requests_page(
    stub: CPOStub, hub: Hub, pki_files: PKIFiles
) -> None:
    anonymous = Hub(stub, hub.session, client_context(pki_files, with_client_cert=False))
    with pytest.raises(aiohttp.ClientError):
        await anonymous.remote_start()
    await stub.wait_for_handshake_failures(1)

    page = (await hub.send("GET", stub.url + "/_stub/requests")).json()

    assert page["handshake_failures"][0]["reason"] == "peer did not return a certificate"


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
async def test_hub_certificate_is_accepted_over_tls_1_2_and_1_3(
    stub: CPOStub, http: aiohttp.ClientSession, pki_files: PKIFiles, version: ssl.TLSVersion
) -> None:
    context = client_context(pki_files)
    context.minimum_version = context.maximum_version = version

    ack = await Hub(stub, http, context).remote_start()

    assert ack["Result"] is True


def test_server_context_requires_a_client_certificate_and_tls_1_2(pki_files: PKIFiles) -> None:
    context = server_context(
        pki_files.cpo_server_cert, pki_files.cpo_server_key, pki_files.hubject_ca
    )

    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.minimum_version is ssl.TLSVersion.TLSv1_2


async def test_user_certificate_stub_presents_the_self_signed_certificate(
    pki_files: PKIFiles, http: aiohttp.ClientSession
) -> None:
    # "User certificate" mode: the hub trusts what the CPO uploaded, not the Hubject CA.
    context = ssl.create_default_context(cafile=str(pki_files.cpo_user_server_cert))
    context.load_cert_chain(pki_files.hub_client_cert, pki_files.hub_client_key)

    async with CPOStub.from_pki_dir(pki_files.directory, user_cert=True) as stub:
        ack = await Hub(stub, http, context).remote_start()

    assert ack["Result"] is True


async def test_stop_closes_open_connections_and_pending_handshakes(
    pki_files: PKIFiles, hub: Hub
) -> None:
    async with CPOStub.from_pki_dir(pki_files.directory) as stub:
        tls_reader, tls_writer = await asyncio.open_connection(
            "127.0.0.1", stub.port, ssl=client_context(pki_files), server_hostname="localhost"
        )
        tcp_reader, tcp_writer = await asyncio.open_connection("127.0.0.1", stub.port)

    assert await tls_reader.read() == b""
    assert await tcp_reader.read() == b""
    for writer in (tls_writer, tcp_writer):
        writer.close()
        await _closed(writer)


async def _closed(writer: asyncio.StreamWriter) -> None:
    # The peer is gone; closing our side may report that, which is what the test expects.
    with contextlib.suppress(ConnectionError, ssl.SSLError):
        await writer.wait_closed()


def test_from_pki_dir_names_the_missing_files(tmp_path: Path) -> None:
    with pytest.raises(PKIError, match="hubsim pki init"):
        CPOStub.from_pki_dir(tmp_path)


def test_bad_server_key_is_refused_with_the_file_names(pki_files: PKIFiles) -> None:
    with pytest.raises(ValueError, match=r"cpo-server\.pem"):
        CPOStub(
            server_cert=pki_files.cpo_server_cert,
            server_key=pki_files.hub_client_key,
            client_ca=pki_files.hubject_ca,
        )


async def test_certificates_can_be_given_as_pem_bytes(
    pki: MockHubjectPKI, pki_files: PKIFiles, http: aiohttp.ClientSession
) -> None:
    stub = CPOStub(
        server_cert=pki.cpo_server.chain_pem,
        server_key=pki.cpo_server.key_pem,
        client_ca=pki.ca_chain_pem,
    )

    async with stub:
        ack = await Hub(stub, http, client_context(pki_files)).remote_start()

    assert ack["Result"] is True


async def test_run_stub_serves_until_cancelled(
    pki_files: PKIFiles, http: aiohttp.ClientSession
) -> None:
    running: asyncio.Future[CPOStub] = asyncio.get_running_loop().create_future()
    out = io.StringIO()
    task = asyncio.create_task(
        run_stub(pki_files.directory, port=0, started=running.set_result, out=out)
    )
    stub = await running
    url = stub.url

    ack = await Hub(stub, http, client_context(pki_files)).ack(
        Operation.AUTHORIZE_REMOTE_START, start_body()
    )
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert ack["Result"] is True
    assert f"CPO stub listening on {url}" in out.getvalue()
    assert "eRoamingAuthorizeRemoteStart" in out.getvalue()
