"""Run the backend matrix N times and print, per case and stack, how often each result came.

    python bench/matrix.py --runs 50 [--stack nginx] [--case "hub certificate refused"]

Each stack runs in its own process (tests/backends); every run sends one remote start with
``hubsim send``'s one-shot code and runs ``hubsim check``'s one-shot check. A result is the
send outcome plus the check's statuses of the layers the case names; the target is one
result per cell in every run. Prints a Markdown table; exits 1 if any cell had two results
or a result other than the expected one.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mockpki import MockHubjectPKI
from tests.backends import Materials, start_backend
from tests.backends.matrix import cells, run_cell, spec_for
from tests.backends.stacks import STACKS


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--stack", action="append", help="only these stacks")
    parser.add_argument("--case", action="append", help="only these cases")
    parser.add_argument("--no-check", action="store_true", help="send only, no hubsim check")
    args = parser.parse_args()
    stacks = {name: s for name, s in STACKS.items() if not args.stack or name in args.stack}
    bad = 0
    print("| case | stack | expected | results (count) |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="matrix-") as tmp:
        materials = Materials.create(MockHubjectPKI.create(), Path(tmp))
        for case, stack in cells(stacks):
            if args.case and case.name not in args.case:
                continue
            counts: collections.Counter[str] = collections.Counter()
            with start_backend(stack, spec_for(case, stack), materials) as backend:
                for _ in range(args.runs):
                    result = await run_cell(case, backend, materials, check=not args.no_check)
                    counts[result.signature(case) if not args.no_check else result.outcome] += 1
            expected = case.outcome
            shown = "; ".join(f"{sig} ({n})" for sig, n in counts.most_common())
            if len(counts) != 1 or not next(iter(counts)).startswith(expected):
                bad += 1
            print(f"| {case.name} | {stack.name} | {expected} | {shown} |", flush=True)
    print(f"\n{bad} cell(s) with more than one result or an unexpected one.")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
