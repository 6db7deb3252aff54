"""All-or-nothing transactions on a raw connection (used on the worker thread only)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def immediate_transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """Run the block in one transaction: committed when it ends, rolled back if it raises.

    ``BEGIN IMMEDIATE`` takes the write lock up front, so a read-then-write (next revision
    number, duplicate check) cannot interleave with another process writing the same file.
    The connection must be in autocommit mode (``isolation_level=None``).
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
        connection.execute("COMMIT")
    except BaseException:
        # A failed COMMIT (disk full, I/O error) can leave the transaction open: end it.
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
