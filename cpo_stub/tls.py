"""The stub's TLS side: its server context and a site that does the handshake itself.

Hubject's HBS presents its service certificate as a client certificate on every call to a
CPO backend (certificates digest §3.1), so the stub requires one issued by the mock
Hubject CA. When asyncio terminates TLS, a refused client certificate only reaches the
``asyncio`` logger in debug mode (certificates digest §7.2). ``HandshakeSite`` therefore
accepts plain TCP, runs ``loop.start_tls`` itself and reports every failed handshake with
OpenSSL's reason before it hands the TLS transport to aiohttp.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from cpo_stub.recording import HandshakeFailure
from httpguard import (
    LISTEN_BACKLOG,
    ConnectionLimits,
    PortGuard,
    Refused,
    Ticket,
    WatchedProtocol,
    authority,
    bound_tls_read_buffers,
    looks_like_plain_http,
    plain_http_answer,
)
from httpguard.nginx import PLAIN_HTTP_REASON, SNIFF_BYTES

PemSource = Path | str | bytes
"""A PEM file's path, or the PEM text itself as bytes."""


_OPENSSL_TEXT = re.compile(r"\[SSL: [A-Z0-9_]+\] (?P<text>.*?)(?: \(_ssl\.c:\d+\))?$")


def server_context(
    server_cert: PemSource, server_key: PemSource, client_ca: PemSource
) -> ssl.SSLContext:
    """A TLS ≥ 1.2 server context that requires a client certificate chaining to ``client_ca``.

    ``server_cert`` may hold the leaf followed by its intermediates (mockpki writes them so).
    Every certificate in ``client_ca`` is an anchor on its own, as in a Java truststore: a
    backend given only an intermediate, or only one leaf (a pin), accepts what chains to it.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    _load_chain(context, server_cert, server_key)
    if isinstance(client_ca, bytes):
        context.load_verify_locations(cadata=client_ca.decode("ascii"))
    else:
        context.load_verify_locations(cafile=str(client_ca))
    return context


def _load_chain(context: ssl.SSLContext, cert: PemSource, key: PemSource) -> None:
    # load_cert_chain reads files only: PEM given as bytes goes through a private temp dir.
    with tempfile.TemporaryDirectory(prefix="cpo-stub-") as scratch:
        cert_path = _as_file(cert, Path(scratch) / "cert.pem")
        key_path = _as_file(key, Path(scratch) / "key.pem")
        try:
            context.load_cert_chain(cert_path, key_path)
        except (ssl.SSLError, OSError) as exc:
            raise ValueError(
                f"cannot load the stub's server certificate {_name(cert)} with key {_name(key)}: "
                f"{exc}; check that both files are PEM and belong together"
            ) from exc


def _as_file(source: PemSource, scratch: Path) -> str:
    if isinstance(source, bytes):
        scratch.write_bytes(source)
        scratch.chmod(0o600)
        return str(scratch)
    return str(source)


def _name(source: PemSource) -> str:
    return "(PEM bytes)" if isinstance(source, bytes) else str(source)


def failure_reason(exc: BaseException) -> tuple[str, str | None]:
    """(reason, verify_message) for an exception raised by a server-side handshake.

    ``[SSL: PEER_DID_NOT_RETURN_A_CERTIFICATE] peer did not return a certificate (_ssl.c:…)``
    becomes "peer did not return a certificate"; a failed verification gives its
    ``verify_message`` ("certificate has expired", "unable to get local issuer certificate").
    """
    if isinstance(exc, ssl.SSLCertVerificationError):
        message = exc.verify_message or str(exc)
        return message, exc.verify_message
    if isinstance(exc, ssl.SSLError):
        match = _OPENSSL_TEXT.search(str(exc.args[1]) if len(exc.args) > 1 else str(exc))
        return (match.group("text") if match else str(exc)), None
    if isinstance(exc, PlainHTTPError):
        return str(exc), None
    if isinstance(exc, TimeoutError):
        return "the client did not complete the TLS handshake in time", None
    if isinstance(exc, ConnectionError | EOFError):
        return f"the client closed the connection during the TLS handshake ({exc!r})", None
    return f"{type(exc).__name__}: {exc}", None


FailureSink = Callable[[HandshakeFailure], None]


class PlainHTTPError(Exception):
    """The client spoke plain HTTP to the TLS port."""

    def __init__(self) -> None:
        super().__init__(
            "the client sent plain HTTP to the TLS port; it got NGINX's 400 "
            f"{PLAIN_HTTP_REASON!r} (use https:// in the URL)"
        )


async def peek(transport: asyncio.Transport) -> bytes:
    """The first bytes waiting on ``transport``'s socket, left there for the TLS handshake.

    Reading is paused, so the bytes stay in the socket; a duplicate of the socket waits
    until they arrive and looks at them with MSG_PEEK. Empty when the client closed first.
    """
    raw = transport.get_extra_info("socket")
    probe = raw.dup()
    probe.setblocking(False)
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(probe.fileno(), readable)
    try:
        await ready
        first: bytes = probe.recv(SNIFF_BYTES, socket.MSG_PEEK)
        return first
    finally:
        loop.remove_reader(probe.fileno())
        probe.close()


class _HandshakeProtocol(asyncio.Protocol):
    """Holds a fresh TCP connection until ``start_tls`` takes it over.

    Reading is paused at once, so the ClientHello stays in the socket for the TLS protocol
    that ``start_tls`` installs: this protocol never consumes a byte.
    """

    def __init__(self, site: HandshakeSite, ticket: Ticket) -> None:
        self._site = site
        self.ticket = ticket
        self._task: asyncio.Task[None] | None = None
        self._transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        transport.pause_reading()
        self._task = asyncio.get_running_loop().create_task(
            self._site.handshake(transport, self.ticket)
        )
        self._site.track(self._task, transport)

    def data_received(self, data: bytes) -> None:  # pragma: no cover - reading is paused
        raise AssertionError("the handshake wrapper must never receive data")

    def connection_lost(self, exc: Exception | None) -> None:
        # Only reached if the connection died before start_tls replaced this protocol.
        self.ticket.release()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            lost = exc or ConnectionResetError("closed before the TLS handshake began")
            self._site.report(self._transport, lost)


class HandshakeSite(web.BaseSite):
    """An aiohttp site on TCP that performs the TLS handshake itself and reports failures."""

    __slots__ = (
        "_bound_port",
        "_context",
        "_guard",
        "_host",
        "_on_failure",
        "_pending",
        "_port",
    )

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str,
        port: int,
        context: ssl.SSLContext,
        on_failure: FailureSink,
        guard: PortGuard | None = None,
    ) -> None:
        super().__init__(runner, backlog=LISTEN_BACKLOG)
        bound_tls_read_buffers()
        self._guard = guard or PortGuard(ConnectionLimits(), "the stub's HTTPS port")
        self._host = host
        self._port = port
        self._bound_port: int | None = None
        self._context = context
        self._on_failure = on_failure
        self._pending: dict[asyncio.Task[None], asyncio.Transport] = {}

    @property
    def name(self) -> str:
        return f"https://{authority(self._host, self.port)}"

    @property
    def port(self) -> int:
        """The bound port once started (the requested one before)."""
        return self._bound_port if self._bound_port is not None else self._port

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._accept, self._host, self._port, backlog=self._backlog
        )
        self._bound_port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and drop connections still in their handshake."""
        pending = dict(self._pending)
        for task, transport in pending.items():
            task.cancel()
            transport.abort()  # also when the task never ran and so cannot close it
        await asyncio.gather(*pending, return_exceptions=True)
        await super().stop()

    def _accept(self) -> asyncio.Protocol:
        ticket = self._guard.admit()
        return Refused() if ticket is None else _HandshakeProtocol(self, ticket)

    def track(self, task: asyncio.Task[None], transport: asyncio.Transport) -> None:
        """Remember a running handshake so that ``stop`` can cancel it."""
        self._pending[task] = transport
        task.add_done_callback(lambda done: self._pending.pop(done, None))

    async def handshake(self, transport: asyncio.Transport, ticket: Ticket) -> None:
        """Run the server-side handshake; on success give the connection to aiohttp.

        Until then the connection holds ``ticket`` (its place under the connection limit);
        afterwards aiohttp's watched protocol holds it and gives it back when it ends.
        """
        handed_over = False
        try:
            handed_over = await self._handshake(transport, ticket)
        finally:
            if not handed_over:
                ticket.release()

    async def _handshake(self, transport: asyncio.Transport, ticket: Ticket) -> bool:
        server = self._runner.server
        if server is None:  # the runner is shutting down
            transport.abort()
            return False
        try:
            # The handshake counts into the header timeout, as in NGINX.
            first = await asyncio.wait_for(peek(transport), self._guard.limits.header_timeout_s)
        except (OSError, TimeoutError) as exc:
            self.report(transport, exc)
            transport.abort()
            return False
        if not first:
            # Closed before its first byte: a port check (hubsim wait, a load balancer's or
            # a compose healthcheck's TCP probe). No TLS client does that, so it is no failed
            # handshake: recording one would fill the log with a line per check.
            transport.abort()
            return False
        if looks_like_plain_http(first):
            transport.write(plain_http_answer())
            transport.close()
            self.report(transport, PlainHTTPError())
            return False
        protocol = WatchedProtocol(server(), self._guard, ticket)
        loop = asyncio.get_running_loop()
        try:
            tls_transport = await loop.start_tls(
                transport,
                protocol,
                self._context,
                server_side=True,
                ssl_handshake_timeout=self._guard.limits.header_timeout_s,
            )
        except (OSError, EOFError, TimeoutError) as exc:  # ssl.SSLError is an OSError
            self.report(transport, exc)
            transport.abort()
            return False
        if tls_transport is None:  # pragma: no cover - only for non-TLS-capable transports
            transport.abort()
            return False
        protocol.connection_made(tls_transport)
        return True

    def report(self, transport: asyncio.BaseTransport | None, exc: BaseException) -> None:
        """Record a failed handshake on ``transport`` with the reason behind ``exc``."""
        reason, verify_message = failure_reason(exc)
        peer = _peer_text(transport.get_extra_info("peername") if transport else None)
        self._on_failure(HandshakeFailure(peer, reason, verify_message, datetime.now(UTC)))


def _peer_text(peername: object) -> str:
    if isinstance(peername, tuple) and len(peername) >= 2:
        host, port = peername[0], peername[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return str(peername) if peername else "unknown peer"
