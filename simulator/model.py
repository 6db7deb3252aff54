"""Value types of the hub's configuration, shared by its rules, storage, sender and pages.

These mirror Hubject's HBS portal: per operator and service type the CPO sets
*Online Request*, *Broadcast Request*, the *Service URL* and *Server certification*
("Hubject certificate" or "User certificate"). The names of the enum values are the
labels the portal shows, so that messages can quote them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class ServiceType(enum.Enum):
    """The CPO service types of the HBS portal's Service Type Settings."""

    AUTHORIZATION = "Authorization"
    RESERVATION = "Reservation"
    PULL_AUTHENTICATION_DATA = "PullAuthenticationData"

    @property
    def slug(self) -> str:
        """The lower-case name used on the command line and in URLs."""
        return _SERVICE_SLUGS[self]

    @classmethod
    def from_text(cls, text: str) -> ServiceType:
        """Accept the portal label (``Authorization``) or the slug (``authorization``)."""
        for member in cls:
            if text in (member.value, member.slug):
                return member
        names = ", ".join(m.slug for m in cls)
        raise ValueError(f"unknown service type {text!r}: use one of {names}")


_SERVICE_SLUGS = {
    ServiceType.AUTHORIZATION: "authorization",
    ServiceType.RESERVATION: "reservation",
    ServiceType.PULL_AUTHENTICATION_DATA: "pull-authentication-data",
}


class ServerCertification(enum.Enum):
    """How the hub verifies the CPO's server certificate."""

    HUBJECT = "Hubject certificate"
    USER = "User certificate"

    @property
    def slug(self) -> str:
        return "hubject" if self is ServerCertification.HUBJECT else "user"

    @classmethod
    def from_text(cls, text: str) -> ServerCertification:
        """Accept the portal label or the slug (``hubject`` / ``user``)."""
        for member in cls:
            if text in (member.value, member.slug):
                return member
        raise ValueError(
            f"unknown server certification {text!r}: use 'hubject' (Hubject certificate) "
            "or 'user' (User certificate)"
        )


class ReservationPathStyle(enum.Enum):
    """Which path the hub appends for reservations (implementations disagree)."""

    HUBJECT = "hubject"  # /api/oicp/reservation/v11/providers/{id}/reservation-start-request
    # /api/oicp/charging/v21/providers/{id}/authorize-remote-reservation/start
    CHARGING = "charging"


class WireProfile(enum.Enum):
    """How the hub writes its requests on the wire (docs/wire-profiles.md).

    What each profile sends (body shape, headers) is defined in one place, the request
    builder :mod:`simulator.requests`; this enum only names them.
    """

    HBS = "hbs"  # the real hub's observed shape: explicit nulls, Apache HttpAsyncClient headers
    STRICT = "strict"  # the official schema's shape: absent members omitted, application/json


@dataclass(frozen=True)
class ServiceTypeSettings:
    """One service type's settings as the portal's form holds them."""

    online_request: bool = False
    broadcast_request: bool = False
    service_url: str | None = None
    server_certification: ServerCertification = ServerCertification.HUBJECT

    def to_json(self) -> dict[str, object]:
        return {
            "online_request": self.online_request,
            "broadcast_request": self.broadcast_request,
            "service_url": self.service_url,
            "server_certification": self.server_certification.slug,
        }


@dataclass(frozen=True)
class SettingsRevision:
    """A saved revision of one service type's settings."""

    operator_id: str
    service_type: ServiceType
    revision: int
    settings: ServiceTypeSettings
    saved_at: datetime


@dataclass(frozen=True)
class Operator:
    """A CPO known to the hub."""

    operator_id: str
    name: str = ""
    reservation_path_style: ReservationPathStyle = ReservationPathStyle.HUBJECT
    timeout_s: float = 10.0
    wire_profile: WireProfile = WireProfile.HBS


class CertificateStatus(enum.Enum):
    """The status column of Certificate Management."""

    ACTIVE = "Active"
    EXPIRED = "Expired"
    NOT_YET_VALID = "Not yet valid"


@dataclass(frozen=True)
class UploadedCertificate:
    """A certificate uploaded in Certificate Management (never a private key)."""

    operator_id: str
    cert_id: int
    pem: str
    filename: str
    subject: str
    sans: tuple[str, ...]
    sha256: str
    not_before: datetime
    not_after: datetime
    uploaded_at: datetime

    def status(self, now: datetime) -> CertificateStatus:
        if now < self.not_before:
            return CertificateStatus.NOT_YET_VALID
        if now > self.not_after:
            return CertificateStatus.EXPIRED
        return CertificateStatus.ACTIVE


@dataclass(frozen=True)
class FieldIssue:
    """A refusal or warning about one field: which field, which value, and what to do."""

    field: str
    value: object
    message: str

    def to_json(self) -> dict[str, object]:
        return {"field": self.field, "value": self.value, "message": self.message}
