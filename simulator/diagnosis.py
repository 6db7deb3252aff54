"""The hub's diagnosis vocabulary: turn a failed call into an outcome and one sentence.

The sentences follow one pattern: what happened, with the values that matter, then what to do.
They are shown unchanged by the CLI, the admin API, the portal and `hubsim check`.
The mapping from Python's TLS errors follows what aiohttp and OpenSSL report for each case
(verify codes 10, 9, 62, 64, 18-21; alerts such as WRONG_VERSION_NUMBER).
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
from dataclasses import dataclass

import aiohttp

from httpguard import authority
from mockpki.inspect import CertificateInfo
from oicp.limits import ANSWER_BUDGET_S
from simulator.exchange import Outcome
from simulator.probes import OLD_TLS_VERSIONS
from simulator.refusal import Decision

# OpenSSL X509 verify codes (include/openssl/x509_vfy.h).
_VERIFY_EXPIRED = 10
_VERIFY_NOT_YET_VALID = 9
_VERIFY_HOSTNAME_MISMATCH = 62
_VERIFY_IP_MISMATCH = 64

# Alerts a server sends when it refuses the client's certificate.
_CLIENT_CERT_ALERTS = (
    "TLSV1_ALERT_UNKNOWN_CA",
    "SSLV3_ALERT_BAD_CERTIFICATE",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
    "SSLV3_ALERT_CERTIFICATE_EXPIRED",
    "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
    "TLSV13_ALERT_CERTIFICATE_REQUIRED",
    "SSLV3_ALERT_HANDSHAKE_FAILURE",
    "TLSV1_ALERT_ACCESS_DENIED",
    "TLSV1_ALERT_DECRYPT_ERROR",
)
_PROTOCOL_VERSION_REASONS = (
    "UNSUPPORTED_PROTOCOL",
    "TLSV1_ALERT_PROTOCOL_VERSION",
    "NO_PROTOCOLS_AVAILABLE",
)


@dataclass(frozen=True)
class Diagnosis:
    """An outcome and the sentence that explains it.

    ``fix`` is set where the generic remedy of the outcome would be wrong (``hubsim check``
    prints its own fix line): a served upload that has expired must not be uploaded again.
    """

    outcome: Outcome
    detail: str
    fix: str | None = None


@dataclass(frozen=True)
class CallContext:
    """What the diagnosis needs to know about the call that failed."""

    url: str
    host: str
    port: int
    mode_label: str  # "Hubject certificate" / "User certificate"
    expected: str  # what the hub trusted, in words
    timeout_s: float
    presented: CertificateInfo | None = None  # the server certificate, fetched by a probe
    legacy_version: str | None = None  # what a probe allowing old TLS versions negotiated
    decision: Decision | None = None  # the deciding step after an unanswered TLS connection
    hello_answered: bool | None = None  # after a reset in the handshake: see reset_in_handshake
    # After a timeout: whether a further TLS handshake finished (False: it did not in time).
    handshake_in_time: bool | None = None
    # After an untrusted server certificate: the trusted certificate of its issuer's name.
    namesake: CertificateInfo | None = None
    # ... and the upload it is, when it is one that is no longer (or not yet) Active.
    retired_upload: str | None = None

    @property
    def authority(self) -> str:
        """``host:port`` as a sentence writes it (``[::1]:8443``)."""
        return authority(self.host, self.port)


def diagnose_exception(exc: BaseException, ctx: CallContext) -> Diagnosis:
    """Classify an exception raised while sending, never letting a traceback through."""
    if timed_out(exc):
        return _timeout(ctx)
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        cert_error = exc.certificate_error
        if isinstance(cert_error, ssl.SSLCertVerificationError):
            return _certificate_error(cert_error, ctx)
        return _ssl_error(exc.os_error, ctx)
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return _dns(ctx)
    if isinstance(exc, aiohttp.ClientConnectorSSLError):
        return _ssl_error(exc.os_error, ctx)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return _connector_error(exc.os_error, ctx)
    if isinstance(exc, aiohttp.ClientResponseError):
        return _not_http(exc, ctx)
    if ctx.decision is not None and unanswered_after_handshake(exc):
        return _decided(exc, ctx.decision, ctx)
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return _closed(ctx)
    if isinstance(exc, aiohttp.ClientOSError):
        return _os_error(exc, ctx)
    return Diagnosis(
        Outcome.TLS_ERROR if isinstance(exc, ssl.SSLError) else Outcome.CONNECTION_CLOSED,
        f"The call to {ctx.url} failed: {type(exc).__name__}: {exc}.",
    )


def timed_out(exc: BaseException) -> bool:
    """A call that ran out of time: connecting, in the handshake, or waiting for the answer."""
    return isinstance(exc, asyncio.TimeoutError)


def server_cert_wanted(exc: BaseException) -> bool:
    """Whether a probe for the presented certificate would improve this diagnosis."""
    return isinstance(exc, aiohttp.ClientConnectorCertificateError)


def version_probe_wanted(exc: BaseException) -> bool:
    """Whether the handshake failed in a way an old-TLS-only server can cause.

    A reset, an end of file or an alert during the handshake may come from a server that
    speaks only TLS 1.1 or older (and perhaps also requires a client certificate); a probe
    that allows old versions tells that apart, so it decides before any other reading.
    """
    if isinstance(exc, aiohttp.ClientConnectorCertificateError) or not isinstance(
        exc, aiohttp.ClientConnectorError
    ):
        return False
    os_error = exc.os_error
    if isinstance(os_error, ssl.SSLError):
        return "WRONG_VERSION_NUMBER" not in str(os_error)  # that one is plain HTTP
    return isinstance(os_error, ConnectionResetError | BrokenPipeError)


def reset_in_handshake(exc: BaseException) -> bool:
    """A reset inside the TLS handshake. It reads as a refusal of the hub's certificate, but
    a server over its connection limit resets what it accepts too, before answering the
    ClientHello: one more TLS 1.2 handshake, driven by hand, tells the two apart
    (:func:`simulator.refusal.decide_after_reset`)."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError) or not isinstance(
        exc, aiohttp.ClientConnectorError
    ):
        return False
    return isinstance(exc.os_error, ConnectionResetError | BrokenPipeError)


def decision_wanted(exc: BaseException) -> bool:
    """Whether the deciding step of :mod:`simulator.refusal` is needed: the connection was
    made and no HTTP answer came back. (A reset inside the handshake needs none: once the
    old-TLS probe has ruled out an old server, it is the refusal.)"""
    return unanswered_after_handshake(exc)


def unanswered_after_handshake(exc: BaseException) -> bool:
    """A connection that was made and then ended without any HTTP answer."""
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ClientResponseError):
        return False
    return isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError)


# Phrases of the HTTP pages TLS terminators answer when they refuse a client certificate:
# nginx ("400 No required SSL certificate was sent", "400 The SSL certificate error", and its
# own status codes 495 and 496), and JSON fronts that name the certificate in a 400.
# A 403 stays http_status: it is an application's verdict, such as a pinned fingerprint.
_REFUSAL_STATUSES = (
    400,
    495,
    496,
)  # a 403 is the backend's own decision (e.g. a pinned fingerprint)
_REFUSAL_WORDS = ("ssl certificate", "client certificate", "certificate")


def refusal_page(status: int, text: str) -> str | None:
    """What a refusal page of a TLS terminator says, or None if the answer is not one."""
    if status not in _REFUSAL_STATUSES:
        return None
    lowered = text.lower()
    if status in (495, 496) or any(word in lowered for word in _REFUSAL_WORDS):
        return _page_excerpt(text)
    return None


def refused_by_page(status: int, text: str, host: str, port: int) -> Diagnosis | None:
    """The diagnosis of an HTTP refusal page, or None if the answer is not one."""
    said = refusal_page(status, text)
    if said is None:
        return None
    how = (
        f"completed the TLS handshake and then answered HTTP {status} with {said}, the page "
        "a TLS terminator (such as nginx with ssl_verify_client) sends when it does not trust "
        "the client certificate"
    )
    return _client_cert_refused_at(host, port, how)


def body_excerpt(text: str, limit: int) -> str:
    """The start of a body for a sentence, on one line (CRLF pages too: no "\\r" in it)."""
    flat = " ".join(text.strip().splitlines())
    return repr(flat[:limit] + ("…" if len(flat) > limit else ""))


def status_hint(status: int, path: str, location: str | None = None) -> str | None:
    """What a non-200 status usually means for the hub's request to ``path``, or None.

    A 404 or 405 from a web server in front of the backend almost always means the path the
    hub posts to (the Service URL's path plus the OICP path) is not routed for POST. A
    redirect (``location``: where to) is not followed: Hubject's client does not follow one
    for a POST, so the call fails there, and a followed one sent the body anywhere, plain
    HTTP included, while the hub reported the other server's answer as the endpoint's.
    """
    if 300 <= status < 400:
        to = f" to {location}" if location else ""
        return (
            f"a redirect{to}, which the hub does not follow (Hubject's client does not follow "
            "one for a POST): put the URL that answers in the Service URL, or answer at the "
            "Service URL itself"
        )
    if status not in (404, 405):
        return None
    said = f"nothing answers POST at {path}" if status == 404 else f"{path} does not take POST"
    if path.lower().count("/api/oicp") > 1:  # the Service URL held the OICP path already
        return (
            f"{said}, which holds /api/oicp twice: the Service URL already holds the OICP "
            "path, and the hub appends it itself; give the Service URL without it"
        )
    return (
        f"{said}: route POST requests for that path to your OICP endpoint, or correct the "
        "Service URL's path (the hub appends the OICP path to it)"
    )


def _page_excerpt(text: str) -> str:
    title = text.split("<title>", 1)[-1].split("</title>", 1)[0] if "<title>" in text else text
    flat = " ".join(title.split())
    return repr(flat[:160] + ("…" if len(flat) > 160 else ""))


def _timeout(ctx: CallContext) -> Diagnosis:
    if ctx.handshake_in_time is False:
        return Diagnosis(
            Outcome.TIMEOUT,
            f"{ctx.url} did not answer within {ctx.timeout_s:g} s, and a further TLS handshake "
            f"with {ctx.authority} did not finish in time either, so the request may "
            "never have reached the backend. A backend at its connection limit that leaves "
            "new connections waiting (HAProxy's maxconn, a full listen backlog) does this, as "
            "does a port that accepts TCP but does not speak TLS: check the backend's limits "
            "and that the port serves TLS.",
        )
    if ctx.timeout_s < ANSWER_BUDGET_S:  # the user's own, shorter timeout ran out
        return Diagnosis(
            Outcome.TIMEOUT,
            f"{ctx.url} did not answer within {ctx.timeout_s:g} s, a timeout shorter than "
            f"Hubject's {ANSWER_BUDGET_S:g} s, so a later answer may still be in time: test "
            f"with the timeout at {ANSWER_BUDGET_S:g} s, and make the backend answer at once "
            "and act on the EVSE afterwards.",
        )
    return Diagnosis(
        Outcome.TIMEOUT,
        f"{ctx.url} did not answer within {ctx.timeout_s:g} s; OICP asks for an answer in under "
        f"{ANSWER_BUDGET_S:g} s, so make the backend answer at once and act on the EVSE "
        "afterwards.",
    )


def _dns(ctx: CallContext) -> Diagnosis:
    return Diagnosis(
        Outcome.DNS_FAILURE,
        f"The host name {ctx.host!r} of the Service URL does not resolve; check the URL for typos "
        "or add the name to DNS.",
    )


def _connector_error(os_error: OSError, ctx: CallContext) -> Diagnosis:
    if isinstance(os_error, socket.gaierror):
        return _dns(ctx)
    if isinstance(os_error, ConnectionRefusedError) or os_error.errno == errno.ECONNREFUSED:
        return Diagnosis(
            Outcome.CONNECTION_REFUSED,
            f"Nothing accepts connections on {ctx.authority} (connection refused); start "
            "the backend or correct the port in the Service URL.",
        )
    if isinstance(os_error, ssl.SSLError):
        return _ssl_error(os_error, ctx)
    if isinstance(os_error, ConnectionResetError | BrokenPipeError):
        if ctx.legacy_version in OLD_TLS_VERSIONS:
            return Diagnosis(
                Outcome.TLS_VERSION,
                f"{ctx.authority} speaks only {ctx.legacy_version}; the hub requires TLS "
                "1.2 or later, so enable TLS 1.2 or 1.3 on the backend.",
            )
        return _reset_in_handshake(ctx)
    return Diagnosis(
        Outcome.CONNECTION_REFUSED,
        f"Could not connect to {ctx.authority}: {os_error.strerror or os_error}.",
    )


def _reset_in_handshake(ctx: CallContext) -> Diagnosis:
    where = f"The backend at {ctx.authority}"
    if ctx.hello_answered is False:
        return Diagnosis(
            Outcome.CONNECTION_CLOSED,
            f"{where} accepted the TCP connection, then ended it before answering the hub's TLS "
            "ClientHello, and did the same to a TLS 1.2 handshake on a further connection, so "
            "it never saw the hub's certificate. A server over its connection limit does "
            "this (nginx's worker_connections, a proxy's maxconn, the stub's "
            "--max-connections), as does a port that does not speak TLS: check the backend's "
            "limits and logs.",
        )
    decision = ctx.decision
    if decision is not None and decision.refused is False:
        return Diagnosis(
            Outcome.CONNECTION_CLOSED,
            f"{where} reset the connection during the TLS handshake, although "
            f"{decision.observed} (so the hub's certificate is not the cause); a server that "
            "drops connections does this, as one over its connection limit does: check the "
            "backend's limits and logs.",
        )
    if decision is not None and decision.refused:
        return _client_cert_refused(
            ctx, f"reset the connection during the TLS handshake, and {decision.observed}"
        )
    if decision is not None:  # the further handshake told nothing either way
        return Diagnosis(
            Outcome.CONNECTION_CLOSED,
            f"{where} reset the connection during the TLS handshake, and {decision.observed}, "
            "so whether it refused the hub's certificate is unknown. A backend over its "
            "connection limit, or a sender with more handshakes at once than it finishes in "
            "time, does this: check the backend's limits and logs, and send fewer requests at "
            "once.",
        )
    return _client_cert_refused(ctx, "reset the connection during the TLS handshake")


def _ssl_error(err: OSError, ctx: CallContext) -> Diagnosis:
    reason = getattr(err, "reason", None) or ""
    text = str(err)
    if reason == "WRONG_VERSION_NUMBER" or "WRONG_VERSION_NUMBER" in text:
        return Diagnosis(
            Outcome.PLAIN_HTTP,
            f"{ctx.authority} answered in plain HTTP, not TLS; serve HTTPS on that port or "
            "put the HTTPS port in the Service URL.",
        )
    if reason in _PROTOCOL_VERSION_REASONS or any(r in text for r in _PROTOCOL_VERSION_REASONS):
        return Diagnosis(
            Outcome.TLS_VERSION,
            f"{ctx.authority} offers no TLS version the hub accepts ({reason or text}); "
            "enable TLS 1.2 or 1.3 on the backend.",
        )
    alert = next((a for a in _CLIENT_CERT_ALERTS if a in text or a == reason), None)
    if alert is not None:
        return _client_cert_refused(ctx, f"sent the TLS alert {alert}")
    return Diagnosis(Outcome.TLS_ERROR, f"The TLS handshake with {ctx.authority} failed: {text}.")


def _os_error(exc: aiohttp.ClientOSError, ctx: CallContext) -> Diagnosis:
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, ssl.SSLError):
        return _ssl_error(cause, ctx)
    if "alert" in str(exc).lower():
        return _ssl_error(exc, ctx)
    if exc.errno in (errno.ECONNRESET, errno.EPIPE) or isinstance(cause, ConnectionResetError):
        return _client_cert_refused(ctx, "reset the connection right after the TLS handshake")
    return _closed(ctx)


def _client_cert_refused(ctx: CallContext, how: str) -> Diagnosis:
    return _client_cert_refused_at(ctx.host, ctx.port, how)


def _client_cert_refused_at(host: str, port: int, how: str) -> Diagnosis:
    return Diagnosis(
        Outcome.CLIENT_CERT_REFUSED,
        f"The backend at {authority(host, port)} {how}: it refused the hub's service (client) "
        "certificate; add the mock Hubject CA (hubject-ca.pem, root and intermediate) to the "
        "backend's client-certificate trust store.",
    )


_ENDED_UNANSWERED = "ended the connection after the TLS handshake without an HTTP answer"


def _what_the_request_saw(exc: BaseException) -> str:
    text = str(exc)
    alert = next((a for a in _CLIENT_CERT_ALERTS if a in text), None)
    if alert is not None:
        return f"sent the TLS alert {alert} on the hub's first read after the TLS handshake"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "closed the connection after the TLS handshake without an HTTP answer"
    return f"{_ENDED_UNANSWERED} ({text})"


def _decided(exc: BaseException, decision: Decision, ctx: CallContext) -> Diagnosis:
    """The outcome of an unanswered connection, as the deciding step found it."""
    if decision.refused:
        # Not what the request saw: after a TLS 1.3 handshake the reset its write causes may
        # destroy the alert before it is read, so that varied from run to run (and from
        # client to client) while the verdict did not.
        return _client_cert_refused(ctx, f"{_ENDED_UNANSWERED}, and {decision.observed}")
    saw = _what_the_request_saw(exc)
    if decision.refused is None:  # the second connection told nothing either way
        return Diagnosis(
            Outcome.CONNECTION_CLOSED,
            f"{ctx.url} {saw}, and {decision.observed}, so whether it refused the hub's "
            "certificate is unknown; the backend must answer every request with an "
            "eRoamingAcknowledgement: check that it runs and look at its logs.",
        )
    return Diagnosis(
        Outcome.CONNECTION_CLOSED,
        f"{ctx.url} {saw}, although {decision.observed} (so the hub's certificate is "
        "not the cause); the backend must answer every request with an "
        "eRoamingAcknowledgement.",
    )


def _not_http(exc: aiohttp.ClientResponseError, ctx: CallContext) -> Diagnosis:
    """The answer could not be parsed as HTTP: bytes of another protocol, or a header
    beyond the hub's limit (aiohttp's 8190 bytes per line)."""
    chain: list[BaseException] = [exc]
    while chain[-1].__cause__ is not None and len(chain) < 5:
        chain.append(chain[-1].__cause__)
    text = " ".join(str(getattr(e, "message", "") or e) for e in chain)
    complaint = _one_line(exc.message)
    if any(type(e).__name__ == "LineTooLong" for e in chain) or "Got more than" in text:
        return Diagnosis(
            Outcome.HEADER_TOO_LARGE,
            f"{ctx.url} answered with an HTTP header line longer than the hub reads "
            f"(8190 bytes: {complaint}); keep the answer's headers short.",
        )
    return Diagnosis(
        Outcome.NOT_HTTP,
        f"{ctx.url} answered with bytes that are not HTTP ({complaint}); serve the OICP "
        "endpoint with an HTTP/1.1 server on that port.",
    )


def _one_line(parser_message: str) -> str:
    """aiohttp's parser complaint on one line: it spreads over several, the bytes on one of
    their own with a line of ``^`` under the spot, which means nothing inside a sentence."""
    lines = (line.strip() for line in parser_message.splitlines())
    return " ".join(line for line in lines if line.strip("^~ "))


def _closed(ctx: CallContext) -> Diagnosis:
    return Diagnosis(
        Outcome.CONNECTION_CLOSED,
        f"{ctx.url} closed the connection without an HTTP answer; the backend must answer every "
        "request with an eRoamingAcknowledgement.",
    )


def _certificate_error(err: ssl.SSLCertVerificationError, ctx: CallContext) -> Diagnosis:
    code = err.verify_code
    presented = ctx.presented
    if code == _VERIFY_EXPIRED:
        when = f" on {presented.not_after:%Y-%m-%d %H:%M} UTC" if presented else ""
        return Diagnosis(
            Outcome.SERVER_CERT_EXPIRED,
            f"The server certificate of {ctx.host} expired{when}; renew it"
            + (" and upload the new one in Certificate Management." if _user(ctx) else "."),
        )
    if code == _VERIFY_NOT_YET_VALID:
        when = f": it is valid from {presented.not_before:%Y-%m-%d %H:%M} UTC" if presented else ""
        return Diagnosis(
            Outcome.SERVER_CERT_NOT_YET_VALID,
            f"The server certificate of {ctx.host} is not valid yet{when}; check the backend's "
            "clock or issue a certificate valid from now.",
        )
    if code in (_VERIFY_HOSTNAME_MISMATCH, _VERIFY_IP_MISMATCH):
        names = ", ".join(presented.sans) if presented and presented.sans else "no matching name"
        return Diagnosis(
            Outcome.HOSTNAME_MISMATCH,
            f"The server certificate does not cover the Service URL's host {ctx.host!r} "
            f"(it names {names}); issue a certificate for {ctx.host} or use a host name it covers.",
        )
    return _untrusted(err, ctx)


def _untrusted(err: ssl.SSLCertVerificationError, ctx: CallContext) -> Diagnosis:
    presented = ctx.presented
    if presented is None:
        shown = f"a certificate the hub could not read ({err.verify_message})"
    elif presented.issuer == presented.subject:
        shown = (
            f"a self-signed certificate, subject {presented.subject}, SHA-256 {presented.sha256}"
        )
    else:
        shown = (
            f"subject {presented.subject}, issued by {presented.issuer}, SHA-256 {presented.sha256}"
        )
    fix = (
        "upload that certificate (or its issuing CA) in Certificate Management, or switch the "
        "service type to Hubject certificate"
        if _user(ctx)
        else "serve a certificate issued by the mock Hubject CA (cpo-server.pem), or switch the "
        "service type to User certificate and upload yours"
    )
    expected = f"expected {ctx.expected}"
    if ctx.retired_upload is not None:
        return Diagnosis(
            Outcome.SERVER_CERT_UNTRUSTED,
            f"The server certificate is not trusted in {ctx.mode_label} mode: presented {shown}; "
            f"it is the upload {ctx.retired_upload} in Certificate Management, and the hub "
            f"trusts Active uploads only ({ctx.expected}); {_SERVE_ACTIVE}.",
            fix=_SERVE_ACTIVE[0].upper() + _SERVE_ACTIVE[1:] + ".",
        )
    if ctx.namesake is not None and not ctx.namesake.is_ca and _user(ctx):
        # An uploaded leaf, and the endpoint presents another certificate of its name: no CA
        # was made again, the endpoint simply serves a different certificate.
        return Diagnosis(
            Outcome.SERVER_CERT_UNTRUSTED,
            f"The server certificate is not trusted in {ctx.mode_label} mode: presented "
            f"{shown}; the upload of that name in Certificate Management is a different "
            f"certificate (SHA-256 {ctx.namesake.sha256}); upload the certificate the endpoint "
            "presents now, or make the endpoint present the uploaded one.",
        )
    if ctx.namesake is not None:
        # Two mock PKIs name their CAs alike: the names alone read as a contradiction.
        origin = "" if _user(ctx) else _ANOTHER_PKI
        expected = (
            f"the hub trusts a certificate of that name (SHA-256 {ctx.namesake.sha256}), but "
            f"another key signed this one{origin}"
        )
    return Diagnosis(
        Outcome.SERVER_CERT_UNTRUSTED,
        f"The server certificate is not trusted in {ctx.mode_label} mode: presented {shown}; "
        f"{expected}; {fix}.",
    )


_SERVE_ACTIVE = (
    "serve the certificate of an Active upload, or renew this one and upload the new certificate"
)
_ANOTHER_PKI = ": it comes from another mock PKI (one made again with hubsim pki init --force, say)"


def _user(ctx: CallContext) -> bool:
    return ctx.mode_label == "User certificate"
