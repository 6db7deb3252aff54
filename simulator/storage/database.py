"""The SQLite connection and the one worker thread that owns it.

SQLite calls block (disk I/O, fsync, waiting for another process's lock), so none of them
may run on the event loop. Every statement runs on a single dedicated thread: the
connection is created there and keeps sqlite3's ``check_same_thread`` guard, so a call from
any other thread fails loudly instead of racing. One thread also serialises all access,
which is what a single SQLite connection needs.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from simulator.storage.errors import StorageError
from simulator.storage.migrations import MIGRATIONS, Migration, apply_migrations
from simulator.storage.transaction import immediate_transaction

T = TypeVar("T")

Job = Callable[[sqlite3.Connection], Any]
Outcome = tuple[bool, Any]
"""A grouped job's result: (True, its value) or (False, the exception it raised)."""

BUSY_TIMEOUT_S = 5.0
"""How long a statement waits for another process's write lock before it fails."""

PAGE_SIZE = 16384
"""SQLite's page size for a new database file, in bytes (see ``_configure``)."""


class Database:
    """A migrated SQLite database whose every call runs on its own worker thread."""

    def __init__(self, path: str, executor: ThreadPoolExecutor, connection: sqlite3.Connection):
        self.path = path
        self._executor = executor
        self._connection = connection
        self._synchronous = "FULL"  # touched on the worker thread only
        self._closed = False
        # Writes with durable=False that wait to be committed together (group commit).
        self._group: list[tuple[Job, asyncio.Future[Any]]] = []
        self._group_task: asyncio.Task[None] | None = None
        # Resolved when the queued group has been handed to the worker thread; a read or a
        # durable write that arrives meanwhile waits for it, so it never overtakes them.
        self._handed: asyncio.Future[None] | None = None

    @classmethod
    async def open(cls, path: str | Path, migrations: Sequence[Migration] = MIGRATIONS) -> Database:
        """Open (or create) the database at ``path`` and bring its schema up to date."""
        text = str(path)
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hubsim-storage")
        loop = asyncio.get_running_loop()
        try:
            connection = await loop.run_in_executor(executor, _connect, text, migrations)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(text, executor, connection)

    async def read(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``job(connection)`` on the worker thread, outside any explicit transaction."""
        return await self._submit(lambda: self._guarded(lambda: job(self._connection)))

    async def write(self, job: Callable[[sqlite3.Connection], T], *, durable: bool = True) -> T:
        """Run ``job(connection)`` in one transaction on the worker thread.

        When this returns, the transaction is committed; if ``job`` raises, nothing it did is
        kept. ``durable`` writes use ``synchronous=FULL`` (the WAL is synced at every commit,
        so a crash or power cut right after "saved" loses nothing); the exchange log passes
        ``durable=False`` (``NORMAL``: survives a killed process, may lose the last batch on
        a power cut). If the awaiting task is cancelled, the job runs whole (if it had
        started) or not at all: there is never half a transaction.

        ``durable=False`` writes that arrive together share one transaction (group commit,
        :meth:`_grouped`); each still keeps all or nothing of its own work.
        """
        if not durable:
            return await self.queue_write(job)
        return await self._submit(lambda: self._guarded(lambda: self._transact(job, durable)))

    def queue_write(self, job: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue ``job`` as a ``durable=False`` write now, and return its commit to await.

        The write is in line from this call on: every read and write that is called after
        it sees it (or its failure), even before anyone awaits the returned future. The EMP
        path queues a new session this way and forwards the remote start while it commits.
        """
        return self._grouped(job)

    async def close(self) -> None:
        """Close the connection and stop the worker thread. Closing twice is harmless."""
        if self._closed:
            return
        self._closed = True  # refuse new work from here on
        if self._group_task is not None:
            await asyncio.shield(self._group_task)  # what was accepted is committed first
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._connection.close)
        # The worker is idle now (its last job has finished), so joining it is immediate.
        self._executor.shutdown(wait=True)

    async def _submit(self, call: Callable[[], T]) -> T:
        self._refuse_if_closed()
        if self._group:
            await self._queued_handed()
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def _queued_handed(self) -> None:
        """Wait until the writes queued so far are on the worker thread's queue: the worker
        runs its jobs in order, so a call submitted after that sees them."""
        if self._handed is None:
            self._handed = asyncio.get_running_loop().create_future()
        await asyncio.shield(self._handed)

    def _grouped(self, job: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue ``job`` for the next group transaction; the future is its commit.

        Every EMP remote start writes its session twice; with 32 at once, a transaction
        each spent most of the hub's time in BEGIN, COMMIT and the WAL writes of the same
        pages, and in waking the worker thread. Jobs queued while a group runs go into the
        next one; a job that raises undoes only its own work (:meth:`_transact_group`).
        """
        self._refuse_if_closed()
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._group.append((job, future))
        if self._group_task is None:
            self._group_task = asyncio.get_running_loop().create_task(
                self._run_groups(), name="hubsim-storage-group"
            )
        return future

    async def _run_groups(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._group:
                taken, self._group = self._group, []
                # A job whose caller was cancelled before it started never runs.
                taken = [(job, f) for job, f in taken if not f.cancelled()]
                jobs = [job for job, _ in taken]
                running = (
                    loop.run_in_executor(
                        self._executor, functools.partial(self._guarded_group, jobs)
                    )
                    if jobs
                    else None
                )
                self._tell_handed()
                if running is None:
                    continue
                try:
                    outcomes = await running
                except Exception as exc:  # BEGIN or COMMIT failed: nothing of the group is kept
                    outcomes = [(False, exc)] * len(taken)
                for (_, future), (ok, value) in zip(taken, outcomes, strict=True):
                    if future.done():
                        continue  # cancelled while its group ran: it ran whole
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        finally:
            self._group_task = None
            self._tell_handed()

    def _tell_handed(self) -> None:
        handed, self._handed = self._handed, None
        if handed is not None and not handed.done():
            handed.set_result(None)

    def _guarded_group(self, jobs: list[Job]) -> list[Outcome]:
        return self._guarded(lambda: self._transact_group(jobs))

    def _transact_group(self, jobs: list[Job]) -> list[Outcome]:
        """All jobs in one transaction; if one raises, the group runs again with a savepoint
        per job, so that only the failing job's work is undone.

        Most groups succeed whole, and two savepoint statements per job were a quarter of
        the statements of an EMP remote start; a job is a function of the database alone,
        so running it again after the rollback does the same work.
        """
        self._set_synchronous("NORMAL")
        job_failed = False
        try:
            with immediate_transaction(self._connection):
                try:
                    values = [job(self._connection) for job in jobs]
                except Exception:
                    job_failed = True
                    raise
        except Exception:
            if not job_failed:
                raise  # BEGIN or COMMIT itself failed: the whole group fails
            return self._transact_each(jobs)
        return [(True, value) for value in values]

    def _transact_each(self, jobs: list[Job]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        with immediate_transaction(self._connection):
            for job in jobs:
                self._connection.execute("SAVEPOINT job")
                try:
                    value = job(self._connection)
                except Exception as exc:
                    self._connection.execute("ROLLBACK TO job")
                    self._connection.execute("RELEASE job")
                    failure = self._storage_error(exc) if isinstance(exc, sqlite3.Error) else exc
                    outcomes.append((False, failure))
                else:
                    self._connection.execute("RELEASE job")
                    outcomes.append((True, value))
        return outcomes

    def _guarded(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except sqlite3.Error as exc:
            raise self._storage_error(exc) from exc

    def _storage_error(self, exc: sqlite3.Error) -> StorageError:
        return StorageError(f"database {self.path}: {exc}")

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise StorageError(f"database {self.path} is closed: open it again to use it")

    def _transact(self, job: Callable[[sqlite3.Connection], T], durable: bool) -> T:
        self._set_synchronous("FULL" if durable else "NORMAL")
        with immediate_transaction(self._connection):
            return job(self._connection)

    def _set_synchronous(self, level: str) -> None:
        # A connection-wide setting: set it between transactions, just before BEGIN.
        if level != self._synchronous:
            self._connection.execute(f"PRAGMA synchronous = {level}")
            self._synchronous = level


def _connect(path: str, migrations: Sequence[Migration]) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise StorageError(
            f"cannot open database {path}: {exc}; check that its directory exists and is writable"
        ) from exc
    try:
        _configure(connection)
        apply_migrations(connection, migrations)
    except sqlite3.Error as exc:
        connection.close()
        raise StorageError(f"cannot open database {path}: {exc}") from exc
    except BaseException:
        connection.close()
        raise
    return connection


def _configure(connection: sqlite3.Connection) -> None:
    connection.row_factory = sqlite3.Row
    # Only a new database takes this size (set before WAL mode writes its first page); an
    # existing file keeps its own. An exchange record is about 1.5 KB, so a 4 KB page held
    # two and left a quarter empty: with 16 KB pages the log's writer process spends about
    # 40% less CPU per exchange (fewer pages to write, check and copy back from the WAL).
    connection.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    # WAL: readers (another hubsim process, the CLI) never block the writer, and a commit is
    # one append to the log. An in-memory database stays in "memory" mode, which is fine.
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    # SQLite leaves foreign keys off per connection; the cascades depend on them.
    connection.execute("PRAGMA foreign_keys = ON")
