"""The hub's diagnosis of a failed call of the Locust user, with the hub's probes.

geventhttpclient raises the standard library's socket and ssl errors, and a few of its own,
where aiohttp raises its client errors. Put in aiohttp's terms, a failure goes through
:func:`simulator.failure_probes.diagnose_failure`, the rules and probes of ``hubsim send``
and ``hubsim load``: a reset in the handshake is told from a server over its connection
limit, a timeout gets its further handshake, an unanswered connection its deciding step.
Without them a port that reset every connection read as a refused client certificate.

The probes are asyncio code. Under gevent's patches ``asyncio.run`` in a greenlet is
cooperative (the process's other users go on), but an OS thread runs one event loop at a
time: a process probes for one failure at a time, and failures of the same kind that arrive
while it does share its answer, so a backend that fails every user is probed once per turn,
not once per user in a queue.
"""

from __future__ import annotations

import asyncio
import ssl
import traceback
from typing import Any

import aiohttp
from aiohttp.client_reqrep import ConnectionKey
from gevent.event import AsyncResult
from gevent.lock import BoundedSemaphore
from geventhttpclient.response import HTTPConnectionClosed, HTTPParseError
from multidict import CIMultiDict, CIMultiDictProxy

from simulator.diagnosis import Diagnosis
from simulator.failure_probes import diagnose_failure
from simulator.sender import Target
from simulator.tls import ClientIdentity

# geventhttpclient opens a connection (TCP, then the TLS handshake) in this function: an
# error raised inside it is aiohttp's ClientConnector* error, one raised later is not.
_CONNECTING = "_connect_socket"

_one_loop = BoundedSemaphore(1)
_running: dict[tuple[str, ...], AsyncResult] = {}


def diagnose_locust_failure(
    error: BaseException, target: Target, identity: ClientIdentity
) -> Diagnosis:
    """The sentence ``hubsim send`` gives for the same failure (blocks this greenlet only)."""
    exc = in_aiohttp_terms(error, target)
    kind = _kind(exc)
    while (shared := _running.get(kind)) is not None:
        answered: Diagnosis | None = shared.get()
        if answered is not None:
            return answered
        # The user probing was stopped (Locust kills a user's greenlet when it ramps down):
        # its stop is not this user's, so this one probes for itself.
    _running[kind] = answer = AsyncResult()
    found: Diagnosis | None = None
    try:
        with _one_loop:
            found = asyncio.run(
                diagnose_failure(
                    exc,
                    url=target.url,
                    identity=identity,
                    mode_label=target.mode_label,
                    expected=target.trusted,
                    timeout_s=target.timeout_s,
                    anchors_pem=target.trust.anchors_pem,
                )
            )
        return found
    finally:
        del _running[kind]
        answer.set(found)


def in_aiohttp_terms(error: BaseException, target: Target) -> BaseException:
    """``error`` as aiohttp raises the same failure, so one set of rules reads both."""
    error = getattr(error, "original", None) or error  # RetriesExceeded wraps the error
    if isinstance(error, TimeoutError):
        return error
    url = target.request_url
    if isinstance(error, HTTPConnectionClosed):
        if not isinstance(error.__context__, OSError):  # geventhttpclient's name for a reset too
            return aiohttp.ServerDisconnectedError()
        error = error.__context__
    elif isinstance(error, HTTPParseError):
        info = aiohttp.RequestInfo(url, "POST", CIMultiDictProxy(CIMultiDict()), url)
        return aiohttp.ClientResponseError(info, (), status=400, message=_parse_message(error))
    if not isinstance(error, OSError):
        return error
    if _while_connecting(error):
        key = _connection_key(url.host or "", url.port or 443)
        if isinstance(error, ssl.SSLCertVerificationError):
            return aiohttp.ClientConnectorCertificateError(key, error)
        if isinstance(error, ssl.SSLError):
            return aiohttp.ClientConnectorSSLError(key, error)
        return aiohttp.ClientConnectorError(key, error)
    mapped = aiohttp.ClientOSError(error.errno, error.strerror or str(error))
    mapped.__cause__ = error
    return mapped


def _while_connecting(error: BaseException) -> bool:
    return any(frame.name == _CONNECTING for frame in traceback.extract_tb(error.__traceback__))


def _connection_key(host: str, port: int) -> Any:
    return ConnectionKey(host, port, True, True, None, None, None, host)


def _parse_message(error: HTTPParseError) -> str:
    return ": ".join(str(arg) for arg in error.args[:1]) or type(error).__name__


def _kind(exc: BaseException) -> tuple[str, ...]:
    """Failures alike for the probes: same error class, same OS error, same text."""
    cause = getattr(exc, "os_error", None) or exc.__cause__
    return (type(exc).__name__, type(cause).__name__, str(cause or exc))
