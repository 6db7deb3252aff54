"""Appending batches to the exchange log: the SQL, and the child process that runs it.

A hub whose database is a file writes its exchange log from a child process that runs this
file as a script. SQLite's work then happens beside the hub's event loop instead of taking
turns with it for the GIL on a thread, which cost a busy hub about a sixth of its
throughput. The script imports only the standard library, so it starts in milliseconds.
For an in-memory database (which no other process can open) the hub calls
:func:`append_records` on its worker thread instead.

A batch is UTF-8 text, one line per exchange: ``COLUMNS<TAB>RECORD``, where COLUMNS is a JSON
array of the exchange_id (given by the hub, see :mod:`pending`) and the five filter columns
(operator_id, service_type, server_certification, outcome, started_at) and RECORD the
exchange's JSON record. JSON text holds no raw tab or newline, so
both separators are unambiguous. The hub writes the columns beside the record, already
known to it, so that SQLite need not parse every record again to find them (extracting
them cost the writer a third of its time). The hub keeps the lines as the bytes orjson
wrote, so nothing is decoded and encoded again on the way to the pipe.

Protocol, one batch at a time: the parent writes a frame to stdin (a 4-byte big-endian
length, then the batch in UTF-8); the child commits the batch and answers on stdout with a
status byte (0 written, 1 failed), a 4-byte length and the error message in UTF-8 (empty
when written). The end of stdin ends the process.
"""

from __future__ import annotations

import json
import sqlite3
import struct
import sys
from collections.abc import Iterator, Sequence
from typing import BinaryIO

FRAME = struct.Struct("!I")
REPLY = struct.Struct("!BI")
WRITTEN = 0
FAILED = 1

# DO NOTHING on a known exchange_id: after a crash the hub writes its pending file again
# (see pending.py), and some of its exchanges may have been committed already. (Not OR
# IGNORE, which would also skip rows that break NOT NULL instead of failing the batch.)
_INSERT = """
    INSERT INTO exchanges (
        exchange_id, operator_id, service_type, server_certification, outcome, started_at,
        record
    ) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (exchange_id) DO NOTHING
"""
# For an in-memory database, on the hub's worker thread: one statement takes the whole
# batch and SQLite reads the columns from each record, so that no Python runs per row there
# (executemany would take the GIL back from the event loop once per row).
_INSERT_RECORDS = """
    INSERT INTO exchanges (
        exchange_id, operator_id, service_type, server_certification, outcome, started_at,
        record
    )
    SELECT
        json_extract(value, '$.exchange_id'),
        json_extract(value, '$.operator_id'),
        json_extract(value, '$.service_type'),
        json_extract(value, '$.server_certification'),
        json_extract(value, '$.outcome'),
        json_extract(value, '$.started_at'),
        value
    FROM json_each(?) WHERE true ORDER BY key
    ON CONFLICT (exchange_id) DO NOTHING
"""
COLUMN_COUNT = 6
FIELD_SEPARATOR = b"\t"
LINE_SEPARATOR = b"\n"
_FIELD_TEXT, _LINE_TEXT = FIELD_SEPARATOR.decode(), LINE_SEPARATOR.decode()  # the child reads text

# AUTOINCREMENT ids only grow and the log loses rows only from its oldest end (or all at
# once), so the live ids are consecutive: the newest max_exchanges are those above
# max(id) - max_exchanges. Counting back with OFFSET instead read every kept row on each
# batch and cost four times the inserts themselves.
_DELETE_BEYOND = (
    "DELETE FROM exchanges WHERE exchange_id <= (SELECT max(exchange_id) FROM exchanges) - ?"
)


def batch_bytes(lines: Sequence[bytes]) -> bytes:
    """One batch: its lines (``COLUMNS<TAB>RECORD`` each, in UTF-8), as it travels."""
    return LINE_SEPARATOR.join(lines)


def _rows(batch: str) -> Iterator[tuple[object, ...]]:
    for line in batch.split(_LINE_TEXT):
        columns, separator, record = line.partition(_FIELD_TEXT)
        values = json.loads(columns) if separator else None
        if not isinstance(values, list) or len(values) != COLUMN_COUNT:
            raise ValueError(
                f"malformed exchange log line {line[:60]!r}: expected a JSON array of "
                f"{COLUMN_COUNT} columns, a tab and the record"
            )
        yield (*values, record)


def append_batch(connection: sqlite3.Connection, batch: str, max_exchanges: int) -> None:
    """Append the exchanges of a batch, then drop the oldest beyond ``max_exchanges``.

    In the writer process. Call it inside a transaction: a malformed line raises ValueError
    before the commit.
    """
    connection.executemany(_INSERT, _rows(batch))
    connection.execute(_DELETE_BEYOND, (max_exchanges,))


def append_records(
    connection: sqlite3.Connection, lines: Sequence[bytes], max_exchanges: int
) -> None:
    """:func:`append_batch` for the hub's worker thread (an in-memory database): the records
    go to SQLite as one JSON array, which it reads without the GIL. Call it inside a
    transaction."""
    records = b",".join(line.partition(FIELD_SEPARATOR)[2] for line in lines)
    connection.execute(_INSERT_RECORDS, ((b"[" + records + b"]").decode("utf-8"),))
    connection.execute(_DELETE_BEYOND, (max_exchanges,))


def write_batch(connection: sqlite3.Connection, batch: str, max_exchanges: int) -> str:
    """Commit one batch; "" once it is written, else why not (and nothing of it is kept)."""
    try:
        connection.execute("BEGIN IMMEDIATE")
        append_batch(connection, batch, max_exchanges)
        connection.execute("COMMIT")
    except (sqlite3.Error, ValueError) as exc:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        return str(exc) or type(exc).__name__
    return ""


def serve(connection: sqlite3.Connection, max_exchanges: int, src: BinaryIO, dst: BinaryIO) -> None:
    """Answer frames from ``src`` on ``dst`` until ``src`` ends."""
    while True:
        header = src.read(FRAME.size)
        if len(header) < FRAME.size:
            return
        (length,) = FRAME.unpack(header)
        payload = src.read(length)
        if len(payload) < length:
            return
        problem = write_batch(connection, payload.decode("utf-8"), max_exchanges).encode()
        dst.write(REPLY.pack(FAILED if problem else WRITTEN, len(problem)) + problem)
        dst.flush()


def main(argv: list[str]) -> int:
    """``log_writer.py DATABASE MAX_EXCHANGES BUSY_TIMEOUT_S``: serve stdin until it ends."""
    path, max_exchanges, busy_timeout_s = argv[1], int(argv[2]), float(argv[3])
    connection = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
    try:
        # The log's durability, as before: survives a killed process; a power cut may lose
        # the last batch.
        connection.execute("PRAGMA synchronous = NORMAL")
        serve(connection, max_exchanges, sys.stdin.buffer, sys.stdout.buffer)
    finally:
        connection.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
