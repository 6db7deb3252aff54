"""How long and how many: the connection limits of the hub's and the stub's HTTP servers.

The defaults follow NGINX, which Hubject's HBS runs behind: ``client_header_timeout`` and
``client_body_timeout`` 60 s, ``keepalive_timeout`` 75 s. NGINX's body timeout is the
longest pause between two reads of the body, and so is ours.
"""

from __future__ import annotations

import asyncio.sslproto
import math
import resource
from dataclasses import dataclass, field

import aiohttp

MAX_CONNECTIONS_CEILING = 512
"""NGINX's default ``worker_connections``: the most connections one port holds."""

PORTS_PER_PROCESS = 4
"""The file descriptor limit is shared: a hub has the admin port, the OICP port, and room
for its own outgoing connections and files."""


LISTEN_BACKLOG = 2048
"""Connections the kernel queues for a port before it is accepted (capped by
``net.core.somaxconn``). asyncio's 100 (aiohttp's 128) is less than a burst of 1,000
connections, a load test or many hub nodes at once; beyond it the kernel drops the SYN and
the client resends it after 1, 3, 7 … s, a wait that counts against its timeout."""

TLS_READ_BUFFER_BYTES = 32 * 1024
"""What an asyncio TLS connection reads into at once. asyncio allocates 256 KiB per
connection (``SSLProtocol.max_size``), so 1,000 connections held 256 MB of buffers that an
OICP message of a few KB never fills; a TLS record is at most 16 KiB."""


def bound_tls_read_buffers() -> None:
    """Give every asyncio TLS connection made after this call a 32 KiB read buffer.

    A process-wide setting of asyncio (a class attribute of its TLS protocol), made by the
    hub and the stub when they start serving or sending.
    """
    asyncio.sslproto.SSLProtocol.max_size = TLS_READ_BUFFER_BYTES


def exact_timeout(total_s: float) -> aiohttp.ClientTimeout:
    """A client timeout that ends at ``total_s``, not later.

    aiohttp rounds every timeout above 5 s up to the next whole second of the loop's clock
    (``ceil_threshold``): a CPO's answer after 10.2 s then still counted as accepted within
    the 10 s timeout. The hub's timeouts are verdicts on a CPO, so they are kept exact.
    """
    return aiohttp.ClientTimeout(total=total_s, ceil_threshold=math.inf)


def default_max_connections() -> int:
    """512, or less when the process may open few files (``ulimit -n``).

    Each port gets a quarter of the soft descriptor limit, so that the ports together never
    run the process out of descriptors: asyncio then fails every ``accept`` and logs each
    failure (millions of lines, once).
    """
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS_CEILING
    return max(8, min(MAX_CONNECTIONS_CEILING, soft // PORTS_PER_PROCESS))


@dataclass(frozen=True)
class ConnectionLimits:
    """Timeouts in seconds and the bound on concurrent connections of one port."""

    header_timeout_s: float = 60.0
    """From the connection's start (or the first byte after a keep-alive pause) until the
    request's header is complete (NGINX ``client_header_timeout``)."""
    body_timeout_s: float = 60.0
    """The longest pause between two pieces of a request body (``client_body_timeout``)."""
    keepalive_timeout_s: float = 75.0
    """How long an idle connection is kept open after an answer (``keepalive_timeout``)."""
    max_connections: int = field(default_factory=default_max_connections)
    """Connections beyond this are closed as soon as they are accepted."""

    def problems(self) -> list[str]:
        """What is wrong with these limits, one sentence each (empty when they are fine)."""
        found = [
            f"{name} must be a positive number of seconds, not {value!r}"
            for name, value in (
                ("header_timeout_s", self.header_timeout_s),
                ("body_timeout_s", self.body_timeout_s),
                ("keepalive_timeout_s", self.keepalive_timeout_s),
            )
            if not 0 < value < float("inf")
        ]
        if self.max_connections < 1:
            found.append(f"max_connections must be at least 1, not {self.max_connections}")
        return found
