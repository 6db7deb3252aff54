"""The load engine of one process: users in a loop (-c) or arrivals at a rate (--rate).

The n-th operation of a run is fixed by the plan (its kind from the weighted schedule, its
EvseID from the pattern), and processes of a run take every ``stride``-th number from their
own ``index``, so that a run's operations do not depend on how many processes share it.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass

from hubsim.errors import CLIError
from hubsim.load.channels import Channel, ChannelLost
from hubsim.load.plan import Plan, Unit, unit_schedule
from hubsim.load.stats import Tally
from oicp import Operation
from oicp.identifiers import new_session_id
from simulator.exchange import Exchange
from simulator.requests import RequestRefused, SendParams, prepare_request

_FIRST = {
    Unit.REMOTE_START: Operation.AUTHORIZE_REMOTE_START,
    Unit.REMOTE_START_STOP: Operation.AUTHORIZE_REMOTE_START,
    Unit.RESERVATION_START: Operation.AUTHORIZE_REMOTE_RESERVATION_START,
    Unit.RESERVATION_START_STOP: Operation.AUTHORIZE_REMOTE_RESERVATION_START,
}
_STOP = {
    Unit.REMOTE_START_STOP: Operation.AUTHORIZE_REMOTE_STOP,
    Unit.RESERVATION_START_STOP: Operation.AUTHORIZE_REMOTE_RESERVATION_STOP,
}


def operations_of(plan: Plan) -> list[Operation]:
    """Every operation the plan's mix sends, in a fixed order."""
    found = [_FIRST[unit] for unit, _ in plan.mix] + [_STOP[u] for u, _ in plan.mix if u in _STOP]
    return list(dict.fromkeys(found))


def outcome_key(exchange: Exchange) -> str:
    """The outcome's name; a rejection also names its StatusCode (602 and 400 differ)."""
    if exchange.status_code and not exchange.ok:
        return f"{exchange.outcome.value}:{exchange.status_code}"
    return exchange.outcome.value


def operation_params(
    plan: Plan, unit: Unit, n: int, *, session_id: str | None = None, cpo_partner: str | None = None
) -> SendParams:
    """What the n-th operation of a plan sends; with ``session_id``, the stop of its session."""
    reservation = unit in (Unit.RESERVATION_START, Unit.RESERVATION_START_STOP)
    return SendParams(
        evse_id=plan.evse.evse(n),
        provider_id=plan.provider_id,
        evco_id=plan.evco_id,
        session_id=session_id,
        cpo_partner_session_id=cpo_partner,
        duration=plan.reservation_duration if reservation and not session_id else None,
    )


def check_requests(plan: Plan) -> None:
    """Build each kind of request of the mix with the range's first and last EvseID before
    any load starts, so that a pattern, ProviderID or EvcoID the hub's request builder
    refuses stops the run before its first request, not halfway. The last EvseID is the
    longest of the range, and the first the shortest: the ones OICP's length bounds refuse.
    """
    for n in sorted({0, plan.evse.count - 1}):
        for unit, _ in plan.mix:
            try:
                prepare_request(_FIRST[unit], operation_params(plan, unit, n))
                if unit in _STOP:
                    stop = operation_params(plan, unit, n, session_id=new_session_id())
                    prepare_request(_STOP[unit], stop)
            except RequestRefused as refused:
                raise _naming_the_option(refused, plan, n) from None


def _naming_the_option(refused: RequestRefused, plan: Plan, n: int) -> CLIError:
    """The builder's refusal in the command line's terms: the option, and for an EvseID
    the --evse pattern it came from."""
    issue = refused.issues[0]
    if issue.field == "evse_id":
        pattern = plan.evse
        which = "its EvseID" if pattern.width < 0 else ("the first", "the last")[n > 0]
        which += "" if pattern.width < 0 else " EvseID of the range"
        return CLIError(f"--evse {pattern.text!r}: {which} is refused: {issue.message}")
    option = _OPTIONS.get(issue.field)
    if option is None:
        return CLIError(str(refused))
    return CLIError(f"{option}: {issue.message}")


_OPTIONS = {"provider_id": "--provider", "evco_id": "--evco", "duration": "--reservation-duration"}


def slot_time(k: int, rate: float, index: int, stride: int) -> float:
    """When process ``index`` of ``stride`` starts its k-th operation at its share ``rate``
    of the run's rate, in seconds from the start: the processes' slots together are the one
    timetable of the whole rate (slot j at j / (rate * stride))."""
    return (k + (index % stride) / stride) / rate


_LAG_TICK_S = 0.1  # how often the engine checks how late its event loop wakes


@dataclass
class RunResult:
    tally: Tally
    seconds: float
    lost: str | None = None  # why the run ended early: its channel was lost (the hub)


class Engine:
    """Runs one process's share of a plan against a channel, adding up what it sees."""

    def __init__(self, plan: Plan, channel: Channel, *, index: int = 0, stride: int = 1) -> None:
        self.plan = plan
        self.tally = Tally()
        self._channel = channel
        self._schedule = unit_schedule(plan.mix)
        self._numbers = itertools.count(index, stride)
        self._index, self._stride = index, stride
        self._issued = 0
        self._deadline = 0.0
        self._lost: str | None = None

    async def run(self) -> RunResult:
        check_requests(self.plan)
        shape = self.plan.shape
        t0 = time.perf_counter()
        self._deadline = t0 + (shape.duration_s or float("inf"))
        lag = asyncio.create_task(self._watch_lag())
        try:
            if shape.rate is not None:
                await self._arrivals(shape.rate, shape.max_in_flight)
            else:
                await asyncio.gather(*(self._user() for _ in range(shape.concurrency or 1)))
        finally:
            lag.cancel()
        return RunResult(self.tally, time.perf_counter() - t0, self._lost)

    async def _watch_lag(self) -> None:
        """How late the event loop wakes for a timer: the sender's own delay, which every
        latency and timeout of the run then includes (thousands of users in one process)."""
        while True:
            due = time.perf_counter() + _LAG_TICK_S
            await asyncio.sleep(_LAG_TICK_S)
            late_ms = (time.perf_counter() - due) * 1000
            self.tally.max_lag_ms = max(self.tally.max_lag_ms, late_ms)

    def _may_start(self) -> bool:
        if self._lost is not None:
            return False
        limit = self.plan.shape.requests
        if limit is not None and self._issued >= limit:
            return False
        return time.perf_counter() < self._deadline

    async def _user(self) -> None:
        try:  # around the loop, not each operation: nothing added per request
            while self._may_start():
                await self._operation(next(self._numbers))
        except ChannelLost as lost:
            self._lose(lost)

    async def _arrivals(self, rate: float, max_in_flight: int) -> None:
        """Start operations on a fixed timetable; at most ``max_in_flight`` wait at once.

        Process ``index`` of ``stride`` takes the slots ``index``, ``index + stride`` … of the
        run's one timetable (``rate`` is its share), so that workers do not all start at the
        same instants. The run ends as soon as nothing more may start: it does not wait out
        a slot that will never be used (at --rate 0.1, ten idle seconds added to the run).
        """
        slots = asyncio.Semaphore(max_in_flight)
        tasks: set[asyncio.Task[None]] = set()
        start = time.perf_counter()
        for k in itertools.count():
            due = start + slot_time(k, rate, self._index, self._stride)
            while self._may_start() and (delay := due - time.perf_counter()) > 0:
                await asyncio.sleep(min(delay, self._deadline - time.perf_counter()))
            if not self._may_start():
                break
            full = slots.locked()  # every slot taken when it was due: the backend is slow
            await slots.acquire()
            behind_ms = (time.perf_counter() - due) * 1000
            self.tally.max_behind_ms = max(self.tally.max_behind_ms, behind_ms)
            if full:
                self.tally.max_behind_full_ms = max(self.tally.max_behind_full_ms, behind_ms)
            self._issued += 1  # claimed now, so that --requests is not overshot by arrivals
            task = asyncio.create_task(self._arrival(next(self._numbers)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            task.add_done_callback(lambda _: slots.release())
        await asyncio.gather(*tasks)

    def _lose(self, lost: ChannelLost) -> None:
        """No operation starts after this; those in flight end as they end."""
        self._lost = self._lost or str(lost)

    async def _arrival(self, n: int) -> None:
        try:
            await self._operation(n, claimed=True)
        except ChannelLost as lost:
            self._lose(lost)

    async def _operation(self, n: int, *, claimed: bool = False) -> None:
        unit = self._schedule[n % len(self._schedule)]
        if not claimed:
            self._issued += 1
        first = await self._send(_FIRST[unit], operation_params(self.plan, unit, n))
        stop = _STOP.get(unit)
        if stop is None or not first.ok:
            return  # nothing was started that needs stopping
        self._issued += 1
        session = first.session_id or str(first.request_body.get("SessionID") or "")
        params = operation_params(
            self.plan, unit, n, session_id=session, cpo_partner=first.cpo_partner_session_id
        )
        stopped = await self._send(stop, params)
        if not stopped.ok:
            self.tally.stops_failed += 1  # a session the backend may still hold open

    async def _send(self, operation: Operation, params: SendParams) -> Exchange:
        exchange = await self._channel.send(operation, params)
        answered = exchange.http_status is not None
        self.tally.add(outcome_key(exchange), exchange.detail, exchange.elapsed_ms, answered)
        return exchange
