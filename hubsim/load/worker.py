"""One worker process of ``hubsim load --workers N`` (see :mod:`hubsim.load.runner`)."""

from __future__ import annotations

import asyncio
import json
import os
import sys

from hubsim.errors import user_error_message
from hubsim.load.channels import TargetSpec
from hubsim.load.runner import plan_from_json, run_here
from hubsim.load.stats import Tally


def _emit(tally: Tally, **extra: object) -> None:
    sys.stdout.write(json.dumps({"tally": tally.to_wire(), **extra}) + "\n")
    sys.stdout.flush()


def _ready() -> None:
    sys.stdout.write(json.dumps({"ready": True}) + "\n")
    sys.stdout.flush()


_PARENT_CHECK_S = 0.2  # how often a worker looks whether hubsim load is still there


async def _end_with_the_parent(parent: int) -> None:
    """Stop at once when ``hubsim load`` has gone (a SIGTERM from CI or ``timeout``, a
    kill -9): its workers went on loading the backend, unasked, until their next progress
    line found no reader."""
    while os.getppid() == parent:
        await asyncio.sleep(_PARENT_CHECK_S)
    os._exit(1)


async def _main() -> None:
    watch = asyncio.create_task(_end_with_the_parent(os.getppid()))
    job = json.loads(sys.stdin.read())
    result = await run_here(
        plan_from_json(job["plan"]),
        TargetSpec.from_json(job["target"]),
        index=int(job["index"]),
        stride=int(job["stride"]),
        on_tally=_emit,
        on_ready=_ready,
        interval_s=float(job["interval_s"]),
    )
    watch.cancel()
    _emit(result.tally, final=True, seconds=result.seconds, lost=result.lost)


def main() -> int:
    try:
        asyncio.run(_main())
    except Exception as exc:  # told to the parent on stderr, in the CLI's one-line form
        print(f"hubsim: error: {user_error_message(exc)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
