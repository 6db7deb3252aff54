"""The exchange log's writer: an in-memory queue drained in batches by a background task.

The sender records an exchange on every request. Writing each one synchronously would put a
disk write (and, in WAL mode, a sync) on every request's path, so :meth:`ExchangeWriter.record`
only appends to a queue; a background task writes whatever has accumulated in one
transaction: through the log's writer process for a database in a file, on the database's
worker thread for an in-memory one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from simulator.exchange import Exchange
from simulator.storage.errors import StorageError
from simulator.storage.exchanges import encode_exchange
from simulator.storage.pending import PendingFile

AppendBatch = Callable[[list[bytes]], Awaitable[None]]
"""Writes one batch of encoded exchanges in one transaction, or raises."""

_log = logging.getLogger(__name__)

BATCH_SIZE = 2000
"""The most exchanges written in one transaction."""

LINGER_S = 0.2
"""How long the writer lets a batch gather before writing it, unless someone flushes.

Without it, a busy hub wrote a transaction for nearly every request, and that cost as much
CPU as the HTTPS exchange itself. Users never see the delay: the admin API and the portal
flush before they read the log."""


class ExchangeWriter:
    """Queues exchanges and writes them in batches; :meth:`flush` waits for them.

    Use it from the event loop's thread only. Entries are numbered as they are recorded;
    :meth:`flush` waits until every entry numbered so far has been written (or dropped as
    older than the log's bound).
    """

    def __init__(
        self,
        append: AppendBatch,
        max_exchanges: int,
        *,
        next_id: int = 1,
        pending: PendingFile | None = None,
    ) -> None:
        self._append = append
        self._max_exchanges = max_exchanges
        self._next_id = next_id  # the hub numbers the exchanges: it answers with the number
        self._pending_file = pending
        self._keep_pending_file = False  # a batch failed: its lines stay for the next start
        self._pending: deque[tuple[int, bytes]] = deque()
        self._in_flight_first: int | None = None
        self._next_number = 1
        self._wakeup = asyncio.Event()
        self._urgent = asyncio.Event()  # a flush or close is waiting: write now
        self._progress = asyncio.Condition()
        self._failures: list[str] = []
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the background task on the running loop."""
        self._task = asyncio.get_running_loop().create_task(
            self._run(), name="hubsim-exchange-writer"
        )

    def record(self, exchange: Exchange) -> Exchange:
        """Queue one exchange and return it with its ``exchange_id``; returns at once.

        With a pending file the exchange's line goes there first (one ``write``), so that
        it survives a killed process; the database is not touched.
        """
        if self._stopping:
            raise StorageError("the exchange log is closed: open the storage again to record")
        # Set in place, not copied: the exchange was made for this one record, and copying
        # its twenty fields would be one more cost on every request.
        exchange.exchange_id = self._next_id
        numbered = exchange
        row = encode_exchange(numbered)
        if self._pending_file is not None:
            self._pending_file.append(row)
        self._next_id += 1
        if len(self._pending) >= self._max_exchanges:
            # The log keeps only the newest max_exchanges, so the oldest queued entry would
            # be deleted right after being written: drop it now and keep memory bounded.
            self._pending.popleft()
        self._pending.append((self._next_number, row))
        self._next_number += 1
        if len(self._pending) >= BATCH_SIZE:
            self._urgent.set()
        self._wakeup.set()
        return numbered

    async def flush(self) -> None:
        """Wait until everything recorded before this call is written.

        Raises :class:`StorageError` if a batch could not be written since the last flush.
        """
        target = self._next_number - 1
        self._urgent.set()
        async with self._progress:
            await self._progress.wait_for(lambda: self._settled_past(target))
        self._raise_failures()

    async def close(self) -> None:
        """Write what is queued, then stop the background task."""
        if self._stopping:
            return
        self._stopping = True
        self._urgent.set()
        self._wakeup.set()
        if self._task is not None:
            await self._task
        if self._pending_file is not None:
            self._pending_file.close()
        self._raise_failures()

    def _settled_past(self, number: int) -> bool:
        if self._task is None or self._task.done():
            return True  # nothing will ever write the rest; do not wait forever
        return self._oldest_unwritten() > number

    def _oldest_unwritten(self) -> int:
        if self._in_flight_first is not None:
            return self._in_flight_first
        if self._pending:
            return self._pending[0][0]
        return self._next_number

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            if not self._urgent.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._urgent.wait(), LINGER_S)
            self._urgent.clear()
            await self._drain()
            if self._stopping and not self._pending:
                return

    async def _drain(self) -> None:
        """Write one batch, and more only while someone waits or a full batch is queued.

        Writing on without a pause made a busy hub write a small batch after every other,
        each taking the GIL from the event loop; what is left waits for its own linger.
        """
        while self._pending:
            await self._write_batch()
            if not (self._urgent.is_set() or self._stopping or len(self._pending) >= BATCH_SIZE):
                break
        if self._pending:
            self._wakeup.set()
        else:
            self._urgent.clear()  # whoever asked has been served
            # Everything recorded is committed (record() cannot run between the last write
            # and here: one thread), so nothing in the pending file is needed any more.
            if self._pending_file is not None and not self._keep_pending_file:
                self._pending_file.empty()

    async def _write_batch(self) -> None:
        count = min(len(self._pending), BATCH_SIZE)
        batch = [self._pending.popleft() for _ in range(count)]
        self._in_flight_first = batch[0][0]
        rows = [row for _, row in batch]
        try:
            await self._append(rows)
        except Exception as exc:  # a background task has no caller to raise to: keep going
            _log.error("exchange log: %d exchange(s) lost: %s", len(rows), exc)
            self._keep_pending_file = True
            self._failures.append(f"{len(rows)} exchange(s) could not be written: {exc}")
        finally:
            self._in_flight_first = None
            async with self._progress:
                self._progress.notify_all()

    def _raise_failures(self) -> None:
        if self._failures:
            failures, self._failures = self._failures, []
            raise StorageError("exchange log: " + "; ".join(failures))
