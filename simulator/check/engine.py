"""Run every layer of a check in order and assemble the report."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from simulator.check.calls import CheckClient
from simulator.check.layers_answer import layer_body, layer_http, layer_latency, layer_semantics
from simulator.check.layers_certs import layer_client_certificate, layer_server_certificate
from simulator.check.layers_network import layer_dns, layer_tcp, layer_tls
from simulator.check.layers_roundtrip import layer_round_trip
from simulator.check.layers_setup import layer_settings, layer_url
from simulator.check.layers_tolerance import layer_tolerance
from simulator.check.plan import CheckPlan
from simulator.check.report import (
    ALL_LAYERS,
    TOLERANCE,
    CheckReport,
    CheckTarget,
    LayerResult,
    failed,
)
from simulator.check.run import Run

Layer = Callable[[Run], Awaitable[LayerResult]]


async def _settings(run: Run) -> LayerResult:
    return layer_settings(run.plan)


async def _url(run: Run) -> LayerResult:
    return layer_url(run.plan, run.results["settings"])


def _sync(layer: Callable[[Run], LayerResult]) -> Layer:
    async def run_layer(run: Run) -> LayerResult:
        return layer(run)

    return run_layer


# In report order (simulator.check.report.LAYERS); each layer reads what earlier ones found.
_LAYERS: tuple[tuple[str, Layer], ...] = (
    ("settings", _settings),
    ("url", _url),
    ("dns", layer_dns),
    ("tcp", layer_tcp),
    ("tls", layer_tls),
    ("server_certificate", layer_server_certificate),
    ("client_certificate", layer_client_certificate),
    ("http", _sync(layer_http)),
    ("body", _sync(layer_body)),
    ("semantics", _sync(layer_semantics)),
    ("latency", _sync(layer_latency)),
    ("round_trip", layer_round_trip),
    ("tolerance", layer_tolerance),
)
assert tuple(key for key, _ in _LAYERS) == tuple(info.key for info in ALL_LAYERS)
_ASKED_FOR = frozenset({TOLERANCE.key})  # layers that run only when the plan asks for them


async def run_check(plan: CheckPlan) -> CheckReport:
    """Check ``plan``'s endpoint layer by layer; never raises for a failing endpoint."""
    started_at = datetime.now(UTC)
    t0 = time.perf_counter()
    async with CheckClient(plan.identity.client) as client:
        run = Run(plan, client)
        for key, layer in _LAYERS:
            if key in _ASKED_FOR and not plan.tolerance:
                continue
            run.results[key] = await _guarded(key, layer, run)
    return CheckReport(
        mode=plan.mode,
        target=_target(plan),
        layers=tuple(run.results[key] for key, _ in _LAYERS if key in run.results),
        started_at=started_at,
        elapsed_ms=(time.perf_counter() - t0) * 1000,
    )


async def _guarded(key: str, layer: Layer, run: Run) -> LayerResult:
    """Run one layer; whatever an endpoint makes go wrong becomes that layer's FAIL, so a
    check never ends with a traceback (exit 2, or an HTTP 500 from the admin API)."""
    try:
        return await layer(run)
    except Exception as exc:
        return failed(
            key,
            f"The check could not judge this layer: {type(exc).__name__}: {exc}.",
            "Report this as a hubsim bug, with the endpoint's set-up; the other layers stand.",
        )


def _target(plan: CheckPlan) -> CheckTarget:
    return CheckTarget(
        service_type=plan.service_type.value,
        operator_id=plan.operator_id,
        service_url=plan.target.service_url,
        url=plan.first_url(),
        server_certification=plan.target.trust.mode.slug,
        operation=plan.first_operation.value,
        provider_id=plan.provider_id,
        evse_id=plan.evse_id,
        timeout_s=plan.timeout_s,
    )
