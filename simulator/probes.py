"""Connection-level probes: name lookup, TCP connect and a TLS handshake without HTTP.

Every TLS context comes from :mod:`simulator.tls` (the hub's one builder). The probes raise
what the socket layer raises; the layers turn that into verdicts.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import time
from dataclasses import dataclass

from simulator.tls import ClientIdentity, build_legacy_probe_context


@dataclass(frozen=True)
class Timed:
    """A probe's answer and how long it took."""

    elapsed_ms: float


@dataclass(frozen=True)
class Resolved(Timed):
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Connected(Timed):
    peer: str


@dataclass(frozen=True)
class Handshake(Timed):
    """What one TLS handshake showed: the version, the cipher and the presented certificate."""

    version: str | None
    cipher: str | None
    peer_der: bytes | None


async def resolve(host: str, port: int, timeout_s: float) -> Resolved:
    """Look ``host`` up as the hub's connector would; raises socket.gaierror or TimeoutError."""
    t0 = time.perf_counter()
    loop = asyncio.get_running_loop()
    infos = await asyncio.wait_for(
        loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout=timeout_s
    )
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    return Resolved(_since(t0), addresses)


async def tcp_connect(host: str, port: int, timeout_s: float) -> Connected:
    """Open and close one TCP connection; raises OSError or TimeoutError."""
    t0 = time.perf_counter()
    _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=timeout_s)
    try:
        peer = writer.get_extra_info("peername")
        shown = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        return Connected(_since(t0), shown)
    finally:
        await _close(writer)


async def tls_handshake(host: str, port: int, ctx: ssl.SSLContext, timeout_s: float) -> Handshake:
    """Complete one TLS handshake with ``ctx`` and report it; raises ssl/OS errors or TimeoutError.

    With TLS 1.3 the server judges the client certificate after the client has finished its
    side of the handshake, so a success here says nothing about the client certificate.
    """
    t0 = time.perf_counter()
    loop = asyncio.get_running_loop()
    transport, facts = await asyncio.wait_for(
        loop.create_connection(
            _HandshakeFacts, host, port, ssl=ctx, ssl_handshake_timeout=timeout_s
        ),
        timeout=timeout_s,
    )
    try:
        return Handshake(_since(t0), *facts.read)
    finally:
        transport.abort()  # nothing was sent: there is nothing to close politely


class _HandshakeFacts(asyncio.Protocol):
    """Reads version, cipher and certificate the moment the handshake completes.

    Read a few loop turns later, they depended on the peer: a TLS 1.3 server that refuses
    the client certificate tears the connection down right after the handshake, and
    whether its alert had arrived by then varied from run to run (``openssl s_server
    -Verify``: "negotiated None, cipher None" in one check of six).
    """

    def __init__(self) -> None:
        self.read: tuple[str | None, str | None, bytes | None] = (None, None, None)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        ssl_object = transport.get_extra_info("ssl_object")
        if isinstance(ssl_object, ssl.SSLObject):
            cipher = ssl_object.cipher()
            peer = ssl_object.getpeercert(binary_form=True)
            self.read = (ssl_object.version(), cipher[0] if cipher else None, peer)


@dataclass(frozen=True)
class FirstMove:
    """What a server did on a connection on which the client sent nothing after the handshake.

    ``handshake_error``: the handshake itself failed (a TLS 1.2 server refuses a client
    certificate inside it). Otherwise ``version`` is set and ``ended`` says how the server
    ended the connection without being asked anything (a TLS alert, a close, a reset), or
    is None when it kept the connection open for ``quiet_s``: it waits for a request.
    """

    version: str | None = None
    ended: str | None = None
    handshake_error: BaseException | None = None
    unasked: bytes = b""  # what the server sent without being asked, if anything


async def first_move(
    host: str, port: int, ctx: ssl.SSLContext, timeout_s: float, quiet_s: float
) -> FirstMove:
    """Shake hands with ``ctx``, send nothing, and see what the server does first.

    Sending nothing is the point: a request written to a server that is closing the
    connection draws a TCP reset, which can destroy the server's alert before it is read.
    """
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=ctx, ssl_handshake_timeout=timeout_s),
            timeout=timeout_s,
        )
    except (OSError, TimeoutError) as exc:
        return FirstMove(handshake_error=exc)
    version = _version(writer)
    try:
        data = await asyncio.wait_for(reader.read(1), timeout=quiet_s)
    except TimeoutError:
        return FirstMove(version=version)
    except ssl.SSLError as exc:
        return FirstMove(version=version, ended=f"the TLS alert {exc.reason or exc}")
    except OSError as exc:
        return FirstMove(version=version, ended=f"a reset ({exc.strerror or exc})")
    finally:
        await _close(writer)
    if data:
        return FirstMove(version=version, unasked=data)
    return FirstMove(version=version, ended="a close without a TLS alert")


@dataclass(frozen=True)
class Reach:
    """How far a TLS handshake got. ``spoke``: the server sent at least one byte, so it
    answered the ClientHello; a server that resets what it accepts (over its connection
    limit) never does. ``error`` is None when the handshake completed."""

    spoke: bool
    error: BaseException | None = None

    @property
    def said_nothing(self) -> bool:
        """Connected, then ended by the server without a byte: it never judged a
        certificate (a refused or timed-out connection tells nothing)."""
        return not self.spoke and isinstance(self.error, ConnectionResetError | BrokenPipeError)


async def tls_reach(host: str, port: int, ctx: ssl.SSLContext, timeout_s: float) -> Reach:
    """Shake hands by hand (a memory BIO over a plain connection), to know whether the
    server said anything before the handshake ended: asyncio's TLS tells only how it ended.
    """
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port), timeout=timeout_s
        )
    except (OSError, TimeoutError) as exc:  # a reset here: accepted, then reset at once
        return Reach(spoke=False, error=exc)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=host)
    spoke = False
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                try:
                    tls.do_handshake()
                    writer.write(outgoing.read())  # the client's last flight
                    return Reach(spoke=True)
                except ssl.SSLWantReadError:
                    writer.write(outgoing.read())
                data = await reader.read(65536)
                if not data:
                    return Reach(spoke=spoke, error=ConnectionResetError("closed by the server"))
                spoke = True
                incoming.write(data)
    except (OSError, TimeoutError) as exc:  # ssl.SSLError (an alert) is an OSError
        return Reach(spoke=spoke, error=exc)
    finally:
        await _close(writer)


# The versions legacy_version may find that the hub does not speak (it requires TLS 1.2).
OLD_TLS_VERSIONS = frozenset({"SSLv3", "TLSv1", "TLSv1.1"})


async def legacy_version(
    host: str, port: int, timeout_s: float, identity: ClientIdentity | None = None
) -> str | None:
    """The TLS version an endpoint negotiates when versions below 1.2 are allowed, or None.

    The probe presents ``identity`` (the hub's service certificate): an old server that also
    requires a client certificate would otherwise end the handshake before it completes.
    """
    try:
        found = await tls_handshake(host, port, build_legacy_probe_context(identity), timeout_s)
    except (OSError, TimeoutError):
        return None
    return found.version


def _version(writer: asyncio.StreamWriter) -> str | None:
    ssl_object = writer.get_extra_info("ssl_object")
    return ssl_object.version() if isinstance(ssl_object, ssl.SSLObject) else None


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    # The peer may already be gone; there is nothing more to learn from it.
    with contextlib.suppress(OSError, TimeoutError):
        await asyncio.wait_for(writer.wait_closed(), timeout=1.0)


def _since(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000
