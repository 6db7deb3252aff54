"""``hubsim scenario``: run scenario files against the bundled stub or a CPO's endpoint.

``run`` exits 0 only when every step of every scenario passed (1 otherwise, 2 when a file
breaks the format), so it can gate a CI pipeline. ``check`` only validates the files;
``schema`` prints the JSON Schema of the format.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from hubsim.commands.options import EXIT_BAD_INPUT, discard_earlier, output_file, write_report_file
from hubsim.errors import CLIError
from hubsim.scenario import (
    RunOptions,
    ScenarioResult,
    load_scenarios,
    run_scenarios,
    scenario_schema,
    write_junit,
)
from hubsim.scenario.errors import ScenarioSetupError
from hubsim.scenario.stub_control import reach_stub
from hubsim.scenario.text import plural, scenario_lines, summary_line
from hubsim.scenario.variables import parse_assignment
from simulator.hub import HubError
from simulator.oneshot import ServerCertChoice
from simulator.service_url import check_service_url


def register(sub: Any) -> None:
    scenario = sub.add_parser("scenario", help="run declarative scenarios (CI, onboarding)")
    actions = scenario.add_subparsers(dest="scenario_command", required=True, metavar="ACTION")
    run = actions.add_parser("run", help="run scenario files or folders of them")
    run.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    run.add_argument("--target", help="your CPO backend's Service URL, instead of the stub")
    run.add_argument(
        "--junit", metavar="FILE", type=output_file("--junit"), help="also write JUnit XML to FILE"
    )
    run.add_argument("--json", action="store_true", help="print one JSON object, not the text")
    run.add_argument("--pki", help="PKI folder from 'hubsim pki init' (default: a fresh one)")
    run.add_argument(
        "--strict",
        action="store_true",
        help="every scenario as with strict: true (a bad client certificate accepted FAILs)",
    )
    run.add_argument(
        "--server-cert",
        help="with --target: 'hubject' or 'user:FILE' for every scenario (FILE is uploaded)",
    )
    run.add_argument(
        "--user-cert",
        metavar="FILE",
        help="with --target: the certificate your endpoint presents, uploaded for the "
        "scenarios in User certificate mode; the others keep their own mode",
    )
    run.add_argument(
        "--stub-control",
        metavar="URL",
        help="with --target on a 'hubsim stub serve': its control API (--control-port), "
        "to clear the stub before each scenario and apply the scenario's stub arrangements",
    )
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="replace a scenario variable, e.g. --set evse_id=DE*XYZ*E0001 (repeatable)",
    )
    run.set_defaults(func=run_command)
    check = actions.add_parser("check", help="validate scenario files without running them")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.set_defaults(func=check_command)
    schema = actions.add_parser("schema", help="print the JSON Schema of scenario files")
    schema.set_defaults(func=schema_command)


async def run_command(args: argparse.Namespace) -> int:
    discard_earlier(args.junit)
    overrides = _overrides(args.set)
    scenarios = load_scenarios([Path(p) for p in args.paths], overrides)
    options = _options(args)
    if options.stub_control:
        try:
            await reach_stub(options.stub_control)
        except ScenarioSetupError as err:
            raise CLIError(f"--stub-control: {err}") from None
    printer = None if args.json else _print_result
    with _quiet_stub_log():
        report = await run_scenarios(scenarios, options, on_result=printer)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(summary_line(report))
    if not write_report_file("--junit", args.junit, partial(write_junit, report)):
        return EXIT_BAD_INPUT
    return 0 if report.passed else 1


def check_command(args: argparse.Namespace) -> int:
    scenarios = load_scenarios([Path(p) for p in args.paths])
    steps = sum(len(s.steps) for s in scenarios)
    print(
        f"{plural(len(scenarios), 'scenario file')}, {plural(steps, 'step')}: the format is valid"
    )
    return 0


def schema_command(args: argparse.Namespace) -> int:
    print(json.dumps(scenario_schema(), indent=2))
    return 0


def _overrides(assignments: list[str]) -> dict[str, str]:
    try:
        return dict(parse_assignment(text) for text in assignments)
    except ValueError as exc:
        raise CLIError(str(exc)) from None


def _options(args: argparse.Namespace) -> RunOptions:
    if args.server_cert and not args.target:
        raise CLIError(
            "--server-cert applies with --target only; on the bundled stub each scenario's "
            "operator.certification picks the certificate"
        )
    if args.user_cert and (not args.target or args.server_cert):
        raise CLIError(
            "--user-cert applies with --target and without --server-cert (which puts every "
            "scenario in one mode)"
        )
    if args.stub_control and not args.target:
        raise CLIError(
            "--stub-control applies with --target only: the bundled stub starts clean anyway"
        )
    problems = check_service_url(args.target) if args.target else []
    if problems:  # the portal's rules for a Service URL, before any scenario is set up
        raise CLIError(f"--target: {'; '.join(problems)}")
    return RunOptions(
        target=args.target,
        pki_dir=Path(args.pki) if args.pki else None,
        server_cert=ServerCertChoice.parse(args.server_cert) if args.server_cert else None,
        user_cert=_user_cert(args.user_cert),
        stub_control=args.stub_control,
        strict=args.strict,
    )


def _user_cert(text: str | None) -> Path | None:
    """The --user-cert file, checked as --server-cert user:FILE checks its own."""
    if text is None:
        return None
    try:
        return ServerCertChoice.parse(f"user:{text}").user_file
    except HubError as err:
        said = "; ".join(i.message.removeprefix(f"user:{text}: ") for i in err.issues)
        raise CLIError(f"--user-cert {text}: {said}") from None


@contextmanager
def _quiet_stub_log() -> Iterator[None]:
    """The stub logs each refused handshake; the report shows it under its step instead."""
    stub_log, silent = logging.getLogger("cpo_stub"), logging.NullHandler()
    propagate = stub_log.propagate
    stub_log.propagate = False
    stub_log.addHandler(silent)
    try:
        yield
    finally:
        stub_log.removeHandler(silent)
        stub_log.propagate = propagate


def _print_result(result: ScenarioResult) -> None:
    for line in scenario_lines(result, sys.stdout):
        print(line)
    print()
