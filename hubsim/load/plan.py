"""What a load run does: its shape, its mix of operations and its EvseIDs, checked up front.

Every refusal names the option, the bad value and what to give instead, before anything is
sent. The plan is a value: the same plan gives the same sequence of operations and EvseIDs.
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass

from hubsim.errors import CLIError

MAX_RESERVATION_MIN = 99  # OICP's Duration is 1-99 minutes
# Half of what the stub's and the hub's ports hold (512): at 1,000, a process that fell
# behind its --rate opened hundreds of TLS connections at once to catch up, fell further
# behind doing so, and went over the backend's limit (connection_closed) with a backend
# that answered in a millisecond.
DEFAULT_MAX_IN_FLIGHT = 256
# Each request in flight holds a connection and a task: a million users took a gigabyte
# for a run of five requests, and a larger -c ended in MemoryError.
MAX_IN_FLIGHT = 10_000
_TOO_MANY = (
    f"at most {MAX_IN_FLIGHT} requests in flight in one run (each holds a connection; a "
    "backend's port holds 512 by default); beyond one machine, run the Locust user class"
)


class Unit(enum.Enum):
    """One operation of the mix; a start-then-stop unit sends two requests on one session."""

    REMOTE_START = "remote-start"
    REMOTE_START_STOP = "remote-start-stop"
    RESERVATION_START = "reservation-start"
    RESERVATION_START_STOP = "reservation-start-stop"

    @property
    def requests(self) -> int:
        return 2 if self.value.endswith("-stop") else 1


DEFAULT_MIX = ((Unit.REMOTE_START_STOP, 1.0),)


@dataclass(frozen=True)
class EvsePattern:
    """EvseIDs drawn in turn from a numbered range: ``DE*ABC*E[0001-1000]``.

    The bracket's lower bound gives the width (leading zeros kept). A pattern without a
    bracket is one EvseID.
    """

    prefix: str
    first: int
    last: int
    width: int
    suffix: str

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    @property
    def text(self) -> str:
        """The pattern as written on the command line."""
        if self.width < 0:
            return self.prefix
        return f"{self.prefix}[{self.first:0{self.width}d}-{self.last}]{self.suffix}"

    def evse(self, n: int) -> str:
        """The EvseID of the n-th operation: the range in turn, from its start."""
        if self.width < 0:
            return self.prefix
        return f"{self.prefix}{self.first + n % self.count:0{self.width}d}{self.suffix}"


def crowding_note(plan: Plan) -> str | None:
    """Said before the run when -c users outnumber the EvseIDs: users then start sessions on
    EVSEs that another user is charging, which a stateful backend answers with 602."""
    users, evses = plan.shape.concurrency, plan.evse.count
    if users is None or users <= evses:
        return None
    return (
        f"-c {users} users share the {evses} EvseID{'s' if evses > 1 else ''} of --evse "
        f"{plan.evse.text!r}: some will start on an EVSE another user is charging, which a "
        f"stateful backend answers with 602; give a range of at least {users} EvseIDs"
    )


_RANGE = re.compile(r"\[([0-9]+)-([0-9]+)\]")  # ASCII: int() reads other scripts' digits too


def parse_evse_pattern(text: str) -> EvsePattern:
    ranges = _RANGE.findall(text)
    if not ranges:
        if "[" in text or "]" in text:
            raise CLIError(
                f"--evse {text!r}: a range is written [FIRST-LAST] with digits, "
                "e.g. 'DE*ABC*E[0001-1000]'"
            )
        return EvsePattern(text, 0, 0, -1, "")
    if len(ranges) > 1:
        raise CLIError(f"--evse {text!r}: give one [FIRST-LAST] range, not {len(ranges)}")
    match = _RANGE.search(text)
    assert match is not None
    first, last = int(match.group(1)), int(match.group(2))
    if last < first:
        raise CLIError(f"--evse {text!r}: the range {match.group(0)} ends before it starts")
    return EvsePattern(text[: match.start()], first, last, len(match.group(1)), text[match.end() :])


def parse_mix(text: str) -> tuple[tuple[Unit, float], ...]:
    """``remote-start-stop=3,reservation-start-stop=1``: operations and their weights."""
    names = ", ".join(u.value for u in Unit)
    mix: dict[Unit, float] = {}
    for part in text.split(","):
        name, sep, raw = part.strip().partition("=")
        try:
            unit = Unit(name.strip())
        except ValueError:
            raise CLIError(f"--mix: {name.strip()!r} is not an operation; use {names}") from None
        if unit in mix:  # which weight was meant is not for us to guess
            raise CLIError(
                f"--mix {text!r}: {unit.value} is given twice; give each operation once, "
                "with its weight"
            )
        mix[unit] = _weight(unit, raw.strip() if sep else "1")
    if not any(w > 0 for w in mix.values()):
        raise CLIError(f"--mix {text!r}: give at least one weight above 0")
    return tuple((u, w) for u, w in mix.items() if w > 0)


def _weight(unit: Unit, raw: str) -> float:
    try:
        weight = float(raw)
    except ValueError:
        raise CLIError(
            f"--mix: the weight of {unit.value} is {raw!r}, not a number; "
            f"write {unit.value}=2 (weights are numbers of 0 or more)"
        ) from None
    if not math.isfinite(weight) or weight < 0:
        raise CLIError(
            f"--mix: the weight of {unit.value} is {raw!r}; give a finite number of 0 or more"
        )
    return weight


def parse_duration(text: str) -> float:
    """``30``, ``30s``, ``2m`` or ``1h``: seconds, more than 0."""
    match = re.fullmatch(r"\s*([-+]?[0-9]+(?:\.[0-9]+)?)\s*(s|m|h)?\s*", text)
    if match is None:
        raise CLIError(f"--duration {text!r} is not a duration; write e.g. 30s, 2m or 1h")
    seconds = float(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2) or "s"]
    if seconds <= 0:
        raise CLIError(f"--duration {text!r}: give a duration of more than 0 (e.g. 30s)")
    return seconds


def unit_schedule(mix: tuple[tuple[Unit, float], ...], length: int = 1000) -> tuple[Unit, ...]:
    """A fixed, interleaved sequence that follows the weights (smooth weighted round robin),
    so that the n-th operation of a run is always the same one."""
    total = sum(w for _, w in mix)
    current = [0.0] * len(mix)
    out = []
    for _ in range(length):
        for i, (_, w) in enumerate(mix):
            current[i] += w
        best = max(range(len(mix)), key=lambda i: current[i])
        current[best] -= total
        out.append(mix[best][0])
    return tuple(out)


@dataclass(frozen=True)
class Shape:
    """How much load: a number of users or an arrival rate, for a duration or a count."""

    concurrency: int | None = None
    rate: float | None = None  # operations started per second
    duration_s: float | None = None
    requests: int | None = None
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT  # with --rate: what a slow backend piles up

    def __post_init__(self) -> None:
        problems = shape_problems(self)
        if problems:
            raise CLIError("\n".join(problems))


def shape_problems(shape: Shape) -> list[str]:
    """Every problem of the shape at once, a line each (a user fixes them in one go)."""
    problems = []
    if shape.concurrency is not None and shape.rate is not None:
        problems.append("give either -c/--concurrency or --rate, not both")
    if shape.concurrency is not None and shape.concurrency < 1:
        problems.append(f"-c {shape.concurrency}: give at least 1 concurrent user")
    if shape.concurrency is not None and shape.concurrency > MAX_IN_FLIGHT:
        problems.append(f"-c {shape.concurrency}: {_TOO_MANY}")
    if shape.rate is not None and not (math.isfinite(shape.rate) and shape.rate > 0):
        problems.append(
            f"--rate {shape.rate:g}: give a finite number of operations per second, more than 0"
        )
    if shape.duration_s is not None and shape.requests is not None:
        problems.append("give either --duration or --requests, not both")
    if shape.duration_s is None and shape.requests is None:
        problems.append("say how long to run: --duration 30s or --requests 1000")
    if shape.requests is not None and shape.requests < 1:
        problems.append(f"--requests {shape.requests}: give at least 1 request")
    if shape.max_in_flight < 1:
        problems.append(f"--max-in-flight {shape.max_in_flight}: give at least 1")
    if shape.max_in_flight > MAX_IN_FLIGHT:
        problems.append(f"--max-in-flight {shape.max_in_flight}: {_TOO_MANY}")
    return problems


def reservation_duration_problem(minutes: int) -> str | None:
    if 1 <= minutes <= MAX_RESERVATION_MIN:
        return None
    return (
        f"--reservation-duration {minutes}: OICP's Duration is 1 to {MAX_RESERVATION_MIN} minutes"
    )


@dataclass(frozen=True)
class Plan:
    """Everything a load process needs to know besides where to send."""

    shape: Shape
    mix: tuple[tuple[Unit, float], ...] = DEFAULT_MIX
    evse: EvsePattern = EvsePattern("DE*ABC*E", 1, 1000, 4, "")
    provider_id: str = "DE*ICE"
    evco_id: str | None = None
    reservation_duration: int = 15

    def __post_init__(self) -> None:
        problem = reservation_duration_problem(self.reservation_duration)
        if problem is not None:
            raise CLIError(problem)
