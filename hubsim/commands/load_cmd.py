"""``hubsim load``: the hub's traffic, at scale, against a CPO backend.

Targets, options and the report are described in the README ("Load"); the engine lives in
:mod:`hubsim.load`. Exit 1 when a threshold (``--max-p99-ms``, ``--max-error-rate``) is
exceeded; the README lists the other exit codes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
from functools import partial
from typing import Any

from hubsim.commands.options import (
    DEFAULT_HUB,
    EXIT_BAD_INPUT,
    discard_earlier,
    one_target,
    output_file,
    write_report_file,
)
from hubsim.errors import CLIError
from hubsim.load.channels import TargetSpec
from hubsim.load.engine import RunResult, check_requests
from hubsim.load.plan import (
    DEFAULT_MAX_IN_FLIGHT,
    Plan,
    Shape,
    Unit,
    crowding_note,
    parse_duration,
    parse_evse_pattern,
    parse_mix,
    reservation_duration_problem,
)
from hubsim.load.progress import Progress
from hubsim.load.report import Report, Thresholds, write_junit
from hubsim.load.runner import run_here, run_workers
from simulator.model import WireProfile
from simulator.requests import DEFAULT_EVCO_ID


def register(sub: Any) -> None:
    load = sub.add_parser(
        "load",
        help="send the hub's requests at scale to a CPO backend and report latency and outcomes",
        description="Load a CPO backend with the hub's own requests, through a running hub or "
        "one-shot. Exit 0, or 1 when a threshold is exceeded, 2 for bad input (or a --junit "
        "file that could not be written), 3 when the hub "
        "stopped answering during an --operator run, 130 when interrupted.",
    )
    via = load.add_argument_group("through a running hub (saved settings)")
    via.add_argument("--operator", help="OperatorID whose saved settings to use")
    via.add_argument("--hub", help=f"admin API URL of the hub (default {DEFAULT_HUB})")
    via.add_argument(
        "--admin-token", help="the hub's admin token, if it has one (or HUBSIM_ADMIN_TOKEN)"
    )
    direct = load.add_argument_group("one-shot, no hub")
    direct.add_argument("--url", help="Service URL of the backend (the OICP path is appended)")
    direct.add_argument("--server-cert", help="'hubject' or 'user:FILE'")
    direct.add_argument("--pki", help="folder written by 'hubsim pki init'")
    direct.add_argument(
        "--timeout",
        type=_number("--timeout"),
        help="seconds per request (default 10, at most 60)",
    )
    direct.add_argument(
        "--reservation-path",
        choices=("hubject", "charging"),
        help="reservation path style (default hubject: reservation/v11)",
    )
    direct.add_argument(
        "--fresh-connections",
        action="store_true",
        help="a new TLS handshake per request, as from many hub nodes",
    )
    load.add_argument(
        "--wire",
        choices=[p.value for p in WireProfile],
        help="wire profile of the requests: hbs or strict (docs/wire-profiles.md; default: "
        "the operator's, hbs one-shot)",
    )
    _shape_options(load)
    _request_options(load)
    out = load.add_argument_group("output and verdict")
    out.add_argument("--json", action="store_true", help="print the report as one JSON object")
    out.add_argument(
        "--junit", metavar="FILE", type=output_file("--junit"), help="write a JUnit XML file"
    )
    out.add_argument(
        "--max-p99-ms",
        type=_number("--max-p99-ms", positive=True),
        help="fail (exit 1) when p99 exceeds this",
    )
    out.add_argument(
        "--max-error-rate",
        type=_share,
        help="fail (exit 1) when more than this share is not accepted (0.01 or 1%%)",
    )
    out.add_argument(
        "--progress-interval",
        type=_number("--progress-interval", positive=True),
        help="seconds between progress lines (default 0.5 on a terminal, else 5)",
    )
    load.set_defaults(func=run_load)


def _shape_options(load: argparse.ArgumentParser) -> None:
    shape = load.add_argument_group("shape of the load")
    shape.add_argument(
        "-c",
        "--concurrency",
        type=_integer("-c"),
        help="users, each sending its next operation once answered (default 8)",
    )
    shape.add_argument("--rate", type=_rate, help="operations started per second, e.g. 200/s")
    shape.add_argument(
        "--max-in-flight",
        type=_integer("--max-in-flight"),
        help=f"with --rate: at most this many in flight at once (default {DEFAULT_MAX_IN_FLIGHT})",
    )
    shape.add_argument("--duration", type=_checked(parse_duration), help="how long: 30s, 2m, 1h")
    shape.add_argument("--requests", type=_integer("--requests"), help="how many requests")
    shape.add_argument(
        "--workers",
        type=_integer("--workers"),
        default=1,
        help="processes to spread the load over (default 1)",
    )


def _request_options(load: argparse.ArgumentParser) -> None:
    names = ", ".join(u.value for u in Unit)
    body = load.add_argument_group("requests")
    body.add_argument(
        "--mix",
        type=_checked(parse_mix),
        default=None,
        help=f"operations and weights, e.g. remote-start-stop=3,"
        f"reservation-start-stop=1 (of: {names}; default remote-start-stop)",
    )
    body.add_argument(
        "--evse",
        type=_checked(parse_evse_pattern),
        default=None,
        help="EvseIDs: a pattern with one range, e.g. 'DE*ABC*E[0001-1000]' (the default)",
    )
    body.add_argument("--provider", default="DE*ICE", help="ProviderID of the EMP")
    body.add_argument(
        "--evco", help=f"EvcoID for the RemoteIdentification (default {DEFAULT_EVCO_ID})"
    )
    body.add_argument(
        "--reservation-duration",
        type=_integer("--reservation-duration"),
        default=15,
        help="reservation Duration in minutes, 1-99 (default 15)",
    )


def _checked(parse: Any) -> Any:
    """argparse shows an ArgumentTypeError next to the option's name, with the usage."""

    def run(text: str) -> Any:
        try:
            return parse(text)
        except CLIError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    run.__name__ = parse.__name__
    return run


def _ascii(text: str) -> str:
    """``text`` if it is written in ASCII: int() and float() also read the digits of other
    scripts (Arabic-Indic ones, say), and the number used would not be the one typed."""
    if not text.isascii():
        raise ValueError(text)
    return text


def _integer(option: str) -> Any:
    def parse(text: str) -> int:
        try:
            return int(_ascii(text))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None

    parse.__name__ = option
    return parse


def _number(option: str, *, positive: bool = False) -> Any:
    def parse(text: str) -> float:
        try:
            value = float(_ascii(text))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value) or (positive and not value > 0):
            above = " above 0" if positive else ""
            raise argparse.ArgumentTypeError(f"{text!r}: give a finite number{above}")
        return value

    parse.__name__ = option
    return parse


def _rate(text: str) -> float:
    value = text.strip().removesuffix("/s")
    try:
        rate = float(_ascii(value))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a rate; write operations per second, e.g. 200 or 200/s"
        ) from None
    if not (math.isfinite(rate) and rate > 0):
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a finite number of operations per second, more than 0"
        )
    return rate


def _share(text: str) -> float:
    raw = text.strip()
    try:
        value = float(_ascii(raw.removesuffix("%"))) / (100 if raw.endswith("%") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share; write 0.01 or 1%") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a share from 0 to 1 (or 0% to 100%)")
    return value


def plan_from(args: argparse.Namespace) -> Plan:
    """The plan of the options; every problem of its options is told at once."""
    concurrency = args.concurrency
    if concurrency is None and args.rate is None:
        concurrency = 8
    problems = []
    if args.workers < 1:
        problems.append(f"--workers {args.workers}: give at least 1 process")
    if args.max_in_flight is not None and args.rate is None:
        problems.append(
            f"--max-in-flight {args.max_in_flight} bounds a --rate run; with -c the users are "
            "the bound: leave it out, or give --rate R/s"
        )
    shape: Shape | None = None
    try:
        shape = Shape(
            concurrency=concurrency,
            rate=args.rate,
            duration_s=args.duration,
            requests=args.requests,
            max_in_flight=(
                DEFAULT_MAX_IN_FLIGHT if args.max_in_flight is None else args.max_in_flight
            ),
        )
    except CLIError as err:  # a line per problem of the shape
        problems += str(err).splitlines()
    duration = reservation_duration_problem(args.reservation_duration)
    problems += [duration] if duration is not None else []
    if problems or shape is None:
        raise CLIError("\n".join(problems))
    chosen: dict[str, Any] = {}
    if args.mix is not None:
        chosen["mix"] = args.mix
    if args.evse is not None:
        chosen["evse"] = args.evse
    return Plan(
        shape=shape,
        provider_id=args.provider,
        evco_id=args.evco,
        reservation_duration=args.reservation_duration,
        **chosen,
    )


_ONE_SHOT_ONLY = ("--server-cert", "--pki", "--timeout", "--reservation-path")


def spec_from(args: argparse.Namespace) -> TargetSpec:
    one_target(args)  # before the options that belong to one or the other
    given = [o for o in _ONE_SHOT_ONLY if getattr(args, o[2:].replace("-", "_")) is not None]
    if args.operator and given:
        raise CLIError(
            f"{', '.join(given)}: only for a one-shot target (--url); through a hub "
            f"(--operator {args.operator}) the hub sends, with its own PKI and the operator's "
            "saved settings"
        )
    return TargetSpec(
        operator=args.operator,
        hub=args.hub or DEFAULT_HUB,
        admin_token=args.admin_token or os.environ.get("HUBSIM_ADMIN_TOKEN"),
        url=args.url,
        server_cert=args.server_cert,
        pki=args.pki,
        timeout_s=10.0 if args.timeout is None else args.timeout,
        reservation_path=args.reservation_path or "hubject",
        fresh_connections=args.fresh_connections,
        wire=args.wire,
    )


async def run_load(args: argparse.Namespace) -> int:
    discard_earlier(args.junit)
    plan, spec = plan_from(args), spec_from(args)
    check_requests(plan)
    crowded = crowding_note(plan)
    if crowded is not None:
        print(f"hubsim: note: {crowded}", file=sys.stderr)
    progress = Progress(sys.stderr, interval_s=args.progress_interval)
    try:
        result = await _run(args, plan, spec, progress)
    except (asyncio.CancelledError, KeyboardInterrupt):
        progress.interrupted()
        raise
    progress.done(result.tally)
    thresholds = Thresholds(max_p99_ms=args.max_p99_ms, max_error_rate=args.max_error_rate)
    report = Report(
        tally=result.tally,
        seconds=result.seconds,
        workers=args.workers,
        thresholds=thresholds,
        lost=result.lost,
    )
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        report.write_text(sys.stdout)
    junit_written = write_report_file("--junit", args.junit, partial(write_junit, report))
    for note in report.notes():
        print(f"hubsim: note: {note}", file=sys.stderr)
    if report.lost is not None:
        print(
            f"hubsim: error: {report.lost}; the run ended there, and the report covers the "
            f"{report.requests} requests before",
            file=sys.stderr,
        )
        return EXIT_CUT_SHORT
    if not junit_written:
        return EXIT_BAD_INPUT
    return 0 if report.ok else 1


EXIT_CUT_SHORT = 3  # the hub's admin API was lost during the run: a report, but not the run's


async def _run(
    args: argparse.Namespace, plan: Plan, spec: TargetSpec, progress: Progress
) -> RunResult:
    if args.workers == 1:
        return await run_here(
            plan,
            spec,
            on_tally=progress.show,
            on_ready=progress.start,
            interval_s=progress.interval_s,
        )
    return await run_workers(
        plan,
        spec,
        args.workers,
        on_tally=progress.show,
        on_start=progress.start,
        interval_s=progress.interval_s,
    )
