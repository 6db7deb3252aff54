"""``hubsim check``: tell a CPO developer exactly why their endpoint works or not.

Through a running hub (``--operator ID --service authorization|reservation``: the saved
settings, uploaded certificates and identity of the hub), or one-shot with
``--url --server-cert --pki`` and no hub. Twelve layers, each PASS/WARN/FAIL/SKIP with a
reason and a fix (docs/check.md). Exit 0 only when no layer failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from pathlib import Path
from typing import Any, TextIO

import aiohttp

from hubsim.commands.options import (
    DEFAULT_HUB,
    EXIT_BAD_INPUT,
    discard_earlier,
    hub_of,
    one_target,
    output_file,
    write_report_file,
)
from hubsim.errors import CLIError
from hubsim.hub_client import call_hub
from hubsim.report import coloured
from mockpki.files import PKIFiles
from simulator.check import (
    CheckOptions,
    CheckReport,
    LayerResult,
    LayerStatus,
    check_one_shot,
    write_junit,
)
from simulator.check.plan import DEFAULT_PROVIDER_ID
from simulator.model import ServiceType, WireProfile
from simulator.oneshot import ServerCertChoice

_SERVICES = ("authorization", "reservation")
_WIDTH = 20  # layer-name column of the terminal report


def register(sub: Any) -> None:
    check = sub.add_parser(
        "check",
        help="diagnose a CPO endpoint layer by layer (settings, DNS, TLS, certificates, OICP)",
        description="Check a CPO backend end to end, as the hub calls it, and say for each "
        "layer why it works or not and what to change. Exit 0 only when no layer failed.",
    )
    via = check.add_argument_group("through a running hub (saved settings)")
    via.add_argument("--operator", help="OperatorID whose saved settings to check, e.g. DE*ABC")
    via.add_argument("--service", choices=_SERVICES, help="service type to check")
    via.add_argument("--hub", help=f"admin API URL of the hub (default {DEFAULT_HUB})")
    via.add_argument(
        "--admin-token",
        help="the hub's admin token, when it has one (or HUBSIM_ADMIN_TOKEN)",
    )
    direct = check.add_argument_group("one-shot, no hub")
    direct.add_argument("--url", help="Service URL of the backend (the OICP path is appended)")
    direct.add_argument("--server-cert", help="'hubject' or 'user:FILE'")
    direct.add_argument("--pki", help="folder written by 'hubsim pki init'")
    direct.add_argument(
        "--no-reservation",
        action="store_true",
        help="skip the reservation round trip of an authorization check",
    )
    direct.add_argument(
        "--reservation-path",
        choices=("hubject", "charging"),
        default="hubject",
        help="reservation path style (default hubject: reservation/v11)",
    )
    body = check.add_argument_group("request values")
    body.add_argument("--provider", default=DEFAULT_PROVIDER_ID, help="ProviderID (default DE*ICE)")
    body.add_argument("--evse", help="EvseID to start on (default: EVSE E0001 of the operator)")
    body.add_argument(
        "--timeout",
        type=float,
        help="request timeout in seconds, at most 60 (default: the operator's, 10 one-shot)",
    )
    check.add_argument(
        "--wire",
        choices=[p.value for p in WireProfile],
        help="wire profile of the check's requests: hbs or strict (default: the operator's, "
        "hbs one-shot)",
    )
    pack = check.add_argument_group("tolerance pack (layer 13, docs/tolerance.md)")
    pack.add_argument(
        "--tolerance",
        action="store_true",
        help="after the round trip, send each variant the real hub sends or the spec allows",
    )
    pack.add_argument(
        "--spare-evse",
        action="append",
        default=[],
        metavar="ID",
        help="an EVSE for the variants without SessionID (give two; default: the next two "
        "EvseIDs after --evse)",
    )
    body.add_argument(
        "--strict",
        action="store_true",
        help="a bad client certificate the endpoint accepts is a FAIL (default: a WARN, as "
        "Hubject does not require partners to verify its certificate)",
    )
    out = check.add_argument_group("output")
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument(
        "--junit",
        metavar="FILE",
        type=output_file("--junit"),
        help="also write a JUnit XML report to FILE",
    )
    check.set_defaults(func=run_check_command)


async def run_check_command(args: argparse.Namespace) -> int:
    discard_earlier(args.junit)
    _check_timeout(args.timeout)
    one_target(args)
    if args.url:
        report = await _one_shot(args)
    elif args.operator:
        report = await _through_hub(args)
    else:
        raise CLIError(
            "say what to check: --operator ID --service authorization|reservation (through a "
            "running hub) or --url URL --server-cert hubject|user:FILE --pki DIR (one-shot)"
        )
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print_report(report)
    if not write_report_file("--junit", args.junit, partial(write_junit, report)):
        return EXIT_BAD_INPUT
    return 0 if report.ok else 1


def _check_timeout(timeout: float | None) -> None:
    if timeout is not None and not 0 < timeout <= 60:
        raise CLIError(
            f"--timeout {timeout:g} is out of range: give more than 0 and at most 60 seconds"
        )


async def _one_shot(args: argparse.Namespace) -> CheckReport:
    if not args.server_cert or not args.pki:
        raise CLIError("a one-shot check needs --server-cert hubject|user:FILE and --pki DIR")
    PKIFiles(Path(args.pki)).require()
    options = CheckOptions(
        provider_id=args.provider,
        evse_id=args.evse,
        timeout_s=args.timeout,
        reservation=not args.no_reservation,
        wire_profile=WireProfile(args.wire) if args.wire else None,
        tolerance=args.tolerance,
        spare_evse_ids=tuple(args.spare_evse),
        strict=args.strict,
    )
    return await check_one_shot(
        args.url,
        ServerCertChoice.parse(args.server_cert),
        Path(args.pki),
        ServiceType.from_text(args.service or "authorization"),
        options,
        reservation_style=args.reservation_path,
    )


async def _through_hub(args: argparse.Namespace) -> CheckReport:
    if not args.service:
        raise CLIError("--operator needs --service authorization or --service reservation")
    path = f"/api/operators/{args.operator}/check/{args.service}"
    body = {
        "provider_id": args.provider,
        "evse_id": args.evse,
        "timeout_s": args.timeout,
        "wire_profile": args.wire,
        "tolerance": args.tolerance or None,
        "strict": args.strict or None,
    }
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=10)  # a check takes a while
    hub, token = hub_of(args)
    data: dict[str, Any] = await call_hub(
        hub,
        "POST",
        path,
        {k: v for k, v in body.items() if v is not None},
        admin_token=token,
        timeout=timeout,
    )
    return CheckReport.from_json(data)


# --- terminal report ----------------------------------------------------------------------------


def print_report(report: CheckReport, stream: TextIO | None = None) -> None:
    """The readable report: one block per layer, coloured only on a terminal."""
    out = stream or sys.stdout
    target = report.target
    whose = f" of {target.operator_id}" if target.operator_id else ""
    mode = target.server_certification or "?"
    print(
        f"hubsim check: {target.service_type}{whose} ({report.mode}, {mode} certificate)", file=out
    )
    print(f"  {target.url or target.service_url or '(no Service URL)'}", file=out)
    for layer in report.layers:
        _print_layer(layer, out)
    counts = report.counts()
    verdict = coloured("OK" if report.ok else "FAILED", report.ok, out)
    print(
        f"{verdict}: {counts['pass']} passed, {counts['warn']} warned, {counts['fail']} failed, "
        f"{counts['skip']} skipped ({report.elapsed_ms / 1000:.1f} s)",
        file=out,
    )


def _print_layer(layer: LayerResult, out: TextIO) -> None:
    status = layer.status.value
    if layer.status is LayerStatus.PASS:
        status = coloured(status, True, out)
    elif layer.status is LayerStatus.FAIL:
        status = coloured(status, False, out)
    print(f"{layer.number:>2} {layer.name:<{_WIDTH}} {status}  {layer.reason}", file=out)
    if layer.fix and layer.status in (LayerStatus.WARN, LayerStatus.FAIL):
        print(f"{'':>{_WIDTH + 4}}fix: {layer.fix}", file=out)
    for variant in layer.details.get("variants", []) if layer.key == "tolerance" else []:
        _print_variant(variant, out)


def _print_variant(variant: dict[str, Any], out: TextIO) -> None:
    """One line per tolerance variant; a refused or broken one with its curl reproducer."""
    verdict = str(variant["verdict"])
    shown = verdict
    if verdict in ("refused", "broken"):
        shown = coloured(verdict, False, out)
    print(f"{'':>4}{variant['key']:<36} {shown:<9} {variant['reason']}", file=out)
    if verdict in ("refused", "broken") and variant.get("curl"):
        print(f"{'':>6}reproduce: {variant['curl']}", file=out)
