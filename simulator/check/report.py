"""The check report: one verdict per layer, in a fixed order, with stable JSON field names.

The JSON form (``CheckReport.to_json``) is what ``hubsim check --json`` prints and what the
admin API's ``POST /api/operators/{operator_id}/check/{service_type}`` returns; its field
names are documented in docs/check.md and must not change.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class LayerStatus(enum.Enum):
    """The verdict on one layer."""

    PASS = "PASS"
    WARN = "WARN"  # works, but something should be changed before going live
    FAIL = "FAIL"  # the hub cannot use the endpoint (or it is insecure)
    SKIP = "SKIP"  # not judged: what it would judge does not exist, because of a FAIL


@dataclass(frozen=True)
class LayerInfo:
    """A layer's place in the report: number, stable key and title."""

    number: int
    key: str
    name: str


# The issue lists "DNS, then TCP connect" as its layer 3; here they are two layers (3 and 4),
# so that a refused port and an unknown host name are told apart at a glance.
LAYERS: tuple[LayerInfo, ...] = (
    LayerInfo(1, "settings", "Settings"),
    LayerInfo(2, "url", "URL"),
    LayerInfo(3, "dns", "DNS"),
    LayerInfo(4, "tcp", "TCP connect"),
    LayerInfo(5, "tls", "TLS handshake"),
    LayerInfo(6, "server_certificate", "Server certificate"),
    LayerInfo(7, "client_certificate", "Client certificate"),
    LayerInfo(8, "http", "HTTP"),
    LayerInfo(9, "body", "Body"),
    LayerInfo(10, "semantics", "Semantics"),
    LayerInfo(11, "latency", "Latency"),
    LayerInfo(12, "round_trip", "Round trip"),
)
"""The layers every check runs."""

TOLERANCE = LayerInfo(13, "tolerance", "Tolerance")
"""The tolerance pack: in the report only when asked for (``hubsim check --tolerance``)."""

ALL_LAYERS: tuple[LayerInfo, ...] = (*LAYERS, TOLERANCE)
_BY_KEY = {info.key: info for info in ALL_LAYERS}


def layer_info(key: str) -> LayerInfo:
    """The number and title of the layer ``key``; raises KeyError for an unknown key."""
    return _BY_KEY[key]


@dataclass(frozen=True)
class LayerResult:
    """The verdict on one layer: a status, one sentence why, and what to do about it."""

    key: str
    status: LayerStatus
    reason: str
    fix: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def number(self) -> int:
        return layer_info(self.key).number

    @property
    def name(self) -> str:
        return layer_info(self.key).name

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "key": self.key,
            "name": self.name,
            "status": self.status.value,
            "reason": self.reason,
            "fix": self.fix,
            "details": dict(self.details),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LayerResult:
        return cls(
            key=str(data["key"]),
            status=LayerStatus(data["status"]),
            reason=str(data["reason"]),
            fix=data.get("fix"),
            details=dict(data.get("details") or {}),
        )


def passed(key: str, reason: str, **details: Any) -> LayerResult:
    return LayerResult(key, LayerStatus.PASS, reason, None, details)


def warned(key: str, reason: str, fix: str, **details: Any) -> LayerResult:
    return LayerResult(key, LayerStatus.WARN, reason, fix, details)


def failed(key: str, reason: str, fix: str, **details: Any) -> LayerResult:
    return LayerResult(key, LayerStatus.FAIL, reason, fix, details)


def skipped(key: str, reason: str, fix: str | None = None, **details: Any) -> LayerResult:
    return LayerResult(key, LayerStatus.SKIP, reason, fix, details)


@dataclass(frozen=True)
class CheckTarget:
    """What was checked: the service type, the endpoint and the first request's parameters."""

    service_type: str  # ServiceType.value: "Authorization" / "Reservation"
    operator_id: str | None
    service_url: str | None
    url: str | None  # the full URL of the first request (Service URL + OICP path)
    server_certification: str | None  # "hubject" / "user"
    operation: str  # OICP wire name of the first request
    provider_id: str
    evse_id: str
    timeout_s: float

    def to_json(self) -> dict[str, Any]:
        return {
            "service_type": self.service_type,
            "operator_id": self.operator_id,
            "service_url": self.service_url,
            "url": self.url,
            "server_certification": self.server_certification,
            "operation": self.operation,
            "provider_id": self.provider_id,
            "evse_id": self.evse_id,
            "timeout_s": self.timeout_s,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckTarget:
        return cls(
            service_type=str(data["service_type"]),
            operator_id=data.get("operator_id"),
            service_url=data.get("service_url"),
            url=data.get("url"),
            server_certification=data.get("server_certification"),
            operation=str(data["operation"]),
            provider_id=str(data["provider_id"]),
            evse_id=str(data["evse_id"]),
            timeout_s=float(data["timeout_s"]),
        )


@dataclass(frozen=True)
class CheckReport:
    """Every layer's verdict for one endpoint; ``ok`` when no layer failed."""

    mode: str  # "operator" (saved settings, through the hub) or "one-shot"
    target: CheckTarget
    layers: tuple[LayerResult, ...]
    started_at: datetime
    elapsed_ms: float

    @property
    def ok(self) -> bool:
        return not any(layer.status is LayerStatus.FAIL for layer in self.layers)

    def counts(self) -> dict[str, int]:
        """How many layers got each status, keyed by the lower-case status."""
        return {s.value.lower(): sum(1 for x in self.layers if x.status is s) for s in LayerStatus}

    def layer(self, key: str) -> LayerResult:
        """The verdict on the layer ``key`` (e.g. ``"tls"``)."""
        return next(layer for layer in self.layers if layer.key == key)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "mode": self.mode,
            "target": self.target.to_json(),
            "started_at": self.started_at.isoformat(),
            "elapsed_ms": round(self.elapsed_ms, 3),
            "summary": self.counts(),
            "layers": [layer.to_json() for layer in self.layers],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckReport:
        return cls(
            mode=str(data["mode"]),
            target=CheckTarget.from_json(data["target"]),
            layers=tuple(LayerResult.from_json(layer) for layer in data["layers"]),
            started_at=datetime.fromisoformat(data["started_at"]),
            elapsed_ms=float(data["elapsed_ms"]),
        )
