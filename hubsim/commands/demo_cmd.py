"""``hubsim demo``: run hub and stub end to end in both certification modes."""

from __future__ import annotations

import argparse
import json
from typing import Any

from hubsim.demo import DemoReport, run_demo
from hubsim.report import coloured


def register(sub: Any) -> None:
    demo = sub.add_parser("demo", help="run the hub against the CPO stub, both certification modes")
    demo.add_argument("--json", action="store_true", help="print one JSON object")
    demo.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    report = await run_demo()
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print_report(report)
    return 0 if report.ok else 1


def print_report(report: DemoReport) -> None:
    print("hubsim demo: mock Hubject hub -> CPO stub over mutual TLS\n")
    for mode, title in (("hubject", "Hubject certificate"), ("user", "User certificate")):
        print(f"Server certification: {title}")
        for step in (s for s in report.steps if s.mode == mode):
            mark = coloured("PASS" if step.ok else "FAIL", step.ok)
            code = f" {step.status_code}" if step.status_code else ""
            print(f"  {mark}  {step.name:<45} {step.outcome}{code}")
            if not step.ok or step.outcome != "accepted":
                print(f"        {step.detail}")
        print()
    verdict = "every step ended as expected" if report.ok else "some steps did not end as expected"
    print(coloured(verdict, report.ok))
