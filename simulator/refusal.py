"""Deciding whether a backend refused the hub's client certificate, the same way every run.

How a refusal shows depends on the TLS version and the stack:

* TLS 1.2: the server judges the client certificate inside the handshake and refuses it with
  an alert (or a reset) before the client has sent anything: one observation decides.
* TLS 1.3: the client has finished its side of the handshake before the server judges the
  certificate, so the refusal (an alert, or a bare close from stacks such as Node, aiohttp or
  asyncio that tear the connection down) arrives while the request is already on its way.
  The request written into a closing connection draws a TCP reset, which may destroy the
  alert before it is read: the same backend then looks like a refusal in one run and like a
  dropped connection in the next. This observation alone cannot tell.
* TLS terminators such as nginx finish the handshake and answer an HTTP 400 page instead
  (see :func:`simulator.diagnosis.refusal_page`).

So when a request got no HTTP answer after the handshake, the hub takes a deciding step: a
second connection with the same client certificate, pinned to TLS 1.2 (TLS 1.3 when the
server speaks nothing else), on which it sends nothing and watches what the server does
first (:func:`simulator.probes.first_move`). Ending the connection unasked, in the handshake
or right after it, is a refusal; keeping it open, waiting for a request, is an acceptance.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

from simulator.probes import FirstMove, first_move, tls_reach
from simulator.tls import ClientIdentity, build_pinned_probe_context, build_probe_context

# A server that refuses a certificate does so within milliseconds of the handshake; one that
# accepted it waits for the request far longer than this (nginx: 60 s by default).
QUIET_S = 2.0

_VERSION_WORDS = ("PROTOCOL_VERSION", "UNSUPPORTED_PROTOCOL", "NO_PROTOCOLS_AVAILABLE")


@dataclass(frozen=True)
class Decision:
    """``refused``: True or False when the step decided, None when it could not."""

    refused: bool | None
    observed: str  # what the deciding step saw, for the diagnosis sentence


async def decide_client_certificate(
    host: str, port: int, identity: ClientIdentity | None, timeout_s: float
) -> Decision:
    """Take the deciding step described in the module docstring."""
    pinned = build_pinned_probe_context(identity, ssl.TLSVersion.TLSv1_2)
    move = await first_move(host, port, pinned, timeout_s, min(QUIET_S, timeout_s))
    if move.handshake_error is not None and _version_refused(move.handshake_error):
        move = await first_move(
            host, port, build_probe_context(identity), timeout_s, min(QUIET_S, timeout_s)
        )
    return _judge(move)


async def decide_after_reset(
    host: str, port: int, identity: ClientIdentity | None, timeout_s: float
) -> tuple[bool | None, Decision | None]:
    """After a reset inside the handshake: whether the server answers a ClientHello at all,
    and the decision about the certificate (see ``docs/diagnosis.md``).

    A TLS 1.2 handshake with the same certificate, driven by hand: a server that says
    nothing before it ends the connection never judged a certificate (one over its
    connection limit does this); one that answers and then cuts the handshake off refused
    it; a completed TLS 1.2 handshake means it was accepted. Whether another connection
    finds the server over its limit or not, this one's answer is about the certificate.
    A handshake that does not finish in time, or a connection that fails, decides nothing:
    a process too busy to finish its handshakes (a load of thousands of connections) would
    otherwise read as a refusal.
    """
    pinned = build_pinned_probe_context(identity, ssl.TLSVersion.TLSv1_2)
    reach = await tls_reach(host, port, pinned, timeout_s)
    err = reach.error
    if err is None:
        return True, Decision(
            False, "a TLS 1.2 handshake with the same certificate completed on a second connection"
        )
    if isinstance(err, TimeoutError):  # the probe ran out of time: that judges nothing
        return (True if reach.spoke else None), Decision(
            None,
            "a TLS 1.2 handshake with the same certificate on a further connection did not "
            f"finish within {timeout_s:g} s",
        )
    if not reach.spoke:
        if reach.said_nothing:
            return False, None
        return None, Decision(None, f"a further connection failed ({type(err).__name__}: {err})")
    if _version_refused(err):  # the server speaks TLS 1.3 only: the step of the docstring
        return True, await decide_client_certificate(host, port, identity, timeout_s)
    how = getattr(err, "reason", None) or type(err).__name__
    return True, Decision(
        True,
        "a TLS 1.2 handshake with the same certificate was cut off after the server's answer "
        f"({how})",
    )


def _judge(move: FirstMove) -> Decision:
    if move.handshake_error is not None:
        err = move.handshake_error
        if isinstance(err, TimeoutError):
            return Decision(None, "a second TLS handshake did not finish in time")
        if _version_refused(err):
            return Decision(None, f"a second TLS handshake found no common version ({err})")
        if isinstance(err, ssl.SSLError) and err.reason and "ALERT" in err.reason:
            return Decision(True, f"a TLS 1.2 handshake was refused with the alert {err.reason}")
        if isinstance(err, ConnectionResetError | BrokenPipeError | ssl.SSLEOFError):
            return Decision(True, "a TLS 1.2 handshake was cut off by the server")
        return Decision(None, f"a second TLS handshake failed ({type(err).__name__}: {err})")
    if move.unasked:
        return Decision(
            False,
            f"a second connection ({move.version}) with the same certificate got bytes the hub "
            f"had not asked for ({move.unasked!r}…), so the handshake was accepted",
        )
    if move.ended is not None:
        return Decision(
            True,
            f"a second connection ({move.version}) on which the hub sent nothing was ended by "
            f"the server right after the handshake with {move.ended}",
        )
    return Decision(
        False,
        f"a second connection ({move.version}) with the same certificate stayed open, waiting "
        "for a request",
    )


def _version_refused(err: BaseException) -> bool:
    text = f"{getattr(err, 'reason', '') or ''} {err}"
    return any(word in text for word in _VERSION_WORDS)
