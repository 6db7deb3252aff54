"""The written files work for real mutual TLS on loopback, and bad client certificates are refused.

Each test runs one handshake between a blocking ``ssl`` server (in a worker thread) and a blocking
client; the server reports what it saw (the client's certificate or its own error). The socket
timeout is a safety net against a hang, never a means of synchronisation.
"""

from __future__ import annotations

import socket
import ssl
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from mockpki import BadClientCertificate, LeafCertificate, PKIFiles, describe_der

SAFETY_TIMEOUT = 30.0
GREETING = b"hello"


@dataclass(frozen=True)
class ServerSide:
    """What the server saw: the client's certificate (DER) or the error that ended the handshake."""

    peer_der: bytes | None
    error: ssl.SSLError | None


@dataclass(frozen=True)
class Handshake:
    """The outcome of one connection on both ends."""

    server: ServerSide
    client_error: OSError | None
    reply: bytes


def _server_context(cert: Path, key: Path, trust: Path | None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    if trust is not None:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cafile=trust)
    return context


def _client_context(
    trust: Path, cert: Path | None = None, key: Path | None = None
) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=trust)
    if cert is not None:
        context.load_cert_chain(cert, key)
    return context


def _hub_server(files: PKIFiles) -> ssl.SSLContext:
    """The hub's HTTPS side: hub-server.pem, requiring a client certificate from the mock CA."""
    return _server_context(files.hub_server_cert, files.hub_server_key, files.hubject_ca)


def _cpo_server(files: PKIFiles) -> ssl.SSLContext:
    """A CPO backend: cpo-server.pem, requiring a client certificate from the mock CA."""
    return _server_context(files.cpo_server_cert, files.cpo_server_key, files.hubject_ca)


def _serve_one(listener: socket.socket, context: ssl.SSLContext) -> ServerSide:
    connection, _ = listener.accept()
    connection.settimeout(SAFETY_TIMEOUT)
    try:
        with context.wrap_socket(connection, server_side=True) as tls:
            peer_der = tls.getpeercert(binary_form=True)
            tls.sendall(GREETING)
            while tls.recv(1024):  # until the client hangs up
                pass
    except ssl.SSLError as error:
        return ServerSide(peer_der=None, error=error)
    finally:
        connection.close()
    return ServerSide(peer_der=peer_der, error=None)


def _connect(
    port: int, context: ssl.SSLContext, server_hostname: str
) -> tuple[OSError | None, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=SAFETY_TIMEOUT) as raw:
        try:
            with context.wrap_socket(raw, server_hostname=server_hostname) as tls:
                return None, tls.recv(len(GREETING))
        except OSError as error:  # ssl.SSLError, or a reset after a TLS 1.3 rejection
            return error, b""


def handshake(
    server_context: ssl.SSLContext, client_context: ssl.SSLContext, server_hostname: str
) -> Handshake:
    """Connect once over loopback and report what each side saw."""
    with socket.create_server(("127.0.0.1", 0)) as listener, ThreadPoolExecutor(1) as pool:
        listener.settimeout(SAFETY_TIMEOUT)
        server = pool.submit(_serve_one, listener, server_context)
        client_error, reply = _connect(listener.getsockname()[1], client_context, server_hostname)
        return Handshake(server=server.result(), client_error=client_error, reply=reply)


def _peer_subject(result: Handshake) -> str:
    assert result.server.error is None, result.server.error
    assert result.client_error is None, result.client_error
    assert result.server.peer_der is not None
    return describe_der(result.server.peer_der).subject


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_hub_client_cert_completes_mutual_tls_with_the_cpo_server(
    pki_files: PKIFiles, host: str
) -> None:
    client = _client_context(
        pki_files.hubject_ca, pki_files.hub_client_cert, pki_files.hub_client_key
    )
    result = handshake(_cpo_server(pki_files), client, host)
    assert _peer_subject(result) == "CN=service-qa.hubject.com,OU=IT,O=Hubject GmbH (Mock)"
    assert result.reply == GREETING


def test_cpo_client_cert_completes_mutual_tls_with_the_hub_server(pki_files: PKIFiles) -> None:
    client = _client_context(
        pki_files.hubject_ca, pki_files.cpo_client_cert, pki_files.cpo_client_key
    )
    result = handshake(_hub_server(pki_files), client, "localhost")
    assert _peer_subject(result) == "CN=DE*ABC,OU=DE*ABC"
    assert result.reply == GREETING


def test_uploaded_user_certificate_is_enough_to_trust_the_user_server(pki_files: PKIFiles) -> None:
    server = _server_context(pki_files.cpo_user_server_cert, pki_files.cpo_user_server_key, None)
    client = _client_context(pki_files.cpo_user_server_cert)
    result = handshake(server, client, "localhost")
    assert result.client_error is None
    assert result.reply == GREETING


def test_user_server_cert_is_refused_by_a_client_trusting_only_hubject_ca(
    pki_files: PKIFiles,
) -> None:
    server = _server_context(pki_files.cpo_user_server_cert, pki_files.cpo_user_server_key, None)
    client = _client_context(pki_files.hubject_ca)
    result = handshake(server, client, "localhost")
    assert isinstance(result.client_error, ssl.SSLCertVerificationError)
    assert result.client_error.verify_code == 18  # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT


def test_cpo_server_cert_is_refused_for_a_host_it_does_not_cover(pki_files: PKIFiles) -> None:
    server = _server_context(pki_files.cpo_server_cert, pki_files.cpo_server_key, None)
    client = _client_context(pki_files.hubject_ca)
    result = handshake(server, client, "cpo.example.com")
    assert isinstance(result.client_error, ssl.SSLCertVerificationError)
    assert result.client_error.verify_code == 62  # X509_V_ERR_HOSTNAME_MISMATCH


# The OpenSSL verify result a server trusting hubject-ca.pem reports for each bad certificate.
BAD_CLIENT_VERIFY_CODES = {
    "self-signed": 18,  # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
    "foreign-ca": 20,  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    "expired": 10,  # X509_V_ERR_CERT_HAS_EXPIRED
    "not-yet-valid": 9,  # X509_V_ERR_CERT_NOT_YET_VALID
    "server-only-eku": 26,  # X509_V_ERR_INVALID_PURPOSE
}


def _bad_client_context(pki_files: PKIFiles, leaf: LeafCertificate | None) -> ssl.SSLContext:
    context = _client_context(pki_files.hubject_ca)
    if leaf is not None:
        leaf.configure_cert(context)
    return context


def _bad(pack: list[BadClientCertificate], name: str) -> BadClientCertificate:
    return next(bad for bad in pack if bad.name == name)


def test_server_trusting_hubject_ca_refuses_a_client_without_certificate(
    pki_files: PKIFiles, bad_client_pack: list[BadClientCertificate]
) -> None:
    client = _bad_client_context(pki_files, _bad(bad_client_pack, "no-certificate").leaf)
    result = handshake(_hub_server(pki_files), client, "localhost")
    assert result.server.error is not None
    assert result.server.error.reason == "PEER_DID_NOT_RETURN_A_CERTIFICATE"


@pytest.mark.parametrize("name", list(BAD_CLIENT_VERIFY_CODES))
def test_server_trusting_hubject_ca_refuses_each_bad_client_certificate_for_its_fault(
    pki_files: PKIFiles, bad_client_pack: list[BadClientCertificate], name: str
) -> None:
    client = _bad_client_context(pki_files, _bad(bad_client_pack, name).leaf)
    result = handshake(_hub_server(pki_files), client, "localhost")
    error = result.server.error
    assert isinstance(error, ssl.SSLCertVerificationError), error
    assert error.verify_code == BAD_CLIENT_VERIFY_CODES[name], error.verify_message
    assert result.client_error is not None
