"""The values a scenario file is loaded into (see ``docs/scenarios.md`` for the file format).

Everything here is a frozen value: the loader builds them once the file has passed the
JSON Schema and the checks that need the whole file (step ids, SessionID references).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cpo_stub.behaviour import Behaviour
from oicp import Operation
from simulator.model import ReservationPathStyle, ServerCertification, ServiceType, WireProfile

DEFAULT_OPERATOR_ID = "DE*ABC"
DEFAULT_PROVIDER_ID = "DE*ICE"


@dataclass(frozen=True)
class ServiceSpec:
    """One service type's settings; the Service URL is the endpoint's."""

    service_type: ServiceType
    online_request: bool = True
    broadcast_request: bool = False


@dataclass(frozen=True)
class OperatorSpec:
    """The CPO as the HBS portal knows it."""

    operator_id: str = DEFAULT_OPERATOR_ID
    certification: ServerCertification = ServerCertification.HUBJECT
    certification_given: bool = False  # the file names its mode: the scenario is about it
    timeout_s: float = 10.0
    reservation_path_style: ReservationPathStyle = ReservationPathStyle.HUBJECT
    wire_profile: WireProfile = WireProfile.HBS
    services: tuple[ServiceSpec, ...] = (
        ServiceSpec(ServiceType.AUTHORIZATION),
        ServiceSpec(ServiceType.RESERVATION),
    )


@dataclass(frozen=True)
class BehaviourRule:
    """How the bundled stub answers one EVSE (``evse_id`` None: every EVSE)."""

    behaviour: Behaviour
    evse_id: str | None = None


@dataclass(frozen=True)
class StubSpec:
    """The bundled CPO stub and its arrangements for the whole scenario."""

    server_certificate: ServerCertification | None = None  # None: the operator's mode
    path: str = ""
    known_evses: tuple[str, ...] | None = None
    unknown_evses: tuple[str, ...] = ()
    behaviours: tuple[BehaviourRule, ...] = ()


@dataclass(frozen=True)
class EndpointSpec:
    """The bundled stub (``url`` None) or an external Service URL."""

    stub: StubSpec = field(default_factory=StubSpec)
    url: str | None = None

    @property
    def is_stub(self) -> bool:
        return self.url is None


@dataclass(frozen=True)
class Expectation:
    """What one step must get back; a field left None is not checked."""

    outcome: str | None = "accepted"
    result: bool | None = None
    status_code: str | None = None
    max_latency_ms: float | None = None


@dataclass(frozen=True)
class Step:
    """One request the hub sends, and what it must get back."""

    id: str
    operation: Operation
    evse_id: str
    provider_id: str
    line: int  # where the step starts in its file, for reports
    name: str | None = None
    evco_id: str | None = None
    duration: int | None = None
    partner_product_id: str | None = None
    session_id: str | None = None
    session_from: str | None = None
    client_certificate: str | None = None
    wire: WireProfile | None = None  # None: the operator's wire profile
    variant: str | None = None  # a tolerance variant's key (docs/tolerance.md)
    echo_cpo_partner_session_id: bool = False  # the session_from step's CPOPartnerSessionID
    stub_answer: Behaviour | None = None
    expect: Expectation = field(default_factory=Expectation)

    @property
    def title(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Scenario:
    """One scenario file, loaded and checked."""

    path: Path
    name: str
    steps: tuple[Step, ...]
    spec: str | None = None
    description: str | None = None
    operator: OperatorSpec = field(default_factory=OperatorSpec)
    endpoint: EndpointSpec = field(default_factory=EndpointSpec)
    strict: bool = False  # a bad client certificate the endpoint accepts fails the step

    @property
    def suite_name(self) -> str:
        """``folder.file`` without the extension: the JUnit classname of its steps."""
        folder = self.path.parent.name
        return f"{folder}.{self.path.stem}" if folder else self.path.stem
