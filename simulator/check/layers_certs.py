"""Layers 6 and 7: the endpoint's server certificate, and how it treats client certificates.

Layer 6 judges the first request's verifying handshake (the hub's own TLS context: the mock
Hubject CA or the Active uploads, host name checked) and reads the presented certificate's
dates from the TLS probe. Layer 7 asks whether the endpoint accepted the hub's service
certificate (an HTTP answer came back: with TLS 1.3 a refusal only shows after the handshake)
and then tries the bad-certificate pack; each bad client accepted is a security FAIL.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from cryptography import x509

from mockpki.errors import PKIError
from mockpki.inspect import CertificateInfo, describe_certificate, describe_der, load_pem_chain
from oicp.identifiers import new_session_id
from simulator.check.badpack import PackUnavailable, PackVerdict, load_pack, service_name, try_pack
from simulator.check.calls import Failure
from simulator.check.fixes import fix_for
from simulator.check.layers_network import probe_timeout
from simulator.check.report import LayerResult, failed, passed, warned
from simulator.check.run import Run, outcome_layer
from simulator.expiry import Expiry, ExpiryAlarm, expiry_of
from simulator.model import ServerCertification

_HUB_CERTIFICATE = "The hub's service certificate"
_BEFORE_SERVER_CERT = ("dns", "tcp", "tls")


async def layer_server_certificate(run: Run) -> LayerResult:
    """Layer 6: chains as the mode says, covers the host, valid, not expiring within 30 days."""
    cause = run.blocker("tls", "settings")
    if cause is not None:
        why = "The hub would not send with these settings." if cause.key == "settings" else ""
        return run.skip("server_certificate", cause, why)
    first = run.first
    assert first is not None, "the TLS layer sends the first request when it can"
    mode = run.plan.target.trust.mode
    info = _presented(run)
    details = {"mode": mode.slug, "presented": _info_json(info)}
    if isinstance(first, Failure):
        owner = outcome_layer(first)
        if owner == "server_certificate":
            return failed(
                "server_certificate",
                first.diagnosis.detail,
                first.diagnosis.fix or fix_for(first.outcome, mode),
                **details,
            )
        if owner in _BEFORE_SERVER_CERT:
            return run.skip_for_failure("server_certificate", first)
    return _verified(run, info, details)


def _presented(run: Run) -> CertificateInfo | None:
    der = run.handshake.peer_der if run.handshake else None
    return describe_der(der) if der else None


def _verified(run: Run, info: CertificateInfo | None, details: dict[str, Any]) -> LayerResult:
    host, _ = run.host_port
    trusted = _trusted_as(run)
    if info is None:
        return passed(
            "server_certificate",
            f"The server certificate {trusted} and covers {host}; its dates could not be read "
            "because the handshake ended at the client certificate.",
            **details,
        )
    now = datetime.now(UTC)
    expiry = expiry_of(info.not_after, now)
    until = f"{info.not_after:%Y-%m-%d %H:%M} UTC"
    details.update(expiry.to_json())
    details["uploads"] = _uploads_expiry(run, now)
    if expiry.alarm is not ExpiryAlarm.NONE:
        return warned(
            "server_certificate",
            f"The server certificate ({info.subject}) {trusted} and covers {host}. "
            + expiry.sentence("It"),
            "Renew the server certificate now (in User certificate mode, upload the new one "
            "too), before the hub's calls start failing.",
            **details,
        )
    return passed(
        "server_certificate",
        f"The server certificate ({info.subject}) {trusted}, covers {host} and is valid until "
        f"{until} ({expiry.days_left} days).",
        **details,
    )


def _uploads_expiry(run: Run, now: datetime) -> list[dict[str, Any]] | None:
    """Days to expiry of each certificate the hub trusts in User certificate mode."""
    trust = run.plan.target.trust
    if trust.mode is not ServerCertification.USER:
        return None
    infos = [describe_certificate(c) for pem in trust.anchors_pem for c in _certificates(pem)]
    return [
        {"subject": i.subject, "sha256": i.sha256, **expiry_of(i.not_after, now).to_json()}
        for i in infos
    ]


def _certificates(pem: str) -> list[x509.Certificate]:
    try:
        return load_pem_chain(pem.encode("ascii"))
    except (PKIError, UnicodeEncodeError):
        return []


def _trusted_as(run: Run) -> str:
    if run.plan.target.trust.mode is ServerCertification.HUBJECT:
        return "chains to the mock Hubject CA"
    if run.plan.mode == "one-shot":
        return "matches the certificate given with --server-cert user:FILE"
    return "matches an Active certificate in Certificate Management"


def _info_json(info: CertificateInfo | None) -> dict[str, Any] | None:
    if info is None:
        return None
    return {
        "subject": info.subject,
        "issuer": info.issuer,
        "sans": list(info.sans),
        "sha256": info.sha256,
        "not_before": info.not_before.isoformat(),
        "not_after": info.not_after.isoformat(),
    }


# --- layer 7 ----------------------------------------------------------------------------------


async def layer_client_certificate(run: Run) -> LayerResult:
    """Layer 7: the hub's service certificate is accepted and every bad client refused."""
    cause = run.blocker("server_certificate")
    if cause is not None:
        return run.skip("client_certificate", cause, "No verified connection was made.")
    first = run.first
    assert first is not None
    hub_name = service_name(run.plan.identity.client)
    if isinstance(first, Failure):
        owner = outcome_layer(first)
        if owner == "client_certificate":
            mode = run.plan.target.trust.mode
            return failed(
                "client_certificate",
                first.diagnosis.detail,
                first.diagnosis.fix or fix_for(first.outcome, mode),
                hub_certificate=hub_name,
                hub_certificate_accepted=False,
            )
    try:
        pack = await load_pack(run.plan.pki_dir, run.plan.identity.client)
    except PackUnavailable as exc:
        return warned(
            "client_certificate",
            f"The endpoint accepted the hub's service certificate (CN={hub_name}), but the "
            f"bad-certificate pack could not be made ({exc}), so refusals were not tried.",
            "Run the check with a PKI folder written by 'hubsim pki init' (it holds the CA keys).",
            hub_certificate=hub_name,
            hub_certificate_accepted=True,
        )
    # A stop for a SessionID nobody started: harmless if a bad client gets through.
    request = run.request(run.plan.stop_operation, session_id=new_session_id())
    base = replace(run.call(run.plan.target, run.plan.stop_operation), timeout_s=probe_timeout(run))
    verdicts = await try_pack(run.client, pack, base, request)
    return _pack_verdict(hub_name, verdicts, _hub_expiry(run), strict=run.plan.strict)


def _hub_expiry(run: Run) -> Expiry | None:
    info = run.plan.identity.certificate
    return expiry_of(info.not_after, datetime.now(UTC)) if info else None


def _pack_verdict(
    hub_name: str,
    verdicts: list[PackVerdict],
    hub_expiry: Expiry | None = None,
    *,
    strict: bool = False,
) -> LayerResult:
    accepted = [v for v in verdicts if v.accepted]
    details = {
        "hub_certificate": hub_name,
        "hub_certificate_accepted": True,
        "requires_client_certificate": not any(v.name == "no-certificate" for v in accepted),
        "bad_certificates": [v.to_json() for v in verdicts],
    }
    if accepted and hub_expiry is not None:
        details["hub_certificate_expiry"] = hub_expiry.to_json()
    if accepted:
        # Hubject enforces mutual TLS on connections into Hubject, not on its own calls to
        # partners, so an endpoint that accepts any client works with the real hub: a WARN,
        # unless the check is strict (--strict, or strict: true in a scenario).
        named = "; ".join(f"{v.name} ({v.description}: {v.observed})" for v in accepted)
        verdict = failed if strict else warned
        return verdict(
            "client_certificate",
            f"Security: the endpoint accepted the hub's service certificate, but also "
            f"{len(accepted)} of {len(verdicts)} bad client certificates: {named}. Anyone who "
            "reaches the endpoint can send it OICP requests, remote-starting your chargers "
            + (
                "(a FAIL because the check is strict)."
                if strict
                else "(a WARN: Hubject does not require it; --strict makes it a FAIL)."
            ),
            "Verify client certificates against the Hubject chain (NGINX 'ssl_verify_client "
            "on' with hubject-ca.pem, Python ssl.CERT_REQUIRED; keep the date and "
            "extended-key-usage checks on), or allow only Hubject's outbound addresses.",
            **details,
        )
    names = ", ".join(v.name for v in verdicts)
    reason = (
        f"The endpoint requires a client certificate: it accepted the hub's service certificate "
        f"(CN={hub_name}) and refused all {len(verdicts)} bad ones ({names})."
    )
    return _with_hub_expiry(reason, hub_expiry, details)


def _with_hub_expiry(
    reason: str, hub_expiry: Expiry | None, details: dict[str, Any]
) -> LayerResult:
    """Pass, or warn when the hub's own service certificate expires within 30 days."""
    if hub_expiry is not None:
        details["hub_certificate_expiry"] = hub_expiry.to_json()
    if hub_expiry is None or hub_expiry.alarm is ExpiryAlarm.NONE:
        return passed("client_certificate", reason, **details)
    return warned(
        "client_certificate",
        f"{reason} {hub_expiry.sentence(_HUB_CERTIFICATE)}",
        "Renew it with 'hubsim pki renew hub-client --dir DIR', then reload the hub "
        "(POST /api/hub/certificate/reload or SIGHUP).",
        **details,
    )
