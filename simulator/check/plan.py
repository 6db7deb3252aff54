"""What a check runs against: the settings as the hub sees them, the trust, the identity.

A plan is built either from an operator's saved settings inside the hub
(:func:`simulator.check.sources.operator_plan`) or from command-line values with no hub
(:func:`simulator.check.sources.one_shot_plan`); the engine does not know which.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from oicp import Operation
from oicp.paths import hub_to_cpo_path, join_service_url
from simulator.hub import HubIdentity
from simulator.model import FieldIssue, ServiceType, ServiceTypeSettings, WireProfile
from simulator.settings_rules import SettingsCheck
from simulator.tls import ServerTrust

DEFAULT_PROVIDER_ID = "DE*ICE"
RESERVATION_MINUTES = 5
"""The Duration the round trip's reservation start asks for (OICP allows 1-99 minutes)."""


@dataclass(frozen=True)
class ServiceTarget:
    """One service type's endpoint as the hub would call it."""

    service_type: ServiceType
    service_url: str | None
    trust: ServerTrust
    expected: str  # what the trust means, in words, for the diagnosis sentences
    reservation_style: str = "hubject"

    def url_for(self, operation: Operation, provider_id: str) -> str:
        """The full URL the hub posts ``operation`` to."""
        if not self.service_url:
            raise ValueError(f"the {self.service_type.value} service type has no Service URL")
        path = hub_to_cpo_path(operation, provider_id, self.reservation_style)
        return join_service_url(self.service_url.strip(), path)


@dataclass(frozen=True)
class CheckPlan:
    """Everything one check needs; built once, read by every layer."""

    mode: str  # "operator" or "one-shot"
    operator_id: str | None
    settings: ServiceTypeSettings | None  # None: nothing saved for this service type
    settings_check: SettingsCheck  # the portal's rules applied to ``settings``
    refusal: FieldIssue | None  # why the hub would refuse to send with these settings
    target: ServiceTarget
    reservation: ServiceTarget | None  # the round trip's reservation endpoint, if online
    reservation_note: str  # how the reservation round trip was decided, in words
    identity: HubIdentity
    pki_dir: Path | None  # holds the CA keys for the bad-certificate pack
    provider_id: str
    evse_id: str
    timeout_s: float
    profile: WireProfile = WireProfile.HBS  # the wire profile of every request the check sends
    tolerance: bool = False  # also run the tolerance pack (layer 13)
    spare_evse_ids: tuple[str, ...] = ()  # for the pack's variants without a SessionID
    strict: bool = False  # reverse mutual TLS as a requirement (see layer 7)

    @property
    def service_type(self) -> ServiceType:
        return self.target.service_type

    @property
    def first_operation(self) -> Operation:
        """Remote start for Authorization, reservation start for Reservation."""
        if self.service_type is ServiceType.RESERVATION:
            return Operation.AUTHORIZE_REMOTE_RESERVATION_START
        return Operation.AUTHORIZE_REMOTE_START

    @property
    def stop_operation(self) -> Operation:
        """The stop that ends what :attr:`first_operation` began."""
        if self.service_type is ServiceType.RESERVATION:
            return Operation.AUTHORIZE_REMOTE_RESERVATION_STOP
        return Operation.AUTHORIZE_REMOTE_STOP

    def first_url(self) -> str | None:
        """The URL of the first request, or None when there is no usable Service URL."""
        if any(issue.field == "service_url" for issue in self.settings_check.errors):
            return None  # a query or a blank: appending the OICP path makes no URL of it
        try:
            return self.target.url_for(self.first_operation, self.provider_id)
        except ValueError:
            return None


def host_and_port(url: str) -> tuple[str, int]:
    """The host and port a URL connects to (443 when none is written)."""
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or 443
