"""Build a :class:`CheckPlan` from an operator's saved settings or from one-shot values.

Operator mode uses exactly what the hub would use when it sends: the current revision of
the service type's settings, the operator's uploads in Certificate Management (only the
Active ones are trusted in "User certificate" mode), the hub's identity and the operator's
timeout. One-shot mode declares the given URL online for the service type checked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mockpki import PKIError, describe_certificate, load_pem_chain
from mockpki.files import PKIFiles
from oicp import Operation
from simulator.certificates import user_trust
from simulator.check.plan import DEFAULT_PROVIDER_ID, CheckPlan, ServiceTarget
from simulator.hub import MAX_TIMEOUT_S, Hub, HubError, HubIdentity
from simulator.model import (
    CertificateStatus,
    FieldIssue,
    Operator,
    ServerCertification,
    ServiceType,
    ServiceTypeSettings,
    UploadedCertificate,
    WireProfile,
)
from simulator.oneshot import ServerCertChoice, user_certificates
from simulator.requests import (
    RequestRefused,
    SendParams,
    build_request,
    id_issues,
    parse_wire_profile,
)
from simulator.settings_rules import check_settings, user_certificate_problem
from simulator.suggest import unknown_name
from simulator.tls import ServerTrust

CHECKABLE = (ServiceType.AUTHORIZATION, ServiceType.RESERVATION)
_OPERATOR_PARTS = re.compile(r"^([A-Za-z]{2})[*|-]?([A-Za-z0-9]{3})$")


@dataclass(frozen=True)
class CheckOptions:
    """The request values a user may choose; None takes the default."""

    provider_id: str = DEFAULT_PROVIDER_ID
    evse_id: str | None = None  # default: EVSE 0001 of the operator
    timeout_s: float | None = None  # default: the operator's timeout (10 s one-shot)
    reservation: bool = True  # one-shot only: also run the reservation round trip
    wire_profile: WireProfile | None = None  # default: the operator's (hbs one-shot)
    tolerance: bool = False  # also run the tolerance pack (layer 13)
    spare_evse_ids: tuple[str, ...] = ()  # default: derived from the EvseID (spare_evses)
    strict: bool = False  # a bad client certificate accepted is a FAIL, not a WARN


def default_evse_id(operator_id: str) -> str:
    """EVSE 0001 of ``operator_id``: ``DE*ABC*E0001``, or ``+49*536*0001`` for a DIN ID."""
    match = _OPERATOR_PARTS.fullmatch(operator_id)
    if match:
        return f"{match.group(1).upper()}*{match.group(2).upper()}*E0001"
    return f"{operator_id}*0001"


_CHECK_FIELDS = ("provider_id", "evse_id", "timeout_s", "wire_profile", "tolerance", "strict")


def options_from_json(data: Mapping[str, object]) -> CheckOptions:
    """Read the admin API's check body: provider_id, evse_id, timeout_s (all optional).

    Every problem of the body is refused at once, as the other bodies of the admin API are.
    """
    issues = [
        FieldIssue(
            name, data[name], unknown_name("field", name, _CHECK_FIELDS, "the check's fields")
        )
        for name in data
        if name not in _CHECK_FIELDS
    ]
    for name in ("provider_id", "evse_id"):
        if data.get(name) is not None and not isinstance(data[name], str):
            issues.append(FieldIssue(name, data[name], "must be a string"))
    issues += id_issues(data)
    timeout_s = _seconds(data.get("timeout_s"), issues)
    for name in ("strict", "tolerance"):
        if not isinstance(data.get(name, False), bool):
            issues.append(FieldIssue(name, data[name], "must be true or false"))
    profile, wire_profile = data.get("wire_profile"), None
    try:
        wire_profile = None if profile is None else parse_wire_profile(profile)
    except RequestRefused as err:
        issues += err.issues
    if issues:
        raise HubError(issues)
    return CheckOptions(
        provider_id=str(data.get("provider_id") or DEFAULT_PROVIDER_ID),
        evse_id=str(data["evse_id"]) if data.get("evse_id") else None,
        timeout_s=timeout_s,
        wire_profile=wire_profile,
        tolerance=bool(data.get("tolerance", False)),
        strict=bool(data.get("strict", False)),
    )


_TIMEOUT_RULE = (
    f"must be more than 0 and at most {MAX_TIMEOUT_S:g} seconds (Hubject closes at 60 s)"
)


def _seconds(value: object, issues: list[FieldIssue]) -> float | None:
    """``timeout_s`` as seconds (None: not given); a bool is no number, 0 is no timeout."""
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        issues.append(FieldIssue("timeout_s", value, "must be a number of seconds, e.g. 10"))
        return None
    if 0 < value <= MAX_TIMEOUT_S:
        return float(value)
    issues.append(FieldIssue("timeout_s", value, _TIMEOUT_RULE))
    return None


def spare_evses(evse_id: str) -> tuple[str, str]:
    """Two further EVSEs of the same operator, for the tolerance variants that carry no
    SessionID (their session cannot be stopped): ``DE*ABC*E0001`` -> E0002, E0003."""
    match = re.fullmatch(r"(.*?)(\d+)", evse_id)
    if match is None:
        return f"{evse_id}2", f"{evse_id}3"
    head, digits = match.groups()
    return tuple(  # type: ignore[return-value]
        f"{head}{int(digits) + n:0{len(digits)}d}" for n in (1, 2)
    )


def _bad(field: str, value: object, message: str) -> HubError:
    return HubError([FieldIssue(field, value, message)])


def _checked_timeout(timeout_s: float) -> float:
    if not 0 < timeout_s <= MAX_TIMEOUT_S:
        raise _bad("timeout_s", timeout_s, _TIMEOUT_RULE)
    return timeout_s


def _checkable(service_type: ServiceType) -> ServiceType:
    if service_type not in CHECKABLE:
        raise _bad(
            "service_type",
            service_type.slug,
            "the hub never calls the CPO for PullAuthenticationData, so there is nothing to "
            "check; use authorization or reservation",
        )
    return service_type


# --- operator mode ---------------------------------------------------------------------------


async def operator_plan(
    hub: Hub, operator_id: str, service_type: ServiceType, options: CheckOptions
) -> CheckPlan:
    """The plan for an operator's saved settings, as the running hub would send."""
    operator = await hub.operator(operator_id)
    _checkable(service_type)
    provider_id, evse_id = _request_values(
        options.provider_id, options.evse_id or default_evse_id(operator.operator_id)
    )
    certs = await hub.storage.list_certificates(operator.operator_id)
    settings = await _saved(hub, operator.operator_id, service_type)
    target, refusal = _operator_target(hub.identity, operator, service_type, settings, certs)
    reservation, note = await _reservation_target(hub, operator, service_type, certs)
    return CheckPlan(
        mode="operator",
        operator_id=operator.operator_id,
        settings=settings,
        settings_check=check_settings(
            service_type, settings or ServiceTypeSettings(), certificates=certs, now=_now()
        ),
        refusal=refusal,
        target=target,
        reservation=reservation,
        reservation_note=note,
        identity=hub.identity,
        pki_dir=hub.identity.pki_dir,
        provider_id=provider_id,
        evse_id=evse_id,
        timeout_s=_checked_timeout(options.timeout_s or operator.timeout_s),
        profile=options.wire_profile or operator.wire_profile,
        tolerance=options.tolerance,
        spare_evse_ids=options.spare_evse_ids or spare_evses(evse_id),
        strict=options.strict,
    )


async def _saved(
    hub: Hub, operator_id: str, service_type: ServiceType
) -> ServiceTypeSettings | None:
    revision = await hub.storage.current_settings(operator_id, service_type)
    return revision.settings if revision else None


def _operator_target(
    identity: HubIdentity,
    operator: Operator,
    service_type: ServiceType,
    settings: ServiceTypeSettings | None,
    certs: Sequence[UploadedCertificate],
) -> tuple[ServiceTarget, FieldIssue | None]:
    effective = settings or ServiceTypeSettings()
    target = build_target(
        identity, service_type, effective, certs, operator.reservation_path_style.value
    )
    return target, _refusal(operator.operator_id, service_type, settings, certs)


def _refusal(
    operator_id: str | None,
    service_type: ServiceType,
    settings: ServiceTypeSettings | None,
    certs: Sequence[UploadedCertificate],
) -> FieldIssue | None:
    """Why the hub would not send with these settings (the same reasons as Hub.send)."""
    whose = f" of {operator_id}" if operator_id else ""
    if settings is None:
        return FieldIssue(
            "online_request",
            None,
            f"The {service_type.value} service type{whose} has no saved settings: tick Online "
            "Request and set the Service URL of your backend, then save.",
        )
    if not settings.online_request:
        return FieldIssue(
            "online_request",
            False,
            f"The {service_type.value} service type{whose} is not online: tick Online Request "
            "and set the Service URL of your backend, then save.",
        )
    one_shot = operator_id is None
    problem = user_certificate_problem(settings, certs, _now(), one_shot=one_shot)
    if problem is not None:
        # One-shot: the option the user typed; operator mode: the portal's field.
        field = "server_cert" if one_shot else "server_certification"
        return FieldIssue(field, settings.server_certification.value, problem)
    return None


async def _reservation_target(
    hub: Hub, operator: Operator, service_type: ServiceType, certs: list[UploadedCertificate]
) -> tuple[ServiceTarget | None, str]:
    """The Reservation endpoint for an Authorization check's round trip, when it is online."""
    if service_type is ServiceType.RESERVATION:
        return None, "the checked service type is Reservation: its own start and stop are used"
    settings = await _saved(hub, operator.operator_id, ServiceType.RESERVATION)
    refusal = _refusal(operator.operator_id, ServiceType.RESERVATION, settings, certs)
    if settings is None or refusal is not None or not settings.service_url:
        why = refusal.message.rstrip(".") if refusal else "it has no Service URL"
        return None, f"no reservation round trip: {why}"  # the layer ends the sentence
    target = build_target(
        hub.identity,
        ServiceType.RESERVATION,
        settings,
        certs,
        operator.reservation_path_style.value,
    )
    return target, f"Reservation is online for {operator.operator_id} at {settings.service_url}"


def build_target(
    identity: HubIdentity,
    service_type: ServiceType,
    settings: ServiceTypeSettings,
    certs: Sequence[UploadedCertificate],
    reservation_style: str,
) -> ServiceTarget:
    """The trust the hub applies: the mock Hubject CA, or the Active uploads.

    In User certificate mode the HBS keeps no list of trusted CAs (certificates.md §3.2).
    """
    if settings.server_certification is ServerCertification.HUBJECT:
        trust = ServerTrust(ServerCertification.HUBJECT, (identity.hubject_ca_pem,))
        expected = "a certificate chaining to the mock Hubject CA"
    else:
        now = _now()
        active = [c for c in certs if c.status(now) is CertificateStatus.ACTIVE]
        trust = user_trust(certs, now)
        described = "; ".join(f"{c.subject} (SHA-256 {c.sha256})" for c in active) or "none"
        expected = f"a certificate matching an active upload: {described}"
    return ServiceTarget(service_type, settings.service_url, trust, expected, reservation_style)


# --- one-shot mode ---------------------------------------------------------------------------


def one_shot_plan(
    service_url: str,
    choice: ServerCertChoice,
    pki_dir: Path,
    service_type: ServiceType,
    options: CheckOptions,
    *,
    reservation_style: str = "hubject",
) -> CheckPlan:
    """The plan for ``--url``: the URL is declared online for ``service_type``, no hub needed.

    With ``options.reservation`` (the default) an Authorization check also runs the
    reservation round trip against the same URL and trust, as if Reservation were online too.
    """
    identity = HubIdentity.from_pki_dir(pki_dir)
    _checkable(service_type)
    certs = user_certificates(choice.user_file) if choice.user_file else []
    settings = ServiceTypeSettings(
        online_request=True, service_url=service_url, server_certification=choice.mode
    )
    target = build_target(identity, service_type, settings, certs, reservation_style)
    provider_id, evse_id = _request_values(
        options.provider_id, options.evse_id or default_evse_id(_pki_operator_id(pki_dir))
    )
    reservation, note = _one_shot_reservation(target, service_type, options.reservation)
    return CheckPlan(
        mode="one-shot",
        operator_id=None,
        settings=settings,
        settings_check=check_settings(service_type, settings, certificates=certs, now=_now()),
        refusal=_refusal(None, service_type, settings, certs),
        target=target,
        reservation=reservation,
        reservation_note=note,
        identity=identity,
        pki_dir=pki_dir,
        provider_id=provider_id,
        evse_id=evse_id,
        timeout_s=_checked_timeout(options.timeout_s or 10.0),
        profile=options.wire_profile or WireProfile.HBS,
        tolerance=options.tolerance,
        spare_evse_ids=options.spare_evse_ids or spare_evses(evse_id),
        strict=options.strict,
    )


def _one_shot_reservation(
    target: ServiceTarget, service_type: ServiceType, wanted: bool
) -> tuple[ServiceTarget | None, str]:
    if service_type is ServiceType.RESERVATION:
        return None, "the checked service type is Reservation: its own start and stop are used"
    if not wanted:
        return None, "no reservation round trip: --no-reservation was given"
    reservation = ServiceTarget(
        ServiceType.RESERVATION,
        target.service_url,
        target.trust,
        target.expected,
        target.reservation_style,
    )
    note = "one-shot: Reservation is taken as online at the same URL (--no-reservation skips it)"
    return reservation, note


def _pki_operator_id(pki_dir: Path) -> str:
    """The OperatorID the PKI's CPO client certificate was made for (DE*ABC if unreadable)."""
    try:
        chain = load_pem_chain(PKIFiles(pki_dir).cpo_client_cert.read_bytes())
    except (OSError, PKIError):
        return "DE*ABC"
    return describe_certificate(chain[0]).common_name or "DE*ABC"


def _now() -> datetime:
    return datetime.now(UTC)


def _request_values(provider_id: str, evse_id: str) -> tuple[str, str]:
    """Refuse a bad ProviderID or EvseID before anything is sent (raises RequestRefused)."""
    build_request(Operation.AUTHORIZE_REMOTE_START, SendParams(evse_id, provider_id))
    return provider_id, evse_id
