"""One port's guard: timeouts on every connection and a bound on how many are open.

aiohttp closes idle keep-alive connections itself (``keepalive_timeout``) but has no header
or body timeout, and accepts connections until the process runs out of file descriptors.
A :class:`PortGuard` adds both. Each accepted connection gets a :class:`ConnectionWatch`
whose one timer stands for the phase the connection is in:

- waiting for a request's header: ``header_timeout_s`` from the connection's start, or from
  the first byte after a keep-alive pause;
- receiving a body: ``body_timeout_s`` between two pieces of it;
- handling a request whose body is complete: no timer (the handler takes what it takes);
- idle after an answer: aiohttp's own keep-alive timer.

The watch learns that a header is complete when aiohttp hands the request to the
application: the guard's middleware (or :meth:`PortGuard.wrap_handler`) tells it.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import web
from aiohttp.typedefs import Middleware

from httpguard.limits import ConnectionLimits

logger = logging.getLogger("httpguard")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
LowLevelHandler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]
R = TypeVar("R", bound=web.BaseRequest)
Closer = Callable[[], None]

FULL_LOG_INTERVAL_S = 60.0
"""While a port stays at its connection limit, it says so at most once a minute."""


class _Phase(enum.Enum):
    HEADER = "header"
    BODY = "body"
    HANDLING = "handling"
    IDLE = "idle"


class ConnectionWatch:
    """The timer of one connection; ``close`` ends the connection (the peer sees EOF)."""

    def __init__(self, limits: ConnectionLimits, close: Closer, peer: str) -> None:
        self._limits = limits
        self._close = close
        self._peer = peer
        self._loop = asyncio.get_running_loop()
        self._phase = _Phase.HEADER
        # One timer, moved lazily: a phase change only sets the deadline (None: no limit),
        # and the timer, when it fires early, goes again at the deadline. So a request on a
        # kept-alive connection makes no timer at all, where cancelling and making one at
        # every phase change would make two.
        self._deadline: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._request: web.BaseRequest | None = None
        self._limit(limits.header_timeout_s)

    def data_arrived(self) -> None:
        """Bytes came in: a new request's header begins, or the body goes on."""
        if self._phase is _Phase.IDLE:
            self._phase = _Phase.HEADER
            self._limit(self._limits.header_timeout_s)
        elif self._phase is _Phase.BODY:
            self._limit(self._limits.body_timeout_s)

    def request_began(self, request: web.BaseRequest) -> None:
        """The header is complete; wait for the body if one is still to come."""
        self._request = request
        if request.body_exists and not request.content.is_eof():
            self._phase = _Phase.BODY
            self._limit(self._limits.body_timeout_s)
        else:
            self._phase = _Phase.HANDLING
            self._deadline = None

    def request_ended(self) -> None:
        """The answer is on its way; aiohttp's keep-alive timer takes over."""
        self._request = None
        self._phase = _Phase.IDLE
        self._deadline = None

    def lost(self) -> None:
        self._request = None
        self._deadline = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _limit(self, seconds: float) -> None:
        self._deadline = self._loop.time() + seconds
        if self._timer is None:
            self._timer = self._loop.call_at(self._deadline, self._fired)

    def _fired(self) -> None:
        self._timer = None
        if self._deadline is None:
            return  # no limit in this phase; the next phase with one sets the timer again
        if self._loop.time() < self._deadline:
            self._timer = self._loop.call_at(self._deadline, self._fired)
            return
        self._deadline = None
        self._expired()

    def _expired(self) -> None:
        self._timer = None
        if self._phase is _Phase.BODY:
            request = self._request
            if request is None or request.content.is_eof():
                self._phase = _Phase.HANDLING  # the body is all there: the handler is working
                return
            transport = request.transport
            if transport is not None and not transport.is_reading():
                # aiohttp stopped reading (its buffer is full): the pause is ours, not the peer's
                self._limit(self._limits.body_timeout_s)
                return
            logger.info(
                "closed the connection from %s: no piece of the request body for %s s",
                self._peer,
                self._limits.body_timeout_s,
            )
        else:
            logger.info(
                "closed the connection from %s: no complete request header within %s s",
                self._peer,
                self._limits.header_timeout_s,
            )
        self._close()


class Ticket:
    """One admitted connection's place under the limit; released once, however it ends."""

    def __init__(self, guard: PortGuard) -> None:
        self._guard: PortGuard | None = guard

    def release(self) -> None:
        if self._guard is not None:
            guard, self._guard = self._guard, None
            guard.released()


class PortGuard:
    """The limits of one listening port, its open connections, and their watches.

    ``where`` names the port in log lines ("the hub's OICP port").
    """

    def __init__(self, limits: ConnectionLimits, where: str) -> None:
        self.limits = limits
        self.where = where
        self.open = 0
        self.refused = 0
        self._watches: dict[object, ConnectionWatch] = {}
        self._full_since_log = 0
        self._last_full_log: float | None = None

    # admission --------------------------------------------------------------------------

    def admit(self) -> Ticket | None:
        """A ticket for a new connection, or None when the port is at its limit."""
        if self.open >= self.limits.max_connections:
            self._refuse()
            return None
        self.open += 1
        return Ticket(self)

    def released(self) -> None:
        self.open -= 1
        if self._full_since_log and self.open < self.limits.max_connections:
            logger.warning(
                "%s is below its limit of %d connections again; %d connection(s) were "
                "closed at once meanwhile",
                self.where,
                self.limits.max_connections,
                self._full_since_log,
            )
            self._full_since_log = 0

    def _refuse(self) -> None:
        self.refused += 1
        now = asyncio.get_running_loop().time()
        if self._full_since_log == 0 and (
            self._last_full_log is None or now - self._last_full_log >= FULL_LOG_INTERVAL_S
        ):
            self._last_full_log = now
            logger.warning(
                "%s has %d connections open, its limit: new connections are closed at once "
                "until one ends (said once; raise it with --max-connections)",
                self.where,
                self.limits.max_connections,
            )
        self._full_since_log += 1

    # watches ----------------------------------------------------------------------------

    def watch(self, transport: object, close: Closer, peer: str) -> ConnectionWatch:
        """Start watching the connection whose requests carry ``transport``."""
        found = ConnectionWatch(self.limits, close, peer)
        self._watches[transport] = found
        return found

    def forget(self, transport: object) -> None:
        found = self._watches.pop(transport, None)
        if found is not None:
            found.lost()

    @property
    def middleware(self) -> Middleware:
        """Tells each request's watch when its header is complete and when it is answered."""

        @web.middleware
        async def watch_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await self._watched(request, handler)

        return watch_requests

    def wrap_handler(self, handler: LowLevelHandler) -> LowLevelHandler:
        """:attr:`middleware` for aiohttp's low-level server, which has no middlewares."""

        async def watched(request: web.BaseRequest) -> web.StreamResponse:
            return await self._watched(request, handler)

        return watched

    async def _watched(
        self, request: R, handler: Callable[[R], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        found = self._watches.get(request.transport)
        if found is None:
            return await handler(request)
        found.request_began(request)
        try:
            return await handler(request)
        finally:
            found.request_ended()


def peer_text(transport: asyncio.BaseTransport) -> str:
    peer = transport.get_extra_info("peername")
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"[{peer[0]}]:{peer[1]}" if ":" in str(peer[0]) else f"{peer[0]}:{peer[1]}"
    return "unknown peer"
