"""Layers 3-5: DNS, TCP connect and the TLS handshake (its protocol version).

The TLS layer shakes hands with a non-verifying probe context that presents the hub's
service certificate, so that it judges the protocol alone; certificates are layers 6 and 7.
Once TCP works and the settings allow sending, it also sends the first request, whose
outcome the later layers judge.
"""

from __future__ import annotations

import ssl

from simulator.check.calls import Failure
from simulator.check.fixes import fix_for
from simulator.check.report import LayerResult, failed, passed
from simulator.check.run import Run, outcome_layer
from simulator.probes import (
    OLD_TLS_VERSIONS,
    legacy_version,
    resolve,
    tcp_connect,
    tls_handshake,
    tls_reach,
)
from simulator.tls import build_pinned_probe_context, build_probe_context

_VERSION_REASONS = (
    "UNSUPPORTED_PROTOCOL",
    "TLSV1_ALERT_PROTOCOL_VERSION",
    "NO_PROTOCOLS_AVAILABLE",
)
# Alerts a TLS 1.2 server sends when it refuses the client certificate inside the handshake.
_CLIENT_CERT_ALERTS = (
    "ALERT_UNKNOWN_CA",
    "ALERT_BAD_CERTIFICATE",
    "ALERT_CERTIFICATE_UNKNOWN",
    "ALERT_CERTIFICATE_EXPIRED",
    "ALERT_UNSUPPORTED_CERTIFICATE",
    "ALERT_CERTIFICATE_REQUIRED",
    "ALERT_HANDSHAKE_FAILURE",
    "ALERT_ACCESS_DENIED",
)


def probe_timeout(run: Run) -> float:
    """Connection probes use the check's timeout, so every timeout message names the one in
    force (``--timeout``, or the operator's)."""
    return run.plan.timeout_s


async def layer_dns(run: Run) -> LayerResult:
    """Layer 3: the Service URL's host name resolves."""
    cause = run.blocker("url")
    if cause is not None:
        return run.skip("dns", cause, "There is no usable URL to look up.")
    host, port = run.host_port
    try:
        run.resolved = await resolve(host, port, probe_timeout(run))
    except TimeoutError:  # before OSError, which it subclasses
        return failed(
            "dns",
            f"Looking up {host!r} took longer than {probe_timeout(run):g} s.",
            "Check the DNS servers of the machine running the hub.",
            host=host,
        )
    except OSError as exc:
        return failed(
            "dns",
            f"The host name {host!r} of the Service URL does not resolve ({exc.strerror or exc}).",
            "Check the Service URL's host name for typos, or add the name to DNS.",
            host=host,
        )
    addresses = ", ".join(run.resolved.addresses)
    return passed(
        "dns",
        f"{host} resolves to {addresses}.",
        host=host,
        addresses=list(run.resolved.addresses),
        elapsed_ms=round(run.resolved.elapsed_ms, 3),
    )


async def layer_tcp(run: Run) -> LayerResult:
    """Layer 4: something accepts TCP connections on the host and port."""
    cause = run.blocker("dns")
    if cause is not None:
        return run.skip("tcp", cause, "There is no address to connect to.")
    host, port = run.host_port
    try:
        connected = await tcp_connect(host, port, probe_timeout(run))
    except TimeoutError:
        return failed(
            "tcp",
            f"No TCP connection to {run.authority} within {probe_timeout(run):g} s: packets to the "
            "port are dropped, often by a firewall.",
            "Open the port to the hub's addresses, or correct the port in the Service URL.",
            host=host,
            port=port,
        )
    except OSError as exc:
        what = "connection refused" if isinstance(exc, ConnectionRefusedError) else exc.strerror
        return failed(
            "tcp",
            f"Nothing accepts connections on {run.authority} ({what or exc}).",
            "Start the backend, or correct the port in the Service URL.",
            host=host,
            port=port,
        )
    return passed(
        "tcp",
        f"A TCP connection to {connected.peer} opened in {connected.elapsed_ms:.0f} ms.",
        peer=connected.peer,
        elapsed_ms=round(connected.elapsed_ms, 3),
    )


async def layer_tls(run: Run) -> LayerResult:
    """Layer 5: a TLS handshake at version 1.2 or later (then the first request is sent)."""
    cause = run.blocker("tcp")
    if cause is not None:
        return run.skip("tls", cause, "There is no connection to shake hands on.")
    host, port = run.host_port
    try:
        ctx = build_probe_context(run.plan.identity.client)
        run.handshake = await tls_handshake(host, port, ctx, probe_timeout(run))
    except (OSError, TimeoutError) as exc:
        run.handshake_error = exc
    if run.blocker("settings") is None:
        await run.send_first()
    first = run.first
    mode = run.plan.target.trust.mode
    if isinstance(first, Failure) and outcome_layer(first) == "tls":
        return failed("tls", first.diagnosis.detail, fix_for(first.outcome, mode))
    if run.handshake_error is not None:
        return await _handshake_failed(run, run.handshake_error)
    return _handshake_passed(run)


def _handshake_passed(run: Run) -> LayerResult:
    shake = run.handshake
    assert shake is not None
    advice = " (TLS 1.3 is what Hubject recommends)" if shake.version == "TLSv1.2" else ""
    return passed(
        "tls",
        f"The TLS handshake with {run.authority} negotiated {shake.version}{advice}, cipher "
        f"{shake.cipher}.",
        version=shake.version,
        cipher=shake.cipher,
        elapsed_ms=round(shake.elapsed_ms, 3),
    )


async def _handshake_failed(run: Run, exc: BaseException) -> LayerResult:
    host, port = run.host_port
    text = str(exc)
    reason = getattr(exc, "reason", None) or ""
    if "WRONG_VERSION_NUMBER" in (reason, text) or "WRONG_VERSION_NUMBER" in text:
        return failed(
            "tls",
            f"{run.authority} answered in plain HTTP, not TLS.",
            "Serve HTTPS on that port, or put the HTTPS port in the Service URL.",
        )
    if isinstance(exc, TimeoutError):
        return failed(
            "tls",
            f"The TLS handshake with {run.authority} did not finish within "
            f"{probe_timeout(run):g} s.",
            "Check that the port serves TLS directly (not a proxy waiting for something else).",
        )
    if _is_version_problem(exc, reason, text):
        old = await legacy_version(host, port, probe_timeout(run), run.plan.identity.client)
        if old in OLD_TLS_VERSIONS:
            return failed(
                "tls",
                f"{run.authority} speaks only {old}; the hub requires TLS 1.2 or later.",
                "Enable TLS 1.2 or 1.3 on the backend.",
                version=old,
            )
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ssl.SSLEOFError):
        silent = await _silent_server(run)
        if silent is not None:
            return silent
    if _is_client_cert_refusal(exc, text):
        return passed(
            "tls",
            f"The TLS handshake with {run.authority} reached the client-certificate exchange, so "
            "the endpoint speaks TLS 1.2 or later; its refusal of the certificate is judged in "
            "layer 7.",
            refused_with=text,
        )
    return failed(
        "tls",
        f"The TLS handshake with {run.authority} failed: {type(exc).__name__}: {text}.",
        "Check the backend's TLS set-up: certificate and key loaded, TLS 1.2 or 1.3 enabled.",
    )


async def _silent_server(run: Run) -> LayerResult | None:
    """A server that ends the connection before answering a ClientHello, on a second TLS
    1.2 handshake too, never got to TLS: it is over its connection limit or does not speak
    TLS. Read as a reset in the handshake, it passed this layer as a certificate refusal,
    and layer 7 counted every dropped probe as a refused bad certificate."""
    host, port = run.host_port
    pinned = build_pinned_probe_context(run.plan.identity.client, ssl.TLSVersion.TLSv1_2)
    reach = await tls_reach(host, port, pinned, probe_timeout(run))
    if not reach.said_nothing:
        return None
    return failed(
        "tls",
        f"{run.authority} accepted the TCP connection, then ended it before answering the TLS "
        "ClientHello, also on a second handshake: it never got as far as TLS.",
        "Check the backend's connection limits (nginx's worker_connections, a proxy's maxconn, "
        "the stub's --max-connections) and its logs, and that the port serves TLS.",
    )


def _is_version_problem(exc: BaseException, reason: str, text: str) -> bool:
    if reason in _VERSION_REASONS or any(r in text for r in _VERSION_REASONS):
        return True
    # An old-TLS-only server often just drops a modern ClientHello.
    return isinstance(exc, ConnectionResetError | BrokenPipeError | ssl.SSLEOFError)


def _is_client_cert_refusal(exc: BaseException, text: str) -> bool:
    if any(alert in text for alert in _CLIENT_CERT_ALERTS):
        return True
    return isinstance(exc, ConnectionResetError | BrokenPipeError | ssl.SSLEOFError)
