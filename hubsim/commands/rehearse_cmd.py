"""``hubsim rehearse``: renewal day, rehearsed against real backends in their own processes."""

from __future__ import annotations

import argparse
import json
from typing import Any

from hubsim.errors import CLIError
from hubsim.rehearsal import CASES, find_cases, report_json, report_text, run_rehearsal
from hubsim.rehearsal.backends import BACKEND_KINDS, BackendError
from hubsim.rehearsal.run import check_backends, check_pairs


def register(sub: Any) -> None:
    rehearse = sub.add_parser(
        "rehearse",
        help="rehearse certificate renewals and replacements against the stub and nginx",
        description="Each case renews or replaces a certificate as on renewal day, against a "
        "backend in its own process, and says what a CPO would see, and why. Cases: "
        + ", ".join(case.name for case in CASES),
    )
    rehearse.add_argument(
        "--case",
        action="append",
        default=[],
        metavar="NAME",
        help="run this case (repeatable; default: every case)",
    )
    rehearse.add_argument(
        "--backend",
        action="append",
        default=[],
        choices=BACKEND_KINDS,
        help="run on this backend (repeatable; default: stub and nginx)",
    )
    rehearse.add_argument("--json", action="store_true", help="print one JSON object")
    rehearse.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    try:
        cases = find_cases(args.case)
        backends = check_backends(args.backend)
        if args.case:  # every case by default: each runs on the backends it has
            check_pairs(cases, backends)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    try:
        results = await run_rehearsal(cases, backends)
    except BackendError as exc:
        raise CLIError(str(exc)) from None
    if args.json:
        print(json.dumps(report_json(results), indent=2))
    else:
        print(report_text(results))
    return 0 if all(result.ok for result in results) else 1
