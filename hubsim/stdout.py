"""Standard output that says so when the report cannot reach it.

A command's report goes to stdout. Closed (``>&-``), Python has no stdout at all and
``print`` drops everything without a word; on a full disk (``> /dev/full``) a write fails
with an OSError that names no file, read as any other error. Both lose the report, so
both are told as such, naming standard output.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO, cast

CLOSED = (
    "standard output is closed (>&-), so the report would be lost: send it to a file "
    "(> report.txt), or to /dev/null to discard it"
)


class StdoutLost(OSError):
    """A write to standard output failed (other than a reader that went away)."""


class _Told:
    """``stream``, with its write failures raised as :class:`StdoutLost`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise  # ``| head``: the reader has what it wanted
        except OSError as exc:
            raise StdoutLost(exc.errno, exc.strerror) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutLost(exc.errno, exc.strerror) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def told_stdout() -> Iterator[None]:
    """Within: a failed write to stdout raises StdoutLost; on leaving, stdout is flushed
    (so that a failure shows here, not in the interpreter's last flush) and restored."""
    stream = sys.stdout
    if stream is None:  # closed, for a command that prints no report (a server)
        yield
        return
    sys.stdout = cast(TextIO, _Told(stream))
    try:
        yield
        sys.stdout.flush()
    finally:
        sys.stdout = stream


def lost_sentence(exc: StdoutLost) -> str:
    return (
        f"the report could not be written to standard output ({exc.strerror or exc}); "
        "send it where there is room, or to a file"
    )
