"""Progress while a run goes on: one line rewritten in place on a terminal, plain periodic
lines otherwise (CI logs), on stderr so that ``--json`` output stays one object."""

from __future__ import annotations

import time
from typing import TextIO

from hubsim.load.stats import Tally, rate_text


class Progress:
    def __init__(self, out: TextIO, *, interval_s: float | None = None) -> None:
        self._out = out
        self._live = out.isatty()
        self.interval_s = interval_s or (0.5 if self._live else 5.0)
        self._t0 = time.perf_counter()
        self._last = (self._t0, 0)

    def start(self) -> None:
        """The load begins now: time and rate count from here, not from the command's start."""
        self._t0 = time.perf_counter()
        self._last = (self._t0, 0)

    def show(self, tally: Tally, *, last: bool = False) -> None:
        now, done = time.perf_counter(), tally.requests
        then, before = self._last
        if now - then < self.interval_s * 0.5 and not last:
            return  # about one line per interval, however late the last one came
        self._last = (now, done)
        rate = ""  # the last line's interval may be a sliver: the report gives the run's rate
        if not last:
            rate = rate_text((done - before) / (now - then) if now > then else 0.0) + "  "
        errors = " ".join(
            f"{k} {o.count}" for k, o in sorted(tally.outcomes.items()) if k != "accepted"
        )
        line = (
            f"{now - self._t0:6.1f} s  {done} requests  {rate}"
            f"p50 {tally.percentile_ms(50):.1f} ms  p99 {tally.percentile_ms(99):.1f} ms"
            + (f"  not accepted: {errors}" if errors else "")
        )
        if self._live:
            self._out.write("\r\033[K" + line)
        else:
            self._out.write(line + "\n")
        self._out.flush()

    def interrupted(self) -> None:
        """Ctrl-C: end the line rewritten in place, so the shell's prompt starts on its own."""
        if self._live:
            self._out.write("\n")
            self._out.flush()

    def done(self, tally: Tally) -> None:
        """The last line, with the run's totals (the report below gives its rate)."""
        self.show(tally, last=True)
        if self._live:
            self._out.write("\n")
            self._out.flush()
