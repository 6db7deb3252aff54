"""SQL for operators (run on the worker thread, inside :class:`Database` calls)."""

from __future__ import annotations

import sqlite3

from simulator.model import Operator, ReservationPathStyle, WireProfile
from simulator.storage.errors import UnknownOperatorError


def upsert_operator(connection: sqlite3.Connection, operator: Operator) -> None:
    """Insert the operator, or update every field of an existing one."""
    connection.execute(
        """
        INSERT INTO operators (operator_id, name, reservation_path_style, timeout_s, wire_profile)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (operator_id) DO UPDATE SET
            name = excluded.name,
            reservation_path_style = excluded.reservation_path_style,
            timeout_s = excluded.timeout_s,
            wire_profile = excluded.wire_profile
        """,
        (
            operator.operator_id,
            operator.name,
            operator.reservation_path_style.value,
            operator.timeout_s,
            operator.wire_profile.value,
        ),
    )


def get_operator(connection: sqlite3.Connection, operator_id: str) -> Operator | None:
    row = connection.execute(
        "SELECT * FROM operators WHERE operator_id = ?", (operator_id,)
    ).fetchone()
    return None if row is None else _operator(row)


def list_operators(connection: sqlite3.Connection) -> list[Operator]:
    rows = connection.execute("SELECT * FROM operators ORDER BY operator_id").fetchall()
    return [_operator(row) for row in rows]


def delete_operator(connection: sqlite3.Connection, operator_id: str) -> bool:
    """Delete the operator; its settings and certificates go with it (ON DELETE CASCADE)."""
    cursor = connection.execute("DELETE FROM operators WHERE operator_id = ?", (operator_id,))
    return cursor.rowcount > 0


def require_operator(connection: sqlite3.Connection, operator_id: str) -> None:
    """Refuse to store anything for an operator that does not exist."""
    row = connection.execute(
        "SELECT 1 FROM operators WHERE operator_id = ?", (operator_id,)
    ).fetchone()
    if row is None:
        raise UnknownOperatorError(operator_id)


def _operator(row: sqlite3.Row) -> Operator:
    return Operator(
        operator_id=row["operator_id"],
        name=row["name"],
        reservation_path_style=ReservationPathStyle(row["reservation_path_style"]),
        timeout_s=float(row["timeout_s"]),
        wire_profile=WireProfile(row["wire_profile"]),
    )
