"""What the pages show, computed from the hub's values: form contents, differences, rows.

The pages never decide a rule themselves: errors and warnings come from
:mod:`simulator.settings_rules`, host coverage from :mod:`simulator.certificates`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from oicp.identifiers import is_evse_id
from simulator.certificates import urls_covered
from simulator.expiry import Expiry, ExpiryAlarm, expiry_of
from simulator.model import (
    CertificateStatus,
    FieldIssue,
    ServiceType,
    ServiceTypeSettings,
    SettingsRevision,
    UploadedCertificate,
)

# The settings fields in the order the form shows them, with their portal labels.
FIELD_LABELS = {
    "online_request": "Online Request",
    "broadcast_request": "Broadcast Request",
    "service_url": "Service URL",
    "server_certification": "Server certification",
}

DEFAULT_PROVIDER_ID = "DE*ICE"
DEFAULT_DURATION_MIN = 15
_TRUE_TEXTS = frozenset({"on", "true", "1"})


def offers_broadcast(service_type: ServiceType) -> bool:
    """Hubject: "For the service type 'Reservation', you can only enable the Online Request"."""
    return service_type is not ServiceType.RESERVATION


def can_test(service_type: ServiceType) -> bool:
    """The hub calls the CPO for Authorization and Reservation; PullAuthenticationData is
    a CPO -> hub operation (certificates.md §5), so there is nothing to test from here."""
    return service_type is not ServiceType.PULL_AUTHENTICATION_DATA


@dataclass(frozen=True)
class FormValues:
    """One service type's settings as the form shows them (also values the rules refuse)."""

    online_request: bool = False
    broadcast_request: bool = False
    service_url: str = ""
    server_certification: str = "hubject"

    @classmethod
    def of(cls, settings: ServiceTypeSettings) -> FormValues:
        return cls(
            online_request=settings.online_request,
            broadcast_request=settings.broadcast_request,
            service_url=settings.service_url or "",
            server_certification=settings.server_certification.slug,
        )

    @classmethod
    def from_form(cls, form: Mapping[str, object]) -> FormValues:
        """What the user submitted, exactly (blanks included), to show it back."""
        return cls(
            online_request=_ticked(form.get("online_request")),
            broadcast_request=_ticked(form.get("broadcast_request")),
            service_url=_text(form.get("service_url")),
            server_certification=_text(form.get("server_certification")) or "hubject",
        )

    def differences(self, other: FormValues) -> frozenset[str]:
        """The fields whose values differ from ``other``."""
        return frozenset(
            name for name in FIELD_LABELS if getattr(self, name) != getattr(other, name)
        )


def _ticked(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() in _TRUE_TEXTS


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Pane:
    """The right-hand pane: the settings as they were before the edit on the left."""

    heading: str
    values: FormValues
    revision: SettingsRevision | None


@dataclass(frozen=True)
class HistoryRow:
    """One saved revision, and which fields it changed compared with the one before."""

    revision: SettingsRevision
    values: FormValues
    changed: frozenset[str]


def history_rows(history: Sequence[SettingsRevision]) -> list[HistoryRow]:
    """Rows for the revision table, newest first; the first revision is compared with the
    portal's defaults."""
    rows = []
    for index, revision in enumerate(history):
        older = history[index + 1].settings if index + 1 < len(history) else ServiceTypeSettings()
        values = FormValues.of(revision.settings)
        rows.append(HistoryRow(revision, values, values.differences(FormValues.of(older))))
    return rows


@dataclass(frozen=True)
class Issues:
    """Errors and warnings sorted by the field they belong to, for showing them next to it."""

    errors: Mapping[str, tuple[str, ...]]
    warnings: Mapping[str, tuple[str, ...]]
    unplaced: tuple[FieldIssue, ...]  # about fields the form does not show

    @classmethod
    def of(
        cls,
        errors: Sequence[FieldIssue],
        warnings: Sequence[FieldIssue],
        shown: Sequence[str],
    ) -> Issues:
        return cls(
            errors=_by_field(errors),
            warnings=_by_field(warnings),
            unplaced=tuple(i for i in [*errors, *warnings] if i.field not in shown),
        )

    @property
    def error_count(self) -> int:
        return sum(len(messages) for messages in self.errors.values())


def _by_field(issues: Sequence[FieldIssue]) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, tuple[str, ...]] = {}
    for issue in issues:
        grouped[issue.field] = (*grouped.get(issue.field, ()), issue.message)
    return grouped


@dataclass(frozen=True)
class ConfigurationTestForm:
    """The values of "Test this configuration": which EVSE, which provider, how long."""

    evse_id: str
    provider_id: str
    duration: str

    @classmethod
    def defaults(cls, operator_id: str) -> ConfigurationTestForm:
        return cls(default_evse_id(operator_id), DEFAULT_PROVIDER_ID, str(DEFAULT_DURATION_MIN))

    @classmethod
    def from_form(cls, form: Mapping[str, object]) -> ConfigurationTestForm:
        return cls(
            evse_id=_text(form.get("evse_id")).strip(),
            provider_id=_text(form.get("provider_id")).strip(),
            duration=_text(form.get("duration")).strip(),
        )


def default_evse_id(operator_id: str) -> str:
    """An EVSE of the operator (``DE*ABC*E0001``), or nothing when none can be derived."""
    for candidate in (f"{operator_id.upper()}*E0001", f"{operator_id}*000*001"):
        if is_evse_id(candidate):
            return candidate
    return ""


@dataclass(frozen=True)
class ExpiryView:
    """Days to expiry as a page shows them: the number, the alarm class, the sentence."""

    expiry: Expiry
    what: str  # how the sentence names the certificate

    @property
    def days_text(self) -> str:
        days = self.expiry.days_left
        if self.expiry.alarm is ExpiryAlarm.EXPIRED:
            return "expired"
        return "less than a day" if days == 0 else f"{days} day{'s' if days != 1 else ''}"

    @property
    def alarm(self) -> str:
        return self.expiry.alarm.value

    @property
    def message(self) -> str:
        return self.expiry.sentence(self.what)


@dataclass(frozen=True)
class CertificateRow:
    """A line of Certificate Management."""

    certificate: UploadedCertificate
    status: CertificateStatus
    covered_urls: tuple[str, ...]
    expiry: ExpiryView

    @property
    def status_class(self) -> str:
        return self.status.name.lower().replace("_", "-")


@dataclass(frozen=True)
class PresentedCertificate:
    """A certificate seen on the wire: the hub's own, or what a CPO endpoint presented."""

    label: str
    subject: str
    sha256: str | None
    not_after: datetime
    expiry: ExpiryView
    serial_number: str | None = None


def certificate_rows(
    certificates: Sequence[UploadedCertificate], service_urls: Sequence[str], now: datetime
) -> list[CertificateRow]:
    return [
        CertificateRow(
            cert,
            cert.status(now),
            tuple(urls_covered(cert, service_urls)),
            ExpiryView(expiry_of(cert.not_after, now), "This upload"),
        )
        for cert in certificates
    ]
