"""The diagnosis of a failed call to a CPO, with probes of its endpoint where they help.

The sentence of an outcome comes from :mod:`simulator.diagnosis`; this module gathers what
that needs beyond the exception: the certificate the endpoint presents, whether it speaks
only old TLS, whether it refused the hub's certificate (:mod:`simulator.refusal`), and
after a timeout whether it still completes a handshake.
"""

from __future__ import annotations

from yarl import URL

from mockpki.errors import PKIError
from mockpki.inspect import CertificateInfo, describe_certificate, describe_der, load_pem_chain
from simulator.diagnosis import (
    CallContext,
    Diagnosis,
    decision_wanted,
    diagnose_exception,
    reset_in_handshake,
    server_cert_wanted,
    timed_out,
    version_probe_wanted,
)
from simulator.probes import OLD_TLS_VERSIONS, legacy_version, tls_handshake
from simulator.refusal import decide_after_reset, decide_client_certificate
from simulator.tls import ClientIdentity, build_probe_context

PROBE_TIMEOUT_S = 5.0


async def diagnose_failure(
    exc: BaseException,
    *,
    url: str,
    identity: ClientIdentity | None,
    mode_label: str,
    expected: str,
    timeout_s: float,
    anchors_pem: tuple[str, ...] = (),
    retired: tuple[tuple[str, str], ...] = (),
) -> Diagnosis:
    """Explain a failed call in one sentence, probing the endpoint where that helps.

    A verification failure is explained with the certificate the endpoint presents (fetched
    by a non-verifying handshake); a reset during the handshake is told apart from an
    old-TLS-only server by a handshake that allows old versions. ``anchors_pem`` are what the
    hub trusts: an untrusted certificate whose issuer has the name of one of them is told.
    """
    parsed = URL(url, encoded=True)
    host, port = parsed.host or "", parsed.port or 443
    presented = None
    if server_cert_wanted(exc):
        presented = await presented_certificate(host, port, identity)
    probe_s = min(PROBE_TIMEOUT_S, timeout_s)
    legacy = (
        await legacy_version(host, port, probe_s, identity) if version_probe_wanted(exc) else None
    )
    decision, hello = None, None
    in_time = await handshakes_in_time(host, port, identity, probe_s) if timed_out(exc) else None
    if legacy not in OLD_TLS_VERSIONS and reset_in_handshake(exc):
        hello, decision = await decide_after_reset(host, port, identity, probe_s)
    elif legacy not in OLD_TLS_VERSIONS and decision_wanted(exc):
        decision = await decide_client_certificate(host, port, identity, probe_s)
    ctx = CallContext(
        url=url,
        host=host,
        port=port,
        mode_label=mode_label,
        expected=expected,
        timeout_s=timeout_s,
        presented=presented,
        legacy_version=legacy,
        decision=decision,
        hello_answered=hello,
        handshake_in_time=in_time,
        namesake=namesake_of_issuer(presented, anchors_pem),
        retired_upload=dict(retired).get(presented.sha256) if presented else None,
    )
    return diagnose_exception(exc, ctx)


def namesake_of_issuer(
    presented: CertificateInfo | None, anchors_pem: tuple[str, ...]
) -> CertificateInfo | None:
    """The trusted certificate that bears the name of ``presented``'s issuer, if any.

    Verification failed, so that one did not sign it: another CA of the same name did. A
    mock PKI made again (``hubsim pki init --force``) names its CAs as the old one did.
    """
    if presented is None:
        return None
    for pem in anchors_pem:
        try:
            chain = load_pem_chain(pem.encode())
        except PKIError:
            continue
        for anchor in map(describe_certificate, chain):
            if anchor.subject == presented.issuer:
                return anchor
    return None


async def handshakes_in_time(
    host: str, port: int, identity: ClientIdentity | None, timeout_s: float
) -> bool | None:
    """After a timeout: whether the backend completes a TLS handshake within ``timeout_s``.
    One that does got the request and was slow to answer; one that does not may never have
    seen it (aiohttp's timeout does not tell connecting from waiting). None: the probe's
    connection failed, which says nothing about the timeout."""
    try:
        await tls_handshake(host, port, build_probe_context(identity), timeout_s)
    except TimeoutError:
        return False
    except OSError:
        return None
    return True


async def presented_certificate(
    host: str, port: int, identity: ClientIdentity | None
) -> CertificateInfo | None:
    """The certificate an endpoint presents, read without verifying it."""
    try:
        found = await tls_handshake(host, port, build_probe_context(identity), PROBE_TIMEOUT_S)
    except (OSError, TimeoutError):
        return None
    return describe_der(found.peer_der) if found.peer_der else None
