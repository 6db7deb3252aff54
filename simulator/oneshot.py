"""Send one request straight to a Service URL, with no running hub and no database.

``hubsim send --url ...``, ``hubsim check --url ...``, ``hubsim load --url ...`` and ``hubsim
fuzz`` use this. The settings are checked by the same rules as the portal's, so a URL with a
blank is refused here exactly as there, but the refusal names the option the user typed
(``--url``, ``--server-cert``), not the portal's field.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from oicp import Operation
from oicp.identifiers import operator_id_of_evse
from oicp.paths import hub_to_cpo_path, join_service_url
from simulator.certificates import CertificateUploadError, parse_certificate_upload, user_trust
from simulator.exchange import Exchange
from simulator.hub import HubError, HubIdentity
from simulator.model import (
    FieldIssue,
    ServerCertification,
    ServiceTypeSettings,
    UploadedCertificate,
    WireProfile,
)
from simulator.requests import SendParams, prepare_request, service_type_of
from simulator.sender import Sender, Target
from simulator.settings_rules import check_settings, user_certificate_problem
from simulator.tls import ServerTrust

# The portal's fields and the one-shot options that stand for them (Locust's user class
# renames these options once more, to its own).
_OPTIONS = {"service_url": "--url", "server_cert": "--server-cert"}


def _refused(issues: list[FieldIssue]) -> HubError:
    return HubError([replace(i, field=_OPTIONS.get(i.field, i.field)) for i in issues])


@dataclass(frozen=True)
class ServerCertChoice:
    """``--server-cert hubject`` or ``--server-cert user:FILE``."""

    mode: ServerCertification
    user_file: Path | None = None

    @classmethod
    def parse(cls, text: str) -> ServerCertChoice:
        """The choice, or a refusal of the option: also a FILE that cannot be read or is not
        a certificate, so every command refuses it before it starts (exit 2)."""
        if text == "hubject":
            return cls(ServerCertification.HUBJECT)
        if text.startswith("user:") and len(text) > len("user:"):
            path = Path(text.removeprefix("user:"))
            user_certificates(path)
            return cls(ServerCertification.USER, path)
        raise _refused(
            [
                FieldIssue(
                    "server_cert",
                    text,
                    "use 'hubject' (Hubject certificate) or 'user:FILE' (User certificate, FILE "
                    "being the .pem/.crt your endpoint presents or its issuing CA)",
                )
            ]
        )


def user_certificates(path: Path, operator_id: str = "one-shot") -> list[UploadedCertificate]:
    """Read a User certificate file as Certificate Management would store it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _refused(
            [
                FieldIssue(
                    "server_cert",
                    f"user:{path}",
                    f"user:{path}: the file {path} cannot be read ({exc.strerror}); give the "
                    "certificate your endpoint presents, or its issuing CA",
                )
            ]
        ) from None
    try:
        parsed = parse_certificate_upload(data, path.name)
    except CertificateUploadError as exc:
        raise _refused([FieldIssue("server_cert", str(path), str(exc))]) from None
    now = datetime.now(UTC)
    return [
        UploadedCertificate(
            operator_id=operator_id,
            cert_id=i,
            pem=p.pem,
            filename=path.name,
            subject=p.subject,
            sans=p.sans,
            sha256=p.sha256,
            not_before=p.not_before,
            not_after=p.not_after,
            uploaded_at=now,
        )
        for i, p in enumerate(parsed, start=1)
    ]


def one_shot_target(
    service_url: str,
    choice: ServerCertChoice,
    identity: HubIdentity,
    operation: Operation,
    provider_id: str,
    *,
    timeout_s: float = 10.0,
    reservation_style: str = "hubject",
) -> Target:
    """Check the would-be settings with the portal's rules and build the target, or refuse."""
    certs = user_certificates(choice.user_file) if choice.user_file else []
    settings = ServiceTypeSettings(
        online_request=True, service_url=service_url, server_certification=choice.mode
    )
    now = datetime.now(UTC)
    verdict = check_settings(service_type_of(operation), settings, certificates=certs, now=now)
    if not verdict.ok:
        raise _refused(list(verdict.errors))
    url = join_service_url(service_url, hub_to_cpo_path(operation, provider_id, reservation_style))
    if choice.mode is ServerCertification.HUBJECT:
        trust = ServerTrust(ServerCertification.HUBJECT, (identity.hubject_ca_pem,))
        return Target(url=url, trust=trust, timeout_s=timeout_s)
    problem = user_certificate_problem(settings, certs, now, one_shot=True)
    if problem is not None:
        raise _refused([FieldIssue("server_cert", str(choice.user_file), problem)])
    trust = user_trust(certs, now)
    described = "; ".join(f"{c.subject} (SHA-256 {c.sha256})" for c in certs)
    return Target(
        url=url,
        trust=trust,
        timeout_s=timeout_s,
        expected=f"the certificate in {choice.user_file}: {described}",
    )


async def send_one_shot(
    service_url: str,
    choice: ServerCertChoice,
    pki_dir: Path,
    operation: Operation,
    params: SendParams,
    *,
    timeout_s: float = 10.0,
    profile: WireProfile = WireProfile.HBS,
) -> Exchange:
    """Build, send and judge one request in ``profile``'s wire shape; refusals of the input
    raise :class:`HubError`."""
    identity = HubIdentity.from_pki_dir(pki_dir)
    request, body = prepare_request(operation, params, profile)
    target = one_shot_target(
        service_url, choice, identity, operation, params.provider_id, timeout_s=timeout_s
    )
    async with Sender(identity.client) as sender:
        exchange = await sender.send(target, request, body=body, profile=profile)
    # As the hub's log has them; with no operator configured, the CPO is the one Hubject
    # derives from the EvseID.
    exchange.evse_id = params.evse_id
    exchange.partner_id = operator_id_of_evse(params.evse_id)
    return exchange
