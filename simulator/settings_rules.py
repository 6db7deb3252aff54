"""The rules of the HBS portal's Service Type Settings: the one place they live.

The JSON admin API, the CLI and the portal all parse input with :func:`parse_settings`, check it
with :func:`check_settings` and show the resulting messages unchanged. Each message names the
field (by its portal label), the value that was wrong and what to do about it.

The rules follow Hubject's "Service Type Settings (CPO)" article (certificates.md §3.2): Broadcast
Request and the Service URL can be set only once Online Request is ticked, a CPO leaves Broadcast
Request off, Reservation can only enable Online Request, and the URL must be free of blanks.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from simulator.certificates import (
    active_certificates_for_host,
    certificate_covers_host,
    certificate_is_ca,
)
from simulator.model import (
    CertificateStatus,
    FieldIssue,
    ServerCertification,
    ServiceType,
    ServiceTypeSettings,
    UploadedCertificate,
)
from simulator.service_url import check_service_url, service_url_host
from simulator.suggest import closest, unknown_name

__all__ = [
    "KNOWN_FIELDS",
    "SettingsCheck",
    "check_service_url",
    "check_settings",
    "parse_settings",
    "service_url_host",
    "user_certificate_problem",
]

KNOWN_FIELDS = ("online_request", "broadcast_request", "service_url", "server_certification")

# What an HTML checkbox or a form-encoded request may send for a boolean.
_TRUE_TEXTS = frozenset({"on", "true", "1"})
_FALSE_TEXTS = frozenset({"off", "false", "0", ""})


@dataclass(frozen=True)
class SettingsCheck:
    """The outcome of checking one service type's settings: every error and warning at once."""

    errors: tuple[FieldIssue, ...]
    warnings: tuple[FieldIssue, ...]

    @property
    def ok(self) -> bool:
        """True when the settings can be saved (warnings do not prevent saving)."""
        return not self.errors

    def errors_for(self, field: str) -> tuple[FieldIssue, ...]:
        """The errors about one field, for showing them next to it."""
        return tuple(issue for issue in self.errors if issue.field == field)

    def warnings_for(self, field: str) -> tuple[FieldIssue, ...]:
        """The warnings about one field, for showing them next to it."""
        return tuple(issue for issue in self.warnings if issue.field == field)

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "errors": [issue.to_json() for issue in self.errors],
            "warnings": [issue.to_json() for issue in self.warnings],
        }


# --- parsing ------------------------------------------------------------------------------------


def parse_settings(
    data: Mapping[str, object], *, ignore: Collection[str] = ()
) -> tuple[ServiceTypeSettings | None, list[FieldIssue]]:
    """Read settings from JSON-API or HTML-form input; refuse unknown fields and wrong types.

    Absent fields take the portal's defaults (unticked boxes, no URL, Hubject certificate), as an
    HTML form omits unticked checkboxes. ``ignore`` names extra form fields (a CSRF token, the
    submit button) that belong to the page rather than to the settings.
    """
    settings, issues = _read_settings(data, ignore)
    return (None, issues) if issues else (settings, [])


def _read_settings(
    data: Mapping[str, object], ignore: Collection[str]
) -> tuple[ServiceTypeSettings, list[FieldIssue]]:
    """The settings with each unreadable field at its default, and the issues of those."""
    issues = [_unknown_field(name, data[name]) for name in data if _is_unknown(name, ignore)]
    online, online_issue = _parse_bool(data, "online_request", "Online Request")
    broadcast, broadcast_issue = _parse_bool(data, "broadcast_request", "Broadcast Request")
    url, url_issue = _parse_url(data)
    certification, certification_issue = _parse_certification(data)
    found = (online_issue, broadcast_issue, url_issue, certification_issue)
    issues += [issue for issue in found if issue is not None]
    return ServiceTypeSettings(online, broadcast, url, certification), issues


def read_and_check_settings(
    service_type: ServiceType,
    data: Mapping[str, object],
    *,
    certificates: Sequence[UploadedCertificate],
    now: datetime,
    ignore: Collection[str] = (),
) -> tuple[ServiceTypeSettings | None, SettingsCheck]:
    """:func:`parse_settings` and :func:`check_settings` in one, every problem at once.

    The rules also judge the fields that could be read, so that a wrong type in one field
    does not hide a broken rule in another; a field that could not be read is reported
    once, for that. The settings are None unless they could all be read.
    """
    settings, read_issues = _read_settings(data, ignore)
    verdict = check_settings(service_type, settings, certificates=certificates, now=now)
    if not read_issues:
        return settings, verdict
    # A misspelt field ("onlin_request") stands for the one it resembles, which is then read
    # as absent: judging that absence would only repeat the typo in other words.
    unreadable = {issue.field for issue in read_issues} | _meant(data, ignore)
    # A rule broken only because an unreadable box stands at its default (a URL "set while
    # Online Request is off" when online_request was "yes") is a consequence, not a problem.
    for variant in _box_variants(settings, unreadable):
        other = check_settings(service_type, variant, certificates=certificates, now=now)
        verdict = SettingsCheck(
            tuple(e for e in verdict.errors if e in other.errors),
            tuple(w for w in verdict.warnings if w in other.warnings),
        )
    errors = (*read_issues, *(e for e in verdict.errors if e.field not in unreadable))
    warnings = tuple(w for w in verdict.warnings if w.field not in unreadable)
    return None, SettingsCheck(errors, warnings)


def _meant(data: Mapping[str, object], ignore: Collection[str]) -> set[str]:
    """The known fields that the unknown ones of ``data`` resemble."""
    meant = set()
    for name in data:
        if _is_unknown(name, ignore):
            near = closest(name, KNOWN_FIELDS)
            meant.update([near] if near else [])
    return meant


def _box_variants(
    settings: ServiceTypeSettings, unreadable: Collection[str]
) -> list[ServiceTypeSettings]:
    """``settings`` with each unreadable checkbox ticked the other way, alone and together."""
    online = [not settings.online_request] if "online_request" in unreadable else []
    broadcast = [not settings.broadcast_request] if "broadcast_request" in unreadable else []
    variants = [replace(settings, online_request=value) for value in online]
    variants += [replace(settings, broadcast_request=value) for value in broadcast]
    if online and broadcast:
        variants.append(replace(settings, online_request=online[0], broadcast_request=broadcast[0]))
    return variants


def _is_unknown(name: str, ignore: Collection[str]) -> bool:
    return name not in KNOWN_FIELDS and name not in ignore


def _unknown_field(name: str, value: object) -> FieldIssue:
    return FieldIssue(name, value, unknown_name("field", name, KNOWN_FIELDS, "the known fields"))


CHECKBOX_ADVICE = (
    "send true/false in JSON, or a ticked/unticked checkbox (on, or absent) from a form"
)
"""How to give a checkbox through the API and the portal (a config file says it its own way)."""


def _parse_bool(
    data: Mapping[str, object], field: str, label: str
) -> tuple[bool, FieldIssue | None]:
    if field not in data:
        return False, None  # an unticked checkbox: a form leaves it out
    value = data[field]
    if isinstance(value, bool):
        return value, None
    if isinstance(value, str) and value.strip().lower() in _TRUE_TEXTS | _FALSE_TEXTS:
        return value.strip().lower() in _TRUE_TEXTS, None
    # null is refused too: it reads as neither box, and off would be a guess.
    shown = "null" if value is None else repr(value)
    return False, FieldIssue(
        field, value, f"{label} ({field}) must be true or false, not {shown}: {CHECKBOX_ADVICE}"
    )


def _parse_url(data: Mapping[str, object]) -> tuple[str | None, FieldIssue | None]:
    value = data.get("service_url")
    if value is None or value == "":
        return None, None
    if isinstance(value, str):
        return value, None  # blanks and shape are checked by check_settings, with positions
    return None, FieldIssue(
        "service_url",
        value,
        f"Service URL (service_url) must be text such as 'https://cpo.example.com/oicp', "
        f"not {value!r}; send null or an empty string for no URL",
    )


def _parse_certification(
    data: Mapping[str, object],
) -> tuple[ServerCertification, FieldIssue | None]:
    value = data.get("server_certification")
    if value is None or value == "":
        return ServerCertification.HUBJECT, None
    if isinstance(value, str):
        for member in ServerCertification:
            if value.strip().lower() in (member.value.lower(), member.slug):
                return member, None
    return ServerCertification.HUBJECT, FieldIssue(
        "server_certification",
        value,
        f"Server certification (server_certification) {value!r} is not known: use 'hubject' "
        "(Hubject certificate) or 'user' (User certificate)",
    )


# --- checking -----------------------------------------------------------------------------------


def check_settings(
    service_type: ServiceType,
    settings: ServiceTypeSettings,
    *,
    certificates: Sequence[UploadedCertificate],
    now: datetime,
) -> SettingsCheck:
    """Apply every portal rule to one service type's settings and report all findings at once.

    ``certificates`` are the operator's uploads in Certificate Management; ``now`` decides which
    of them are Active.
    """
    errors = [
        *_broadcast_errors(service_type, settings),
        *_url_presence_errors(service_type, settings),
        *_url_shape_errors(settings),
    ]
    warnings = [
        *_broadcast_warnings(service_type, settings),
        *_url_warnings(service_type, settings),
        *_certificate_warnings(service_type, settings, certificates, now),
    ]
    return SettingsCheck(tuple(errors), tuple(warnings))


def _broadcast_errors(service_type: ServiceType, settings: ServiceTypeSettings) -> list[FieldIssue]:
    if not settings.broadcast_request:
        return []
    if service_type is ServiceType.RESERVATION:
        # Hubject: "For the service type 'Reservation', you can only enable the 'Online Request'".
        return [_issue("broadcast_request", True, _RESERVATION_BROADCAST)]
    if not settings.online_request:
        return [_issue("broadcast_request", True, _BROADCAST_NEEDS_ONLINE)]
    return []


_RESERVATION_BROADCAST = (
    "Broadcast Request is on for Reservation, but Reservation never has Broadcast Request "
    "(the portal lets it enable only Online Request): turn Broadcast Request off"
)
_BROADCAST_NEEDS_ONLINE = (
    "Broadcast Request is on while Online Request is off: Broadcast Request can be set only "
    "when Online Request is on; turn Online Request on, or turn Broadcast Request off"
)


def _url_presence_errors(
    service_type: ServiceType, settings: ServiceTypeSettings
) -> list[FieldIssue]:
    url = settings.service_url
    if url and not settings.online_request:
        return [
            _issue(
                "service_url",
                url,
                f"Service URL {url!r} is set while Online Request is off: a Service URL can be "
                "set only when Online Request is on; turn Online Request on, or clear the URL",
            )
        ]
    if not url and settings.online_request and _hub_calls(service_type):
        return [_issue("service_url", url, _missing_url_message(service_type))]
    return []


def _hub_calls(service_type: ServiceType) -> bool:
    # PullAuthenticationData is a CPO -> hub operation: the hub never calls the CPO for it
    # (certificates.md §5), so its Service URL is stored but never used.
    return service_type is not ServiceType.PULL_AUTHENTICATION_DATA


def _missing_url_message(service_type: ServiceType) -> str:
    what = {
        ServiceType.AUTHORIZATION: "remote start/stop requests",
        ServiceType.RESERVATION: "reservation requests",
    }.get(service_type, "requests")
    return (
        f"Online Request is on for {service_type.value} but the Service URL is empty, so the hub "
        f"would have nowhere to send {what}: enter the https base URL of your endpoint "
        "(e.g. 'https://cpo.example.com/oicp'), or turn Online Request off"
    )


def _url_shape_errors(settings: ServiceTypeSettings) -> list[FieldIssue]:
    url = settings.service_url
    if not url:
        return []
    return [_issue("service_url", url, message) for message in check_service_url(url)]


def _broadcast_warnings(
    service_type: ServiceType, settings: ServiceTypeSettings
) -> list[FieldIssue]:
    if not (settings.broadcast_request and settings.online_request):
        return []
    if service_type is ServiceType.AUTHORIZATION:
        return [_issue("broadcast_request", True, _CPO_BROADCAST)]
    if service_type is ServiceType.PULL_AUTHENTICATION_DATA:
        return [_issue("broadcast_request", True, _PULL_BROADCAST)]
    return []


_CPO_BROADCAST = (
    "Broadcast Request is on for Authorization: accepted, but Hubject tells CPOs to leave it off, "
    "since it matters only to partners that receive AuthorizeStart (EMPs); turn it off unless "
    "you also act as an EMP"
)
_PULL_BROADCAST = (
    "Broadcast Request is on for PullAuthenticationData: accepted, but it has no effect there, "
    "because the hub never calls the CPO for this service type; turn it off"
)


def _url_warnings(service_type: ServiceType, settings: ServiceTypeSettings) -> list[FieldIssue]:
    url = settings.service_url
    if not url or not settings.online_request:
        return []
    warnings = []
    if not _hub_calls(service_type):
        warnings.append(_issue("service_url", url, _pull_url_message(url)))
    held = _held_oicp_path(url)
    if held is not None:
        warnings.append(_issue("service_url", url, _doubled_path_message(url, *held)))
    return warnings


def _pull_url_message(url: str) -> str:
    return (
        f"Service URL {url!r} is stored for PullAuthenticationData, but the hub never calls it: "
        "the CPO pulls the data from the hub; you may leave the URL empty"
    )


def _held_oicp_path(url: str) -> tuple[str, str] | None:
    """(the URL before its '/api/oicp' segment, the path from there on), or None."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    lowered = path.lower()
    start = 0
    while (index := lowered.find("/api/oicp", start)) >= 0:
        end = index + len("/api/oicp")
        if end == len(lowered) or lowered[end] == "/":
            return f"{parts.scheme}://{parts.netloc}{path[:index]}", path[index:]
        start = end
    return None


def _doubled_path_message(url: str, base: str, held: str) -> str:
    # OICP 2.3 §eRoamingAuthorizeRemoteStart: "this part of the URL '/api/oicp/charging/v21/…'
    # will be added to your URL endpoint". Pasting the spec's base, or a whole operation URL,
    # is the usual slip.
    return (
        f"Service URL {url!r} already holds the OICP path {held!r}, but the hub appends "
        f"'/api/oicp/…' itself, so requests would go to …{held}/api/oicp/…; use {base!r} "
        "unless your endpoint really expects the path twice"
    )


def _certificate_warnings(
    service_type: ServiceType,
    settings: ServiceTypeSettings,
    certificates: Sequence[UploadedCertificate],
    now: datetime,
) -> list[FieldIssue]:
    if not (settings.online_request and _hub_calls(service_type)):
        return []
    problem = user_certificate_problem(settings, certificates, now)
    if problem is None:
        return []
    message = f"{problem}; the settings can be saved, but sends are refused until then"
    return [_issue("server_certification", ServerCertification.USER.value, message)]


def _issue(field: str, value: object, message: str) -> FieldIssue:
    return FieldIssue(field=field, value=value, message=message)


# --- User certificate at send time --------------------------------------------------------------


def user_certificate_problem(
    settings: ServiceTypeSettings,
    certificates: Sequence[UploadedCertificate],
    now: datetime,
    *,
    one_shot: bool = False,
) -> str | None:
    """Why a send in "User certificate" mode cannot verify the endpoint, or None if it can.

    The hub has no list of trusted CAs in this mode (certificates.md §3.2): it trusts only the
    Active uploads. None is also returned outside User certificate mode, and when the Service URL
    has no usable host (that is a settings error, reported by :func:`check_settings`).
    ``one_shot``: the certificates come from ``--server-cert user:FILE``, and the sentence
    names that option instead of the portal.
    """
    if settings.server_certification is not ServerCertification.USER:
        return None
    host = service_url_host(settings.service_url or "")
    if host is None or active_certificates_for_host(certificates, host, now):
        return None
    if one_shot:
        return (
            f"the certificate given with --server-cert user:FILE cannot verify {host} "
            f"({_reason(certificates, host, now)}): give the certificate the endpoint at {host} "
            "presents (valid today), or the CA that issued it, or --server-cert hubject"
        )
    return (
        "Server certification is 'User certificate', but no Active certificate in Certificate "
        f"Management covers {host} ({_reason(certificates, host, now)}): upload a .pem or .crt "
        f"of the certificate the endpoint at {host} presents, or of the CA that issued it, in "
        "Certificate Management, or switch Server certification to 'Hubject certificate'"
    )


def _reason(certificates: Sequence[UploadedCertificate], host: str, now: datetime) -> str:
    if not certificates:
        return "none has been uploaded"
    relevant = [c for c in certificates if certificate_covers_host(c, host) or certificate_is_ca(c)]
    if not relevant:
        names = ", ".join(sorted({san for c in certificates for san in c.sans})) or "no host name"
        if len(certificates) == 1:
            return f"the only uploaded certificate ({certificates[0].subject}) covers {names}"
        return f"the {len(certificates)} uploaded certificates cover only {names}"
    if len(relevant) == 1:
        return f"the only certificate for {host} ({relevant[0].subject}) {_why(relevant[0], now)}"
    whys = "; ".join(f"{c.subject} {_why(c, now)}" for c in relevant)
    return f"every certificate for {host} is unusable: {whys}"


def _why(cert: UploadedCertificate, now: datetime) -> str:
    if cert.status(now) is CertificateStatus.NOT_YET_VALID:
        return f"is not valid before {_when(cert.not_before)}"
    return f"expired on {_when(cert.not_after)}"


def _when(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")
