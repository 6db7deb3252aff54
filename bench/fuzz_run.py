"""The fuzz suite at length: at least 20,000 attacks, counted per target and class.

The same attacks as ``tests/fuzz`` (see ``tests/fuzz/attacks.py`` for the classes), against
the same three server processes: the CPO stub, the hub's OICP endpoints, the hub's admin
API. Every class is sent, also those the CI run leaves out until their fixes land. For each
target and class it prints the cases sent, the failures (an HTTP 5xx, an answer outside the
port's protocol, a closed connection) and the HTTP statuses seen; then whether each server
is still up with no traceback in its output. Run:
``python bench/fuzz_run.py [--cases 20000] [--seed 14]`` (needs Hubject's OpenAPI beside the
repository, or HUBSIM_OICP_DIR).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz.attacks import ALL_CLASSES
from tests.fuzz.runner import Tally, run, still_serving
from tests.fuzz.targets import (
    Target,
    start_admin_target,
    start_oicp_target,
    start_stub_target,
    write_pki,
)
from tests.oicp.official import MISSING, OPENAPI_DIR, load_openapi

SHARES = {"stub": 0.35, "hub-oicp": 0.35, "admin": 0.30}


def _report(target: Target, tally: Tally, seconds: float) -> None:
    print(f"\n{target.name}: {sum(tally.cases.values())} cases in {seconds:.0f} s")
    print(f"  {'class':10} {'cases':>6} {'failed':>7}  statuses")
    for kind in ALL_CLASSES:
        statuses = Counter({status: n for (k, status), n in tally.statuses.items() if k == kind})
        shown = ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
        print(f"  {kind:10} {tally.cases[kind]:6} {tally.failures[kind]:7}  {shown}")
    for example in tally.examples[:5]:
        print("  e.g. " + example[:300].replace("\n", "\n       "))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    if not OPENAPI_DIR.is_dir():
        print(MISSING)
        return 2
    openapi = load_openapi()
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        pki, files = write_pki(Path(tmp) / "pki")
        starters = {
            "stub": lambda: start_stub_target(pki, files, openapi),
            "hub-oicp": lambda: start_oicp_target(pki, files, openapi, Path(tmp) / "oicp.db"),
            "admin": lambda: start_admin_target(files, Path(tmp) / "admin.db"),
        }
        for name, start in starters.items():
            target = start()
            try:
                began = time.perf_counter()
                tally = run(target, ALL_CLASSES, int(args.cases * SHARES[name]), Tally(), args.seed)
                _report(target, tally, time.perf_counter() - began)
                failed += tally.failed()
                after = still_serving(target)
                print("  still serving, no traceback" if not after else "  " + "\n  ".join(after))
                failed += len(after)
            finally:
                target.stop()
    print(f"\n{failed} failure(s) in all")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
