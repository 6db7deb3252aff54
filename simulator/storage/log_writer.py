"""Appending batches to the exchange log: the SQL, and the child process that runs it.

A hub whose database is a file writes its exchange log from a child process that runs this
file as a script. SQLite's work then happens beside the hub's event loop instead of taking
turns with it for the GIL on a thread, which cost a busy hub about a sixth of its
throughput. The script imports only the standard library, so it starts in milliseconds.
For an in-memory database (which no other process can open) the hub calls
:func:`append_batch` on its worker thread instead, so the SQL is in one place.

Protocol, one batch at a time: the parent writes a frame to stdin (a 4-byte big-endian
length, then a JSON array of encoded records in UTF-8); the child commits the batch and
answers on stdout with a status byte (0 written, 1 failed), a 4-byte length and the error
message in UTF-8 (empty when written). The end of stdin ends the process.
"""

from __future__ import annotations

import sqlite3
import struct
import sys
from collections.abc import Sequence
from typing import BinaryIO

FRAME = struct.Struct("!I")
REPLY = struct.Struct("!BI")
WRITTEN = 0
FAILED = 1

# The filter columns are read from each record, so they cannot disagree with it. One
# statement takes the whole batch: sqlite3 runs it without the GIL, whereas executemany
# took the GIL back once per row.
_INSERT_BATCH = """
    INSERT INTO exchanges (
        operator_id, service_type, server_certification, outcome, started_at, record
    )
    SELECT
        json_extract(value, '$.operator_id'),
        json_extract(value, '$.service_type'),
        json_extract(value, '$.server_certification'),
        json_extract(value, '$.outcome'),
        json_extract(value, '$.started_at'),
        value
    FROM json_each(?) ORDER BY key
"""

# AUTOINCREMENT ids only grow and the log loses rows only from its oldest end (or all at
# once), so the live ids are consecutive: the newest max_exchanges are those above
# max(id) - max_exchanges. Counting back with OFFSET instead read every kept row on each
# batch and cost four times the inserts themselves.
_DELETE_BEYOND = (
    "DELETE FROM exchanges WHERE exchange_id <= (SELECT max(exchange_id) FROM exchanges) - ?"
)


def records_array(records: Sequence[str]) -> str:
    """One JSON array of encoded records, the form a batch travels and is inserted in."""
    return "[" + ",".join(records) + "]"


def append_batch(connection: sqlite3.Connection, records_array: str, max_exchanges: int) -> None:
    """Append the records of a JSON array, then drop the oldest beyond ``max_exchanges``.

    Call it inside a transaction.
    """
    connection.execute(_INSERT_BATCH, (records_array,))
    connection.execute(_DELETE_BEYOND, (max_exchanges,))


def write_batch(connection: sqlite3.Connection, records_array: str, max_exchanges: int) -> str:
    """Commit one batch; "" once it is written, else why not (and nothing of it is kept)."""
    try:
        connection.execute("BEGIN IMMEDIATE")
        append_batch(connection, records_array, max_exchanges)
        connection.execute("COMMIT")
    except sqlite3.Error as exc:
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
