"""Running a plan: in this process, or spread over N worker processes whose tallies are
merged exactly (histograms added, counts summed).

A worker is ``python -m hubsim.load.worker``: it reads its job as one JSON object on stdin
and writes JSON lines on stdout: ``{"ready": true}`` once its connections are open, its tally
so far every interval, and its final tally last.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any

from hubsim.errors import CLIError
from hubsim.load.channels import TargetSpec, open_channel
from hubsim.load.engine import Engine, RunResult, operations_of
from hubsim.load.plan import EvsePattern, Plan, Shape, Unit
from hubsim.load.stats import Tally

OnTally = Callable[[Tally], None]


def connections_for(shape: Shape) -> int:
    """Enough connections for every request the shape can have in flight."""
    return max(shape.concurrency or shape.max_in_flight, 1)


async def run_here(
    plan: Plan,
    spec: TargetSpec,
    *,
    index: int = 0,
    stride: int = 1,
    on_tally: OnTally | None = None,
    on_ready: Callable[[], None] | None = None,
    interval_s: float = 1.0,
) -> RunResult:
    channel = await open_channel(spec, connections_for(plan.shape), operations_of(plan))
    try:
        if on_ready is not None:
            on_ready()
        engine = Engine(plan, channel, index=index, stride=stride)
        run = asyncio.create_task(engine.run())
        try:
            while on_tally is not None and not run.done():
                await asyncio.wait([run], timeout=interval_s)
                on_tally(engine.tally)
            return await run
        finally:
            # Stopped early (Ctrl-C): the load ends before its channel closes. Closed under
            # requests still in flight, the channel failed them, the hub channel raised "the
            # hub stopped answering" from a task nobody awaited, and the sender opened a new
            # session that was never closed.
            run.cancel()
            await asyncio.gather(run, return_exceptions=True)
    finally:
        await channel.close()


def share(shape: Shape, index: int, workers: int) -> Shape:
    """Worker ``index``'s part of the shape: users, rate and request count divided."""

    def part(total: int) -> int:
        return total // workers + (1 if index < total % workers else 0)

    return replace(
        shape,
        concurrency=part(shape.concurrency) if shape.concurrency is not None else None,
        rate=shape.rate / workers if shape.rate is not None else None,
        requests=part(shape.requests) if shape.requests is not None else None,
        max_in_flight=max(1, part(shape.max_in_flight)),
    )


def check_workers(shape: Shape, workers: int) -> None:
    if workers < 1:
        raise CLIError(f"--workers {workers}: give at least 1 process")
    if shape.concurrency is not None and shape.concurrency < workers:
        raise CLIError(
            f"--workers {workers} with -c {shape.concurrency}: each process needs at least one "
            f"user; give -c {workers} or more, or fewer workers"
        )
    if shape.requests is not None and shape.requests < workers:
        raise CLIError(
            f"--workers {workers} with --requests {shape.requests}: give at least one request "
            "per process"
        )


class _Rounds:
    """The workers' tallies as one progress line per round: a line is shown once every worker
    still running has sent a tally since the last line, so that it adds up counts taken at the
    same point of each worker's load. A timer of the parent's own showed "0 requests" while
    the workers were starting, and added one worker's fresh count to another's stale one."""

    def __init__(
        self, workers: int, on_tally: OnTally | None, on_start: Callable[[], None] | None
    ) -> None:
        self._latest = [Tally() for _ in range(workers)]
        self._fresh = [False] * workers
        self._ended = [False] * workers
        self._starting = workers
        self._on_tally = on_tally
        self._on_start = on_start

    def ready(self) -> None:
        self._starting -= 1
        if self._starting == 0 and self._on_start is not None:
            self._on_start()

    def seen(self, i: int, tally: Tally) -> None:
        self._latest[i], self._fresh[i] = tally, True
        self._show_if_round()

    def ended(self, i: int, tally: Tally) -> None:
        self._latest[i], self._ended[i] = tally, True
        self._show_if_round()

    def _show_if_round(self) -> None:
        waiting = [not (f or e) for f, e in zip(self._fresh, self._ended, strict=True)]
        if any(waiting) or all(self._ended) or not any(self._fresh):
            return  # the last line is the caller's, with the final tallies
        self._fresh = [False] * len(self._fresh)
        if self._on_tally is not None:
            merged = Tally()
            for t in self._latest:
                merged.merge(t)
            self._on_tally(merged)


async def run_workers(
    plan: Plan,
    spec: TargetSpec,
    workers: int,
    *,
    on_tally: OnTally | None,
    on_start: Callable[[], None] | None = None,
    interval_s: float,
) -> RunResult:
    """Start the workers together, follow their tallies, merge their final ones.

    ``on_start`` is called once every worker has its connections and begins its load: a
    process takes about half a second to start, and progress timed from before that read
    "0 requests" for its first lines and a rate diluted by the start-up."""
    check_workers(plan.shape, workers)
    spec.check()
    rounds = _Rounds(workers, on_tally, on_start)
    finals: list[RunResult | None] = [None] * workers

    async def one(i: int) -> None:
        job = {
            "plan": plan_to_json(replace(plan, shape=share(plan.shape, i, workers))),
            "target": spec.to_json(),
            "index": i,
            "stride": workers,
            "interval_s": interval_s,
        }
        finals[i] = final = await _worker(job, lambda t: rounds.seen(i, t), rounds.ready)
        rounds.ended(i, final.tally)

    await asyncio.gather(*(one(i) for i in range(workers)))
    done = [f for f in finals if f is not None]
    merged = Tally()
    for final in done:
        merged.merge(final.tally)
    lost = next((f.lost for f in done if f.lost), None)
    return RunResult(merged, max(f.seconds for f in done), lost)


async def _worker(
    job: dict[str, Any], on_tally: OnTally, on_ready: Callable[[], None]
) -> RunResult:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hubsim.load.worker",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        limit=2**24,
    )
    assert proc.stdin and proc.stdout and proc.stderr
    proc.stdin.write(json.dumps(job).encode())
    proc.stdin.close()
    final: RunResult | None = None
    try:
        async for line in proc.stdout:
            message = json.loads(line)
            if message.get("ready"):
                on_ready()
                continue
            tally = Tally.from_wire(message["tally"])
            if message.get("final"):
                final = RunResult(tally, float(message["seconds"]), message.get("lost"))
            else:
                on_tally(tally)
        error = (await proc.stderr.read()).decode().strip()
        await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    if final is None:
        raise CLIError(error.removeprefix("hubsim: error: ") or "a load worker process ended early")
    return final


def plan_to_json(plan: Plan) -> dict[str, Any]:
    return {
        "shape": asdict(plan.shape),
        "mix": [[u.value, w] for u, w in plan.mix],
        "evse": asdict(plan.evse),
        "provider_id": plan.provider_id,
        "evco_id": plan.evco_id,
        "reservation_duration": plan.reservation_duration,
    }


def plan_from_json(data: dict[str, Any]) -> Plan:
    return Plan(
        shape=Shape(**data["shape"]),
        mix=tuple((Unit(u), float(w)) for u, w in data["mix"]),
        evse=EvsePattern(**data["evse"]),
        provider_id=data["provider_id"],
        evco_id=data["evco_id"],
        reservation_duration=int(data["reservation_duration"]),
    )
