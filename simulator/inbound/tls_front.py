"""The hub's TLS front: accept any client certificate at the TLS layer, decide at HTTP.

Hubject's HBS sits behind NGINX, whose verify callback accepts every client certificate;
after the handshake NGINX looks at the verification result and answers a bad or missing
certificate with an HTTP 400 page (certificates digest §2.7). Python's ``ssl`` module has no
verify callback: a refused certificate aborts the handshake and the client sees only a reset
(digest §7.2). This front therefore terminates TLS with pyOpenSSL on memory BIOs, records
every verification error in the callback (and lets the handshake go on), and hands the
decrypted stream to aiohttp's request handler through a ``DecryptedTransport``.

Handlers read what the front learned with ``request.transport.get_extra_info(
CLIENT_CERTIFICATE)``: a :class:`ClientCertificate`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from OpenSSL import SSL

from httpguard import (
    LISTEN_BACKLOG,
    ConnectionLimits,
    ConnectionWatch,
    PortGuard,
    Refused,
    Ticket,
    looks_like_plain_http,
    plain_http_answer,
)
from simulator.inbound.tls_transport import (
    CLIENT_CERTIFICATE,
    ClientCertificate,
    DecryptedTransport,
    VerifyError,
)

logger = logging.getLogger("simulator.inbound")

_READ_SIZE = 65536


@dataclass(frozen=True)
class ServerTLS:
    """The hub's server certificate (leaf + chain), its key, and the client CA to verify with."""

    cert_chain: Path
    key: Path
    client_ca: Path

    def context(self) -> SSL.Context:
        """A TLS ≥ 1.2 server context that asks for a client certificate but never refuses one."""
        context = SSL.Context(SSL.TLS_METHOD)
        context.set_min_proto_version(SSL.TLS1_2_VERSION)
        context.use_certificate_chain_file(str(self.cert_chain))
        context.use_privatekey_file(str(self.key))
        context.check_privatekey()
        context.load_verify_locations(str(self.client_ca))
        context.load_client_ca(str(self.client_ca).encode())
        # VERIFY_PEER without VERIFY_FAIL_IF_NO_PEER_CERT: a client may send none, and the
        # HTTP layer answers "No required SSL certificate was sent" (NGINX's wording).
        context.set_verify(SSL.VERIFY_PEER, _record_verify_error)
        return context


def _record_verify_error(
    connection: SSL.Connection, certificate: Any, errnum: int, depth: int, ok: int
) -> bool:
    """Like ``ngx_ssl_verify_callback``: remember what failed, and always go on."""
    if not ok:
        errors = cast("list[VerifyError]", connection.get_app_data())
        errors.append(VerifyError(errnum, depth, _verify_message(errnum)))
    return True


def _verify_message(errnum: int) -> str:
    """OpenSSL's text for a verification error ("certificate has expired" for 10)."""
    try:
        text = SSL._ffi.string(SSL._lib.X509_verify_cert_error_string(errnum))  # type: ignore[attr-defined]
        return bytes(text).decode("ascii", errors="replace")
    except Exception:  # pyOpenSSL internals moved: fall back to the number
        return f"X509 verification error {errnum}"


class TLSFrontSite:
    """Listens on TCP and serves aiohttp ``runner``'s application behind the TLS front.

    It plays the part of a ``web.TCPSite``: ``start``, ``stop`` and ``port``.
    """

    def __init__(
        self,
        server: Callable[[], asyncio.Protocol],
        host: str,
        port: int,
        tls: ServerTLS,
        guard: PortGuard | None = None,
    ) -> None:
        self._server_factory = server  # aiohttp's web.Server: calling it makes a protocol
        self.guard = guard or PortGuard(ConnectionLimits(), "the hub's OICP port")
        self._host = host
        self._port = port
        self._context = tls.context()
        self._listener: asyncio.Server | None = None
        self._fronts: set[_FrontProtocol] = set()

    @property
    def port(self) -> int:
        """The bound port once started (the requested one before)."""
        if self._listener is None:
            return self._port
        return int(self._listener.sockets[0].getsockname()[1])

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._listener = await loop.create_server(
            self._accept, self._host, self._port, backlog=LISTEN_BACKLOG
        )

    def _accept(self) -> asyncio.Protocol:
        ticket = self.guard.admit()
        return Refused() if ticket is None else _FrontProtocol(self, ticket)

    async def stop(self) -> None:
        """Stop listening and drop connections still in their handshake."""
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        for front in list(self._fronts):
            front.abort_if_handshaking()

    def make_application_protocol(self) -> asyncio.Protocol:
        return self._server_factory()

    def track(self, front: _FrontProtocol, alive: bool) -> None:
        (self._fronts.add if alive else self._fronts.discard)(front)

    @property
    def ssl_context(self) -> SSL.Context:
        return self._context

    def reload(self, tls: ServerTLS) -> None:
        """Serve ``tls`` (e.g. a renewed hub-server.pem) on every new connection."""
        self._context = tls.context()


class _FrontProtocol(asyncio.Protocol):
    """One TCP connection: TLS on memory BIOs, then aiohttp's protocol on the plaintext."""

    def __init__(self, site: TLSFrontSite, ticket: Ticket) -> None:
        self._site = site
        self._ticket = ticket
        self._watch: ConnectionWatch | None = None
        self._decrypted: DecryptedTransport | None = None
        self._sniffed = False
        self._errors: list[VerifyError] = []
        self._raw: asyncio.Transport | None = None
        self._tls: SSL.Connection | None = None
        self._app: asyncio.Protocol | None = None
        self._timer: asyncio.TimerHandle | None = None

    # asyncio.Protocol ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._raw = cast(asyncio.Transport, transport)
        self._tls = SSL.Connection(self._site.ssl_context, None)
        self._tls.set_accept_state()
        self._tls.set_app_data(self._errors)
        loop = asyncio.get_running_loop()
        # NGINX counts the handshake into client_header_timeout, and so does the front.
        timeout = self._site.guard.limits.header_timeout_s
        self._timer = loop.call_later(timeout, self._handshake_timed_out)
        self._site.track(self, True)

    def data_received(self, data: bytes) -> None:
        assert self._tls is not None
        if not self._sniffed:
            self._sniffed = True
            if looks_like_plain_http(data):
                self._answer_plain_http()
                return
        self._tls.bio_write(data)
        if self._app is None and not self._handshake():
            return
        self._pump()

    def eof_received(self) -> bool | None:
        if self._app is not None:
            return self._app.eof_received()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        self._site.track(self, False)
        if self._decrypted is not None:
            self._site.guard.forget(self._decrypted)
        self._ticket.release()
        if self._app is not None:
            self._app.connection_lost(exc)
        elif not self._sniffed:  # a port check (hubsim wait, a TCP health probe)
            logger.debug("connection from %s closed before its first byte", self._peer())
        else:
            logger.info("TLS connection from %s closed during the handshake", self._peer())

    # the handshake ---------------------------------------------------------------------

    def _handshake(self) -> bool:
        assert self._tls is not None
        try:
            self._tls.do_handshake()
        except SSL.WantReadError:
            self._flush()
            return False
        except SSL.Error as exc:
            self._flush()
            logger.info("TLS handshake with %s failed: %s", self._peer(), exc)
            self._abort()
            return False
        self._flush()
        self._cancel_timer()
        self._start_application()
        return self._app is not None

    def _start_application(self) -> None:
        assert self._tls is not None and self._raw is not None
        cert = self._tls.get_peer_certificate(as_cryptography=True)
        client = ClientCertificate(
            der=None if cert is None else _der(cert),
            verify_errors=tuple(self._errors),
            protocol=self._tls.get_protocol_version_name(),
        )
        try:
            self._app = self._site.make_application_protocol()
        except Exception:  # the runner is shutting down
            self._abort()
            return
        self._decrypted = DecryptedTransport(self, self._raw, client)
        self._watch = self._site.guard.watch(self._decrypted, self.close, self._peer())
        self._app.connection_made(self._decrypted)

    def _handshake_timed_out(self) -> None:
        logger.info("TLS handshake with %s timed out", self._peer())
        self._abort()

    def _answer_plain_http(self) -> None:
        """NGINX's 400 for plain HTTP on the TLS port, then close (no handshake happened)."""
        assert self._raw is not None
        self._cancel_timer()
        logger.info("plain HTTP from %s on the TLS port: answered NGINX's 400", self._peer())
        self._raw.write(plain_http_answer())
        self._raw.close()

    def abort_if_handshaking(self) -> None:
        if self._app is None:
            self._abort()

    # the decrypted stream --------------------------------------------------------------

    def _pump(self) -> None:
        """Decrypt what has arrived and hand it to the application protocol."""
        assert self._tls is not None and self._app is not None
        chunks = []
        closed = False
        while True:
            try:
                chunk = self._tls.recv(_READ_SIZE)
            except SSL.WantReadError:
                break
            except SSL.ZeroReturnError:  # the client sent close_notify
                closed = True
                break
            except SSL.Error as exc:
                logger.info("TLS error from %s: %s", self._peer(), exc)
                self._abort()
                return
            chunks.append(chunk)
        self._flush()
        if chunks and self._watch is not None:
            self._watch.data_arrived()
        for chunk in chunks:
            self._app.data_received(chunk)
        if closed:
            self.close()

    def send(self, data: bytes) -> None:
        """Encrypt ``data`` from the application and send it."""
        if self._tls is None or self._raw is None or self._raw.is_closing():
            return
        try:
            self._tls.sendall(data)
        except SSL.Error as exc:
            logger.info("TLS error sending to %s: %s", self._peer(), exc)
            self._abort()
            return
        self._flush()

    def close(self) -> None:
        """Send close_notify, then close the TCP connection once its buffer is written."""
        if self._tls is None or self._raw is None or self._raw.is_closing():
            return
        # The peer may be gone already; closing the socket is then all that is left.
        with contextlib.suppress(SSL.Error):
            self._tls.shutdown()
        self._flush()
        self._raw.close()

    def _flush(self) -> None:
        """Send whatever TLS wrote to its outgoing memory BIO."""
        assert self._tls is not None and self._raw is not None
        while True:
            try:
                data = self._tls.bio_read(_READ_SIZE)
            except SSL.WantReadError:
                return
            if not data:
                return
            if not self._raw.is_closing():
                self._raw.write(data)

    def _abort(self) -> None:
        self._cancel_timer()
        if self._raw is not None:
            self._raw.abort()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _peer(self) -> str:
        peer = self._raw.get_extra_info("peername") if self._raw else None
        return f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else "unknown peer"


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)


__all__ = [
    "CLIENT_CERTIFICATE",
    "ClientCertificate",
    "ServerTLS",
    "TLSFrontSite",
    "VerifyError",
]
