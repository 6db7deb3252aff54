"""Writes with durable=False that arrive together share one transaction (group commit),
and each keeps all or nothing of its own work."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from simulator.storage.database import Database
from simulator.storage.errors import StorageError

TABLE = "CREATE TABLE IF NOT EXISTS notes (n INTEGER PRIMARY KEY)"


async def open_notes(path: Path) -> Database:
    database = await Database.open(path)
    await database.write(lambda c: c.execute(TABLE))
    return database


def insert(n: int) -> Callable[[sqlite3.Connection], int]:
    def job(connection: sqlite3.Connection) -> int:
        connection.execute("INSERT INTO notes (n) VALUES (?)", (n,))
        return n

    return job


async def stored(database: Database) -> list[int]:
    return await database.read(
        lambda c: [r[0] for r in c.execute("SELECT n FROM notes ORDER BY n")]
    )


async def test_writes_that_arrive_together_are_committed_in_one_transaction(
    tmp_path: Path,
) -> None:
    database = await open_notes(tmp_path / "hub.db")
    statements: list[str] = []
    try:
        # The connection lives on the worker thread: install the trace there.
        await database.read(lambda c: c.set_trace_callback(statements.append))
        results = await asyncio.gather(
            *(database.write(insert(n), durable=False) for n in range(20))
        )
        await database.read(lambda c: c.set_trace_callback(None))
    finally:
        await database.close()

    assert results == list(range(20))
    assert statements.count("COMMIT") == 1
    with sqlite3.connect(tmp_path / "hub.db") as reader:
        assert [r[0] for r in reader.execute("SELECT n FROM notes ORDER BY n")] == list(range(20))


async def test_a_grouped_write_that_fails_undoes_only_its_own_work(tmp_path: Path) -> None:
    database = await open_notes(tmp_path / "hub.db")

    def half_then_fail(connection: sqlite3.Connection) -> None:
        connection.execute("INSERT INTO notes (n) VALUES (100)")
        raise ValueError("refused after half its work")

    try:
        outcomes = await asyncio.gather(
            database.write(insert(1), durable=False),
            database.write(half_then_fail, durable=False),
            database.write(insert(2), durable=False),
            return_exceptions=True,
        )
        kept = await stored(database)
    finally:
        await database.close()

    assert outcomes[0] == 1 and outcomes[2] == 2
    assert isinstance(outcomes[1], ValueError)
    assert kept == [1, 2]


async def test_a_grouped_sqlite_error_is_a_storage_error_naming_the_database(
    tmp_path: Path,
) -> None:
    database = await open_notes(tmp_path / "hub.db")
    try:
        await database.write(insert(7), durable=False)
        with pytest.raises(StorageError, match=r"hub\.db: UNIQUE constraint failed"):
            await database.write(insert(7), durable=False)
    finally:
        await database.close()


async def test_a_grouped_write_cancelled_before_its_group_starts_never_runs(
    tmp_path: Path,
) -> None:
    database = await open_notes(tmp_path / "hub.db")
    try:
        first = asyncio.create_task(database.write(insert(1), durable=False))
        second = asyncio.create_task(database.write(insert(2), durable=False))
        await asyncio.sleep(0)  # both are queued; the group is not taken yet
        second.cancel()
        await first
        with pytest.raises(asyncio.CancelledError):
            await second
        kept = await stored(database)
    finally:
        await database.close()

    assert kept == [1]


async def test_closing_commits_the_grouped_writes_it_accepted(tmp_path: Path) -> None:
    database = await open_notes(tmp_path / "hub.db")
    pending = [asyncio.create_task(database.write(insert(n), durable=False)) for n in range(5)]
    await asyncio.sleep(0)
    await database.close()

    assert [task.result() for task in pending] == list(range(5))
    with sqlite3.connect(tmp_path / "hub.db") as reader:
        assert [r[0] for r in reader.execute("SELECT n FROM notes ORDER BY n")] == list(range(5))


async def test_a_read_after_a_queued_write_sees_it_before_anyone_awaits_the_write(
    tmp_path: Path,
) -> None:
    database = await open_notes(tmp_path / "hub.db")
    try:
        queued = database.queue_write(insert(1))  # in line now, not committed yet
        seen = await stored(database)
        committed = await queued
    finally:
        await database.close()

    assert seen == [1]
    assert committed == 1


async def test_a_durable_write_after_a_queued_write_comes_after_it(tmp_path: Path) -> None:
    database = await open_notes(tmp_path / "hub.db")
    try:
        queued = database.queue_write(insert(1))
        largest = await database.write(
            lambda c: c.execute("SELECT max(n) FROM notes").fetchone()[0]
        )
        await queued
    finally:
        await database.close()

    assert largest == 1


async def test_a_group_without_a_failing_write_uses_no_savepoints(tmp_path: Path) -> None:
    database = await open_notes(tmp_path / "hub.db")
    statements: list[str] = []
    try:
        await database.read(lambda c: c.set_trace_callback(statements.append))
        await asyncio.gather(*(database.write(insert(n), durable=False) for n in range(5)))
        await database.read(lambda c: c.set_trace_callback(None))
    finally:
        await database.close()

    assert statements.count("COMMIT") == 1
    assert not [s for s in statements if "SAVEPOINT" in s or "RELEASE" in s]
