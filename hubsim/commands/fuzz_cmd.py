"""``hubsim fuzz``: property-based robustness testing of a CPO endpoint (docs/fuzz.md).

Exit 0 when every answer was HANDLED, 1 when anything was UNEXPECTED. The engine
(Hypothesis and hypothesis-jsonschema) is the optional extra ``fuzz``; without it
the command says how to install it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from functools import partial
from pathlib import Path
from typing import Any

from hubsim.commands.options import EXIT_BAD_INPUT, discard_earlier, output_file, write_report_file
from hubsim.errors import CLIError
from mockpki.files import PKIFiles
from oicp import Operation
from simulator.hub import HubIdentity
from simulator.model import ServerCertification, WireProfile
from simulator.oneshot import ServerCertChoice, one_shot_target

INSTALL_HINT = (
    "hubsim fuzz needs Hypothesis and hypothesis-jsonschema: install them with "
    "pip install '.[fuzz]' in hubsim's checkout (its optional extra 'fuzz')"
)


def register(sub: Any) -> None:
    fuzz = sub.add_parser(
        "fuzz",
        help="send valid and near-valid bodies to a CPO endpoint and report what it mishandles",
        description="Property-based robustness testing of a CPO endpoint over mutual TLS with "
        "the hub's identity. Exit 0 when every answer was HANDLED, 1 when anything was "
        "UNEXPECTED.",
    )
    fuzz.add_argument("--url", required=True, help="Service URL (the OICP paths are appended)")
    fuzz.add_argument("--server-cert", required=True, help="'hubject' or 'user:FILE'")
    fuzz.add_argument("--pki", required=True, help="folder written by 'hubsim pki init'")
    fuzz.add_argument("--provider", default="DE*ICE", help="ProviderID for bodies without one")
    fuzz.add_argument(
        "--operation",
        action="append",
        choices=[op.slug for op in Operation if op.slug],
        help="fuzz only this operation (repeatable; default: all four)",
    )
    fuzz.add_argument("--max-examples", type=int, default=50, help="per target (default 50)")
    fuzz.add_argument("--max-time", type=float, default=120.0, help="seconds in all (default 120)")
    fuzz.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default 0)")
    fuzz.add_argument("--timeout", type=float, default=10.0, help="per request, seconds")
    fuzz.add_argument(
        "--wire", choices=[p.value for p in WireProfile], default="hbs", help="headers' profile"
    )
    fuzz.add_argument("--json", action="store_true", help="print the JSON report")
    fuzz.add_argument(
        "--report-json",
        metavar="FILE",
        type=output_file("--report-json"),
        help="also write the JSON report to FILE",
    )
    fuzz.add_argument(
        "--junit",
        metavar="FILE",
        type=output_file("--junit"),
        help="also write a JUnit XML report to FILE",
    )
    fuzz.set_defaults(func=run_fuzz_command)


def _bounds(args: argparse.Namespace) -> None:
    if args.max_examples < 1:
        raise CLIError(f"--max-examples {args.max_examples} must be at least 1")
    if args.max_time <= 0:
        raise CLIError(f"--max-time {args.max_time:g} must be more than 0 seconds")
    if not 0 < args.timeout <= 60:
        raise CLIError(
            f"--timeout {args.timeout:g} is out of range: give more than 0 and at most 60"
        )


async def run_fuzz_command(args: argparse.Namespace) -> int:
    discard_earlier(args.report_json, args.junit)
    _bounds(args)
    try:
        from hubsim.fuzz.classify import EndpointUnreachable
        from hubsim.fuzz.engine import FuzzConfig, run_fuzz
        from hubsim.fuzz.report import print_report, write_junit
    except ImportError:
        raise CLIError(INSTALL_HINT) from None
    pki = Path(args.pki)
    identity = HubIdentity.from_pki_dir(pki)
    choice = ServerCertChoice.parse(args.server_cert)
    probe = one_shot_target(
        args.url, choice, identity, Operation.AUTHORIZE_REMOTE_START, args.provider
    )
    operations = (
        tuple(Operation.from_slug(s) for s in args.operation)
        if args.operation
        else tuple(op for op in Operation if op.slug)
    )
    config = FuzzConfig(
        service_url=args.url,
        trust=probe.trust,
        identity=identity,
        expected=probe.expected or "a certificate chaining to the mock Hubject CA",
        provider_id=args.provider,
        max_examples=args.max_examples,
        max_time_s=args.max_time,
        seed=args.seed,
        timeout_s=args.timeout,
        profile=WireProfile(args.wire),
        operations=operations,
    )
    hubject_ca = PKIFiles(pki).hubject_ca if choice.mode is ServerCertification.HUBJECT else None
    # Hypothesis runs its own (blocking) loop of examples; keep it off this event loop.
    try:
        report = await asyncio.to_thread(run_fuzz, config, hubject_ca)
    except EndpointUnreachable as exc:
        raise CLIError(
            f"cannot fuzz {args.url}: {exc} Run 'hubsim check' on it to see what to fix."
        ) from None
    data = report.to_json()
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print_report(report, sys.stdout)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    written = [
        write_report_file("--report-json", args.report_json, lambda p: _write_text(p, text)),
        write_report_file("--junit", args.junit, partial(write_junit, report)),
    ]
    if not all(written):
        return EXIT_BAD_INPUT
    return 0 if report.ok else 1


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
