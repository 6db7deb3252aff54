"""The exchange log's pending file: what the hub has answered with but SQLite not yet got.

The log is written in batches (:mod:`exchange_writer`) so that a busy hub does not commit a
transaction per request. An answer that names an exchange (the admin API's send, an OICP
answer that made the hub call a CPO) must not name one that a ``kill -9`` then loses, and
waiting for the batch's commit would cost every request the round trip to the writer
process. So the hub gives each exchange its ``exchange_id`` itself and copies its batch
line into this file before it answers. The file is mapped into memory (``MAP_SHARED``): the
copy lands in the page cache, which the kernel keeps when the process dies (not when the
machine loses power, like the log's ``synchronous = NORMAL``), and it costs no system call.
A ``write`` per exchange took about a twentieth of the hub's time per request. Once every
line is committed the used part is zeroed; at start, the hub commits whatever a killed
predecessor left in it.

Lines are the batch lines of :mod:`log_writer` (JSON holds no raw newline and no NUL), one
per line, and the first NUL ends the content. A last line without its newline was cut by
the kill and is ignored (its answer never went out: the copy comes first, its newline last).
"""

from __future__ import annotations

import mmap
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
    content = data.split(b"\0", 1)[0]  # the mapped file's unused part is zeros
    complete, _, _ = content.rpartition(b"\n")
    return [line for line in complete.split(b"\n") if line] if complete else []


MAP_BYTES = 1 << 20
"""The mapped size to start with; the file grows by doubling when a batch needs more.
It is sparse: only the pages that lines touch take memory or disk."""


class PendingFile:
    """Copies lines into the mapped file and zeroes them when told they are committed.

    Opening it discards what the file held: commit that first (:func:`read_pending`).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        os.ftruncate(self._fd, 0)
        self._size = 0
        self._map: mmap.mmap | None = None
        self._used = 0
        self._remap(MAP_BYTES)

    def append(self, line: bytes) -> None:
        end = self._used + len(line)
        if end + 1 > self._size:
            self._remap(max(2 * self._size, end + 1))
        assert self._map is not None
        self._map[self._used : end] = line
        self._map[end] = 0x0A  # the newline last: a line cut by a kill has none
        self._used = end + 1

    def empty(self) -> None:
        """Forget every line: zeroed from the front, so a kill part-way leaves none."""
        assert self._map is not None
        if self._used:
            self._map[: self._used] = bytes(self._used)
            self._used = 0
        if self._size > MAP_BYTES:
            self._remap(MAP_BYTES)  # give back what one large batch took

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _remap(self, size: int) -> None:
        if self._map is not None:
            self._map.close()
        os.ftruncate(self._fd, size)
        self._map = mmap.mmap(self._fd, size)
        self._size = size
