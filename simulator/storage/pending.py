"""The exchange log's pending file: what the hub has answered with but SQLite not yet got.

The log is written in batches (:mod:`exchange_writer`) so that a busy hub does not commit a
transaction per request. An answer that names an exchange (the admin API's send, an OICP
answer that made the hub call a CPO) must not name one that a ``kill -9`` then loses, and
waiting for the batch's commit would cost every request the round trip to the writer
process. So the hub gives each exchange its ``exchange_id`` itself and appends its batch
line to this file before it answers: one ``write`` to the page cache, which the kernel
keeps when the process dies (not when the machine loses power, like the log's
``synchronous = NORMAL``). Once every line is committed the file is emptied; at start, the
hub commits whatever a killed predecessor left in it.

Lines are the batch lines of :mod:`log_writer` (JSON holds no raw newline), one per line;
a last line without its newline was cut by the kill and is ignored (its answer never went
out: the write comes first).
"""

from __future__ import annotations

import os
from pathlib import Path

SUFFIX = "-exchanges-pending"


def pending_path(database: str) -> Path:
    """The pending file that goes with a database file."""
    return Path(database + SUFFIX)


def read_pending(path: Path) -> list[bytes]:
    """The complete lines of a pending file (none when it does not exist)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    complete, _, _ = data.rpartition(b"\n")
    return [line for line in complete.split(b"\n") if line] if complete else []


class PendingFile:
    """Appends lines with one ``write`` each and empties the file when told."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def append(self, line: bytes) -> None:
        data = memoryview(line + b"\n")
        while data:
            data = data[os.write(self._fd, data) :]

    def empty(self) -> None:
        os.ftruncate(self._fd, 0)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
