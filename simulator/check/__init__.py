"""``hubsim check``: tell a CPO developer exactly why their endpoint works or not.

The check runs in the hub layer because the hub runs it with its own identity: the service
certificate as client certificate, the mock Hubject CA or the operator's uploads as trust.
Twelve layers, in order (docs/check.md): Settings, URL, DNS, TCP connect, TLS handshake,
Server certificate, Client certificate, HTTP, Body, Semantics, Latency, Round trip; each
PASS, WARN, FAIL or SKIP with one sentence why and a fix.

    report = await check_one_shot("https://cpo.example:8443", ServerCertChoice.parse("hubject"),
                                  pki_dir, ServiceType.AUTHORIZATION, CheckOptions())
    report.ok, report.to_json(), junit_xml(report)
"""

from __future__ import annotations

from pathlib import Path

from simulator.check.engine import run_check
from simulator.check.junit import junit_xml, write_junit
from simulator.check.plan import CheckPlan, ServiceTarget
from simulator.check.report import (
    LAYERS,
    CheckReport,
    CheckTarget,
    LayerInfo,
    LayerResult,
    LayerStatus,
)
from simulator.check.sources import (
    CheckOptions,
    default_evse_id,
    one_shot_plan,
    operator_plan,
    options_from_json,
)
from simulator.hub import Hub
from simulator.model import ServiceType
from simulator.oneshot import ServerCertChoice


async def check_operator(
    hub: Hub, operator_id: str, service_type: ServiceType, options: CheckOptions
) -> CheckReport:
    """Check an operator's saved settings as the running ``hub`` would send with them."""
    return await run_check(await operator_plan(hub, operator_id, service_type, options))


async def check_one_shot(
    service_url: str,
    choice: ServerCertChoice,
    pki_dir: Path,
    service_type: ServiceType,
    options: CheckOptions,
    *,
    reservation_style: str = "hubject",
) -> CheckReport:
    """Check ``service_url`` with no running hub, using the PKI folder's hub identity."""
    plan = one_shot_plan(
        service_url, choice, pki_dir, service_type, options, reservation_style=reservation_style
    )
    return await run_check(plan)


__all__ = [
    "LAYERS",
    "CheckOptions",
    "CheckPlan",
    "CheckReport",
    "CheckTarget",
    "LayerInfo",
    "LayerResult",
    "LayerStatus",
    "ServiceTarget",
    "check_one_shot",
    "check_operator",
    "default_evse_id",
    "junit_xml",
    "one_shot_plan",
    "operator_plan",
    "options_from_json",
    "run_check",
    "write_junit",
]
