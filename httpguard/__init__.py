"""Connection limits for the hub's and the stub's HTTP servers: timeouts and a bound.

Below both ``simulator`` and ``cpo_stub`` (it imports neither), so that the two servers
share one implementation of the rules. See :mod:`httpguard.limits` for the values.
"""

from httpguard.guard import ConnectionWatch, PortGuard, Ticket
from httpguard.limits import (
    LISTEN_BACKLOG,
    ConnectionLimits,
    bound_tls_read_buffers,
    default_max_connections,
    exact_timeout,
)
from httpguard.listen import authority, listen_problem
from httpguard.nginx import looks_like_plain_http, page_400, plain_http_answer
from httpguard.site import GuardedTCPSite, Refused, WatchedProtocol

__all__ = [
    "LISTEN_BACKLOG",
    "ConnectionLimits",
    "ConnectionWatch",
    "GuardedTCPSite",
    "PortGuard",
    "Refused",
    "Ticket",
    "WatchedProtocol",
    "authority",
    "bound_tls_read_buffers",
    "default_max_connections",
    "exact_timeout",
    "listen_problem",
    "looks_like_plain_http",
    "page_400",
    "plain_http_answer",
]
