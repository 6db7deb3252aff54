"""The record of one exchange, as the Process Monitor shows it.

An exchange is one request and its answer, in one of four directions: the hub's calls to a
CPO (the sender produces these), a CPO's or an EMP's calls to the hub's OICP listener, and
the hub's forwarding to a simulated EMP (:mod:`simulator.inbound.monitor` records those).
Storage keeps them; the admin API, CLI and portal show them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from simulator.expiry import expiry_of


class Outcome(enum.Enum):
    """How an exchange ended. One value per diagnosis the hub can give."""

    ACCEPTED = "accepted"  # HTTP 200, valid acknowledgement, Result true
    REJECTED = "rejected"  # valid acknowledgement with Result false (carries its StatusCode)
    SETTINGS_INVALID = "settings_invalid"  # the saved settings cannot be used (e.g. offline)
    NO_USER_CERTIFICATE = "no_user_certificate"  # User certificate mode, nothing active to trust
    DNS_FAILURE = "dns_failure"
    CONNECTION_REFUSED = "connection_refused"
    TIMEOUT = "timeout"
    PLAIN_HTTP = "plain_http"  # https URL, but the port speaks plain HTTP
    SERVER_CERT_EXPIRED = "server_cert_expired"
    SERVER_CERT_NOT_YET_VALID = "server_cert_not_yet_valid"
    SERVER_CERT_UNTRUSTED = "server_cert_untrusted"
    HOSTNAME_MISMATCH = "hostname_mismatch"
    TLS_VERSION = "tls_version"  # the endpoint offers only TLS below 1.2
    # The receiver refused the sender's client certificate (the CPO the hub's, or the hub a
    # partner's, with NGINX's 400 page).
    CLIENT_CERT_REFUSED = "client_cert_refused"
    TLS_ERROR = "tls_error"  # any other TLS failure
    CONNECTION_CLOSED = "connection_closed"  # the CPO closed the connection without answering
    NOT_HTTP = "not_http"  # the CPO answered bytes that are not HTTP
    HEADER_TOO_LARGE = "header_too_large"  # an answer header beyond what the hub reads
    ANSWER_TOO_LARGE = "answer_too_large"  # an answer body beyond the hub's bound
    CONNECTION_LIMIT = "connection_limit"  # no free slot of the hub's own within the timeout
    HTTP_STATUS = "http_status"  # HTTP status other than 200
    NOT_JSON = "not_json"
    INVALID_ACKNOWLEDGEMENT = "invalid_acknowledgement"
    # A partner's request to the hub was not JSON or broke the OICP schema (HTTP 400 FaultBody).
    REQUEST_INVALID = "request_invalid"
    # A simulated EMP configured unreachable (reachable: false) never answers the hub.
    EMP_UNREACHABLE = "emp_unreachable"

    @property
    def possible_for_cpo_calls(self) -> bool:
        """Whether a call of the hub to a CPO can end so: the last two end inbound or EMP calls."""
        return self not in (Outcome.REQUEST_INVALID, Outcome.EMP_UNREACHABLE)

    @property
    def ok(self) -> bool:
        return self is Outcome.ACCEPTED

    @property
    def failure_class(self) -> str | None:
        """Hubject's Process Monitor name for this failure; None when the partner answered.

        Hubject's Process Monitor sorts failed exchanges into NotAvailable, Timeout,
        ValidationError, SSL-Error and Unknown (Hubject's support article on CDR forwarding
        errors); a Result false is an answer, not a failure.
        """
        return _FAILURE_CLASSES.get(self, UNKNOWN if not self.answered else None)

    @property
    def answered(self) -> bool:
        """True when the partner answered with a valid OICP answer (Result true or false)."""
        return self in (Outcome.ACCEPTED, Outcome.REJECTED)

    @property
    def of_the_answer(self) -> bool:
        """True for a failure of the answer rather than of the connection: a timeout, a
        close, an answer the hub could not read. When the request went out over a finished
        handshake, its exchange keeps that handshake's TLS facts."""
        return self in _OF_THE_ANSWER


_OF_THE_ANSWER = frozenset(
    {
        Outcome.TIMEOUT,
        Outcome.CONNECTION_CLOSED,
        Outcome.NOT_HTTP,
        Outcome.HEADER_TOO_LARGE,
        Outcome.ANSWER_TOO_LARGE,
    }
)

NOT_AVAILABLE = "NotAvailable"
TIMEOUT = "Timeout"
VALIDATION_ERROR = "ValidationError"
SSL_ERROR = "SSL-Error"
UNKNOWN = "Unknown"
FAILURE_CLASSES = (NOT_AVAILABLE, TIMEOUT, VALIDATION_ERROR, SSL_ERROR, UNKNOWN)
"""Hubject's Process Monitor failure names, in the order the portal lists them."""

_FAILURE_CLASSES = {
    Outcome.SETTINGS_INVALID: NOT_AVAILABLE,
    Outcome.DNS_FAILURE: NOT_AVAILABLE,
    Outcome.CONNECTION_REFUSED: NOT_AVAILABLE,
    Outcome.CONNECTION_CLOSED: NOT_AVAILABLE,
    Outcome.EMP_UNREACHABLE: NOT_AVAILABLE,
    Outcome.TIMEOUT: TIMEOUT,
    Outcome.CONNECTION_LIMIT: TIMEOUT,  # the timeout ran out before a connection was free
    Outcome.NOT_JSON: VALIDATION_ERROR,
    Outcome.INVALID_ACKNOWLEDGEMENT: VALIDATION_ERROR,
    # The answer could not be read as an acknowledgement at all.
    Outcome.NOT_HTTP: VALIDATION_ERROR,
    Outcome.HEADER_TOO_LARGE: VALIDATION_ERROR,
    Outcome.ANSWER_TOO_LARGE: VALIDATION_ERROR,
    Outcome.REQUEST_INVALID: VALIDATION_ERROR,
    Outcome.NO_USER_CERTIFICATE: SSL_ERROR,
    Outcome.PLAIN_HTTP: SSL_ERROR,
    Outcome.SERVER_CERT_EXPIRED: SSL_ERROR,
    Outcome.SERVER_CERT_NOT_YET_VALID: SSL_ERROR,
    Outcome.SERVER_CERT_UNTRUSTED: SSL_ERROR,
    Outcome.HOSTNAME_MISMATCH: SSL_ERROR,
    Outcome.TLS_VERSION: SSL_ERROR,
    Outcome.CLIENT_CERT_REFUSED: SSL_ERROR,
    Outcome.TLS_ERROR: SSL_ERROR,
}


def outcomes_of_class(name: str) -> tuple[Outcome, ...]:
    """The outcomes Hubject's Process Monitor shows under ``name`` (ValueError if unknown)."""
    if name not in FAILURE_CLASSES:
        raise ValueError(f"unknown failure class {name!r}: use one of {', '.join(FAILURE_CLASSES)}")
    return tuple(outcome for outcome in Outcome if outcome.failure_class == name)


class ExchangeDirection(enum.Enum):
    """Which way an exchange went, seen from the hub."""

    HUB_TO_CPO = "hub-to-cpo"
    CPO_TO_HUB = "cpo-to-hub"
    EMP_TO_HUB = "emp-to-hub"
    HUB_TO_EMP = "hub-to-emp"

    @property
    def label(self) -> str:
        return _DIRECTION_LABELS[self]


_HUB_TO_CPO = ExchangeDirection.HUB_TO_CPO.value

_DIRECTION_LABELS = {
    ExchangeDirection.HUB_TO_CPO: "hub → CPO",
    ExchangeDirection.CPO_TO_HUB: "CPO → hub",
    ExchangeDirection.EMP_TO_HUB: "EMP → hub",
    ExchangeDirection.HUB_TO_EMP: "hub → EMP",
}


UNKNOWN_PATH = "(no OICP operation at this path)"
"""The operation of an inbound exchange whose path is none of the OICP listener's."""


EXCHANGE_HEADER = "X-Hubsim-Exchange-ID"
"""A header the mock adds to an OICP answer (Hubject sends none) when the request made the
hub call a CPO: the ``exchange_id`` of that call, written to the log before the answer."""


@dataclass(frozen=True)
class TLSFacts:
    """What the TLS handshake showed about the CPO's endpoint."""

    protocol: str
    cipher: str | None
    server_subject: str | None
    server_sha256: str | None
    # When the certificate the CPO presented expires, ISO 8601 in UTC (text, like every
    # field of the stored record but its start time).
    server_not_after: str | None = None

    def to_json(self) -> dict[str, Any]:
        facts: dict[str, Any] = {
            "protocol": self.protocol,
            "cipher": self.cipher,
            "server_subject": self.server_subject,
            "server_sha256": self.server_sha256,
            "server_not_after": None,
        }
        if self.server_not_after is not None:
            # Days to expiry as of now, when the record is shown, not when it was made.
            not_after = datetime.fromisoformat(self.server_not_after)
            expiry = expiry_of(not_after, datetime.now(UTC))
            facts["server_not_after"] = self.server_not_after
            facts["server_days_left"] = expiry.days_left
            facts["server_expiry_alarm"] = expiry.alarm.value
        return facts

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TLSFacts:
        return cls(
            protocol=data["protocol"],
            cipher=data.get("cipher"),
            server_subject=data.get("server_subject"),
            server_sha256=data.get("server_sha256"),
            server_not_after=data.get("server_not_after"),
        )


# Not frozen, unlike the other records: a frozen dataclass sets each field through
# object.__setattr__, and with 22 fields that tripled the cost of building the one Exchange
# every request makes. Nothing changes an Exchange once built.
@dataclass
class Exchange:
    """One request (the hub's to a CPO by default), and everything that came back."""

    operation: str  # OICP wire name, e.g. "eRoamingAuthorizeRemoteStart"
    url: str
    request_body: dict[str, Any]
    outcome: Outcome
    detail: str  # one sentence: what happened and, for a failure, what to do
    started_at: datetime
    elapsed_ms: float
    operator_id: str | None = None
    service_type: str | None = None  # ServiceType.value, when sent for a configured operator
    server_certification: str | None = None  # ServerCertification.slug
    http_status: int | None = None
    response_body: str | None = None
    result: bool | None = None
    status_code: str | None = None
    status_description: str | None = None
    session_id: str | None = None
    cpo_partner_session_id: str | None = None
    tls: TLSFacts | None = None
    problems: tuple[dict[str, str], ...] = field(default=())  # JSON pointer problems of the ack
    exchange_id: int | None = None  # set by storage
    direction: ExchangeDirection = ExchangeDirection.HUB_TO_CPO
    partner_id: str | None = None  # the OperatorID or ProviderID of the other side
    evse_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome.ok

    def to_json(self) -> dict[str, Any]:
        return {
            "exchange_id": self.exchange_id,
            "operator_id": self.operator_id,
            "service_type": self.service_type,
            "server_certification": self.server_certification,
            "operation": self.operation,
            "url": self.url,
            "request_body": self.request_body,
            "ok": self.ok,
            "outcome": self.outcome.value,
            "detail": self.detail,
            "started_at": self.started_at.isoformat(),
            "elapsed_ms": round(self.elapsed_ms, 3),
            "http_status": self.http_status,
            "response_body": self.response_body,
            "result": self.result,
            "status_code": self.status_code,
            "status_description": self.status_description,
            "session_id": self.session_id,
            "cpo_partner_session_id": self.cpo_partner_session_id,
            "tls": self.tls.to_json() if self.tls else None,
            "problems": list(self.problems),
            "direction": self.direction.value,
            "partner_id": self.partner_id,
            "evse_id": self.evse_id,
            "failure_class": self.outcome.failure_class,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Exchange:
        tls = data.get("tls")
        return cls(
            exchange_id=data.get("exchange_id"),
            operator_id=data.get("operator_id"),
            service_type=data.get("service_type"),
            server_certification=data.get("server_certification"),
            operation=data["operation"],
            url=data["url"],
            request_body=data["request_body"],
            outcome=Outcome(data["outcome"]),
            detail=data["detail"],
            started_at=datetime.fromisoformat(data["started_at"]),
            elapsed_ms=float(data["elapsed_ms"]),
            http_status=data.get("http_status"),
            response_body=data.get("response_body"),
            result=data.get("result"),
            status_code=data.get("status_code"),
            status_description=data.get("status_description"),
            session_id=data.get("session_id"),
            cpo_partner_session_id=data.get("cpo_partner_session_id"),
            tls=TLSFacts.from_json(tls) if tls else None,
            problems=tuple(data.get("problems") or ()),
            # Records written before the log held every direction are the hub's calls to CPOs.
            direction=ExchangeDirection(data.get("direction") or _HUB_TO_CPO),
            partner_id=data.get("partner_id", data.get("operator_id")),
            evse_id=data.get("evse_id"),
        )

    @property
    def answered_at(self) -> datetime:
        """When the answer arrived (or the exchange failed)."""
        return self.started_at + timedelta(milliseconds=self.elapsed_ms)
