"""The exchange log's writer process: a database in a file is logged from a child process."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from simulator.exchange import Exchange
from simulator.storage import MIGRATIONS, Storage, StorageError, apply_migrations, log_writer
from simulator.storage.exchanges import encode_exchange

ExchangeFactory = Callable[..., Exchange]


async def test_a_file_database_is_logged_by_its_writer_process(
    tmp_path: Path, make_exchange: ExchangeFactory
) -> None:
    async with await Storage.open(tmp_path / "hub.db") as storage:
        assert storage.log_process_pid is not None
        storage.record_exchange(make_exchange(detail="through the child"))
        await storage.flush()
        (logged,) = await storage.list_exchanges()
    assert logged.detail == "through the child"


async def test_an_in_memory_database_is_logged_on_its_worker_thread(
    make_exchange: ExchangeFactory,
) -> None:
    async with await Storage.open(":memory:") as storage:
        assert storage.log_process_pid is None  # no other process can open it
        storage.record_exchange(make_exchange())
        await storage.flush()
        assert await storage.count_exchanges() == 1


async def test_closing_the_storage_ends_the_writer_process(tmp_path: Path) -> None:
    storage = await Storage.open(tmp_path / "hub.db")
    pid = storage.log_process_pid
    assert pid is not None
    await storage.close()
    assert not Path(f"/proc/{pid}").exists()


async def test_a_dead_writer_process_fails_the_flush_naming_it(
    tmp_path: Path, make_exchange: ExchangeFactory
) -> None:
    storage = await Storage.open(tmp_path / "hub.db")
    pid = storage.log_process_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    storage.record_exchange(make_exchange())
    with pytest.raises(StorageError, match=r"writer process for .*hub\.db ended"):
        await storage.flush()
    await storage.close()  # closes cleanly after reporting the loss


def _connection() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    apply_migrations(connection, MIGRATIONS)
    return connection


def _frame(lines: list[bytes]) -> bytes:
    payload = log_writer.batch_bytes(lines)
    return log_writer.FRAME.pack(len(payload)) + payload


def _replies(data: bytes) -> list[tuple[int, str]]:
    replies, view = [], io.BytesIO(data)
    while header := view.read(log_writer.REPLY.size):
        status, length = log_writer.REPLY.unpack(header)
        replies.append((status, view.read(length).decode()))
    return replies


def test_the_writer_answers_each_batch_once_committed(make_exchange: ExchangeFactory) -> None:
    connection = _connection()
    records = [encode_exchange(make_exchange(detail=f"n{i}")) for i in range(3)]
    out = io.BytesIO()
    log_writer.serve(connection, 100, io.BytesIO(_frame(records[:2]) + _frame(records[2:])), out)
    assert _replies(out.getvalue()) == [(log_writer.WRITTEN, ""), (log_writer.WRITTEN, "")]
    assert connection.execute("SELECT count(*) FROM exchanges").fetchone()[0] == 3


def test_the_writer_reports_a_failed_batch_and_keeps_none_of_it(
    make_exchange: ExchangeFactory,
) -> None:
    connection = _connection()
    out = io.BytesIO()
    good = encode_exchange(make_exchange())
    no_outcome = b'[null, "DE*ABC", null, null, null, "2025-06-01T12:00:00+00:00"]\t{}'
    log_writer.serve(connection, 100, io.BytesIO(_frame([good, no_outcome])), out)
    ((status, problem),) = _replies(out.getvalue())
    assert status == log_writer.FAILED and "NOT NULL" in problem
    assert connection.execute("SELECT count(*) FROM exchanges").fetchone()[0] == 0


def test_the_writer_refuses_a_malformed_batch_line_and_keeps_none_of_it(
    make_exchange: ExchangeFactory,
) -> None:
    connection = _connection()
    out = io.BytesIO()
    good = encode_exchange(make_exchange())
    log_writer.serve(connection, 100, io.BytesIO(_frame([good, b"not a line"])), out)
    ((status, problem),) = _replies(out.getvalue())
    assert status == log_writer.FAILED and "malformed exchange log line 'not a line'" in problem
    assert connection.execute("SELECT count(*) FROM exchanges").fetchone()[0] == 0
