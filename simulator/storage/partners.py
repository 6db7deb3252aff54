"""EMPs, their authentication data and contracts, and CPO sub-operators, in SQLite.

:class:`PartnerStore` runs each call on the storage worker thread (see
:class:`~simulator.storage.database.Database`); the functions below it are its SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import TypeVar

from oicp.identification import identification_from_wire, identification_to_wire
from simulator.model import ServiceType
from simulator.partner_model import EMP, Contract
from simulator.storage.database import Database
from simulator.storage.operators import require_operator

T = TypeVar("T")


class PartnerStore:
    """The hub's simulated EMPs, their contracts with CPOs, and CPOs' sub-operators."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._generation = 0

    @property
    def generation(self) -> int:
        """Bumped when any write through this object has ended, so that callers can cache
        EMPs, contracts and sub-operators and know when they went stale."""
        return self._generation

    async def _write(self, job: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return await self._database.write(job)
        finally:
            self._generation += 1

    async def put_emp(self, emp: EMP) -> None:
        """Create the EMP or replace its fields and authentication data."""
        await self._write(lambda c: put_emp(c, emp))

    async def get_emp(self, provider_id: str) -> EMP | None:
        return await self._database.read(lambda c: get_emp(c, provider_id))

    async def list_emps(self) -> list[EMP]:
        """Every EMP, ordered by ProviderID."""
        return await self._database.read(list_emps)

    async def delete_emp(self, provider_id: str) -> bool:
        """Delete the EMP with its contracts; False if there was none."""
        return await self._write(
            lambda c: (
                c.execute("DELETE FROM emps WHERE provider_id = ?", (provider_id,)).rowcount > 0
            )
        )

    async def set_contracts(self, provider_id: str, contracts: list[Contract]) -> None:
        """Replace every contract of the EMP by ``contracts``."""
        await self._write(lambda c: set_contracts(c, provider_id, contracts))

    async def contracts(
        self, *, provider_id: str | None = None, operator_id: str | None = None
    ) -> list[Contract]:
        """Contracts, optionally of one EMP and/or one CPO."""
        return await self._database.read(lambda c: list_contracts(c, provider_id, operator_id))

    async def set_sub_operators(self, operator_id: str, sub_operator_ids: list[str]) -> None:
        """Replace the operator's sub-operator IDs (each belongs to one operator only)."""
        await self._write(lambda c: set_sub_operators(c, operator_id, sub_operator_ids))

    async def sub_operators(self, operator_id: str | None = None) -> dict[str, str]:
        """Sub-operator ID -> the operator it belongs to (optionally of one operator)."""
        return await self._database.read(lambda c: list_sub_operators(c, operator_id))


def put_emp(connection: sqlite3.Connection, emp: EMP) -> None:
    connection.execute(
        """
        INSERT INTO emps (provider_id, name, offline_authorization, online_request,
                          broadcast_request, reachable)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (provider_id) DO UPDATE SET
            name = excluded.name,
            offline_authorization = excluded.offline_authorization,
            online_request = excluded.online_request,
            broadcast_request = excluded.broadcast_request,
            reachable = excluded.reachable
        """,
        (
            emp.provider_id,
            emp.name,
            emp.offline_authorization,
            emp.online_request,
            emp.broadcast_request,
            emp.reachable,
        ),
    )
    connection.execute(
        "DELETE FROM emp_authentication_data WHERE provider_id = ?", (emp.provider_id,)
    )
    connection.executemany(
        "INSERT INTO emp_authentication_data (provider_id, position, identification) "
        "VALUES (?, ?, ?)",
        [
            (emp.provider_id, position, json.dumps(identification_to_wire(ident)))
            for position, ident in enumerate(emp.authentication_data)
        ],
    )


def get_emp(connection: sqlite3.Connection, provider_id: str) -> EMP | None:
    row = connection.execute("SELECT * FROM emps WHERE provider_id = ?", (provider_id,)).fetchone()
    return None if row is None else _emp(connection, row)


def list_emps(connection: sqlite3.Connection) -> list[EMP]:
    rows = connection.execute("SELECT * FROM emps ORDER BY provider_id").fetchall()
    return [_emp(connection, row) for row in rows]


def _emp(connection: sqlite3.Connection, row: sqlite3.Row) -> EMP:
    idents = connection.execute(
        "SELECT identification FROM emp_authentication_data WHERE provider_id = ? "
        "ORDER BY position",
        (row["provider_id"],),
    ).fetchall()
    return EMP(
        provider_id=row["provider_id"],
        name=row["name"],
        offline_authorization=bool(row["offline_authorization"]),
        online_request=bool(row["online_request"]),
        broadcast_request=bool(row["broadcast_request"]),
        reachable=bool(row["reachable"]),
        authentication_data=tuple(
            identification_from_wire(json.loads(i["identification"])) for i in idents
        ),
    )


def set_contracts(
    connection: sqlite3.Connection, provider_id: str, contracts: list[Contract]
) -> None:
    for contract in contracts:
        require_operator(connection, contract.operator_id)
    connection.execute("DELETE FROM contracts WHERE provider_id = ?", (provider_id,))
    connection.executemany(
        "INSERT OR IGNORE INTO contracts (provider_id, operator_id, service_type) VALUES (?, ?, ?)",
        [(provider_id, c.operator_id, c.service_type.value) for c in contracts],
    )


def list_contracts(
    connection: sqlite3.Connection, provider_id: str | None, operator_id: str | None
) -> list[Contract]:
    rows = connection.execute(
        """
        SELECT * FROM contracts
        WHERE (? IS NULL OR provider_id = ?) AND (? IS NULL OR operator_id = ?)
        ORDER BY provider_id, operator_id, service_type
        """,
        (provider_id, provider_id, operator_id, operator_id),
    ).fetchall()
    return [
        Contract(row["provider_id"], row["operator_id"], ServiceType(row["service_type"]))
        for row in rows
    ]


def set_sub_operators(
    connection: sqlite3.Connection, operator_id: str, sub_operator_ids: list[str]
) -> None:
    require_operator(connection, operator_id)
    connection.execute("DELETE FROM sub_operators WHERE operator_id = ?", (operator_id,))
    connection.executemany(
        "INSERT INTO sub_operators (sub_operator_id, operator_id) VALUES (?, ?) "
        "ON CONFLICT (sub_operator_id) DO UPDATE SET operator_id = excluded.operator_id",
        [(sub, operator_id) for sub in sub_operator_ids],
    )


def list_sub_operators(connection: sqlite3.Connection, operator_id: str | None) -> dict[str, str]:
    rows = connection.execute(
        "SELECT * FROM sub_operators WHERE ? IS NULL OR operator_id = ? ORDER BY sub_operator_id",
        (operator_id, operator_id),
    ).fetchall()
    return {row["sub_operator_id"]: row["operator_id"] for row in rows}
