"""aiohttp's protocol under a :class:`PortGuard`, and a TCP site that serves it.

:class:`WatchedProtocol` sits between a transport and aiohttp's request handler: it passes
everything through, tells the connection's watch when bytes arrive, and gives the
connection's place under the limit back when it ends.
"""

from __future__ import annotations

import asyncio
from typing import cast

from aiohttp import web

from httpguard.guard import ConnectionWatch, PortGuard, Ticket, peer_text
from httpguard.limits import LISTEN_BACKLOG


class WatchedProtocol(asyncio.Protocol):
    """``inner`` (aiohttp's request handler) watched by ``guard``, holding ``ticket``."""

    def __init__(self, inner: asyncio.Protocol, guard: PortGuard, ticket: Ticket) -> None:
        self._inner = inner
        self._guard = guard
        self._ticket = ticket
        self._transport: asyncio.Transport | None = None
        self._watch: ConnectionWatch | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        self._watch = self._guard.watch(transport, self._close, peer_text(transport))
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._watch is not None:
            self._watch.data_arrived()
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self._guard.forget(self._transport)
        self._ticket.release()
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def _close(self) -> None:
        if self._transport is not None:
            self._transport.close()


class Refused(asyncio.Protocol):
    """A connection beyond the limit: closed as soon as it is accepted."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.close()


class GuardedTCPSite(web.BaseSite):
    """``web.TCPSite`` (plain HTTP) under ``guard``: its timeouts and connection bound.

    The runner's application must have ``guard.middleware`` first among its middlewares.
    """

    __slots__ = ("_bound_port", "_guard", "_host", "_port")

    def __init__(self, runner: web.BaseRunner, host: str, port: int, guard: PortGuard) -> None:
        super().__init__(runner, backlog=LISTEN_BACKLOG)
        self._host = host
        self._port = port
        self._bound_port: int | None = None
        self._guard = guard

    @property
    def guard(self) -> PortGuard:
        return self._guard

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def port(self) -> int:
        return self._bound_port if self._bound_port is not None else self._port

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert server is not None
        self._server = await asyncio.get_running_loop().create_server(
            lambda: self._protocol(server), self._host, self._port, backlog=self._backlog
        )
        self._bound_port = self._server.sockets[0].getsockname()[1]

    def _protocol(self, server: web.Server) -> asyncio.Protocol:
        ticket = self._guard.admit()
        if ticket is None:
            return Refused()
        return WatchedProtocol(server(), self._guard, ticket)
