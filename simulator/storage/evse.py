"""The EVSE data, EVSE statuses and pricing CPOs pushed, in SQLite.

The ActionType of a push decides what happens (OICP 2.3 CPO, eRoamingPushEvseData):
``fullLoad`` replaces everything the operator pushed before, ``insert`` and ``update`` add or
replace the records given, ``delete`` removes them. Each push is one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simulator.session_model import StoredEvse
from simulator.storage.codec import now_utc, time_from_text, time_to_text
from simulator.storage.database import Database

FULL_LOAD, DELETE = "fullLoad", "delete"


@dataclass(frozen=True)
class EvseRow:
    """One record of a push: the EvseID, its flag and the record as sent, in JSON.

    The record comes serialised (:func:`evse_row`) so that a large push can be prepared in
    a worker process and the database thread does no Python work per record.
    """

    evse_id: str
    is_hubject_compatible: bool
    record_json: str


def evse_row(evse_id: str, is_hubject_compatible: bool, record: Mapping[str, Any]) -> EvseRow:
    """The row that stores ``record``."""
    return EvseRow(evse_id, is_hubject_compatible, json.dumps(record))


@dataclass(frozen=True)
class PricingRow:
    """One EVSEPricing entry of a push."""

    evse_id: str
    provider_id: str
    product_ids: tuple[str, ...]


class EvseStore:
    """EVSE data, statuses and pricing per operator."""

    def __init__(self, database: Database) -> None:
        self._database = database
        # Every EMP remote start asks whether the CPO has pushed EVSE data at all (603/604
        # apply only then): counted once per operator, forgotten at every write that can
        # change it (see forget_counts).
        self._counts: dict[str, int] = {}
        self._writes = 0

    def forget_counts(self) -> None:
        """Drop the remembered counts: an EVSE push may change them."""
        self._counts.clear()
        self._writes += 1

    async def push_data(self, operator_id: str, action: str, rows: Sequence[EvseRow]) -> None:
        """Apply one eRoamingPushEvseData."""
        try:
            await self._database.write(lambda c: push_data(c, operator_id, action, tuple(rows)))
        finally:
            self.forget_counts()

    async def push_status(
        self, operator_id: str, action: str, statuses: Sequence[tuple[str, str]]
    ) -> None:
        """Apply one eRoamingPushEvseStatus: (EvseID, EvseStatus) pairs."""
        try:
            await self._database.write(
                lambda c: push_status(c, operator_id, action, tuple(statuses))
            )
        finally:
            self.forget_counts()

    async def count(self, operator_id: str) -> int:
        """How many EVSE data records the operator has pushed."""
        found = self._counts.get(operator_id)
        if found is not None:
            return found
        writes = self._writes  # taken before reading: a write during the read is not missed
        counted = await self._database.read(
            lambda c: int(
                c.execute(
                    "SELECT COUNT(*) FROM evse_records WHERE operator_id = ?", (operator_id,)
                ).fetchone()[0]
            )
        )
        if writes == self._writes:
            self._counts[operator_id] = counted
        return counted

    async def get(self, evse_id: str) -> StoredEvse | None:
        return await self._database.read(lambda c: get_evse(c, evse_id))

    async def list_evses(self, operator_id: str) -> list[StoredEvse]:
        return await self._database.read(lambda c: list_evses(c, operator_id))

    async def push_pricing_products(
        self, operator_id: str, provider_id: str, action: str, data: dict[str, Any]
    ) -> None:
        """Apply one eRoamingPushPricingProductData for one ProviderID (or ``*``)."""
        await self._database.write(
            lambda c: push_pricing_products(c, operator_id, provider_id, action, data)
        )

    async def pricing_products(self, operator_id: str) -> dict[str, dict[str, Any]]:
        """ProviderID -> the stored PricingProductData object."""
        return await self._database.read(lambda c: list_pricing_products(c, operator_id))

    async def push_evse_pricing(
        self, operator_id: str, action: str, rows: Sequence[PricingRow]
    ) -> None:
        """Apply one eRoamingPushEVSEPricing."""
        await self._database.write(lambda c: push_evse_pricing(c, operator_id, action, tuple(rows)))

    async def evse_pricing(self, operator_id: str) -> list[PricingRow]:
        return await self._database.read(lambda c: list_evse_pricing(c, operator_id))


def push_data(
    connection: sqlite3.Connection, operator_id: str, action: str, rows: tuple[EvseRow, ...]
) -> None:
    if action == FULL_LOAD:
        connection.execute("DELETE FROM evse_records WHERE operator_id = ?", (operator_id,))
    if action == DELETE:
        connection.executemany(
            "DELETE FROM evse_records WHERE evse_id = ? AND operator_id = ?",
            [(row.evse_id, operator_id) for row in rows],
        )
        return
    at = time_to_text(now_utc(), "updated_at")
    connection.executemany(
        """
        INSERT INTO evse_records (evse_id, operator_id, is_hubject_compatible, record, updated_at)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (evse_id) DO UPDATE SET
            operator_id = excluded.operator_id,
            is_hubject_compatible = excluded.is_hubject_compatible,
            record = excluded.record,
            updated_at = excluded.updated_at
        """,
        [(r.evse_id, operator_id, r.is_hubject_compatible, r.record_json, at) for r in rows],
    )


def push_status(
    connection: sqlite3.Connection,
    operator_id: str,
    action: str,
    statuses: tuple[tuple[str, str], ...],
) -> None:
    if action == FULL_LOAD:
        connection.execute("DELETE FROM evse_statuses WHERE operator_id = ?", (operator_id,))
    if action == DELETE:
        connection.executemany(
            "DELETE FROM evse_statuses WHERE evse_id = ? AND operator_id = ?",
            [(evse_id, operator_id) for evse_id, _ in statuses],
        )
        return
    at = time_to_text(now_utc(), "updated_at")
    connection.executemany(
        """
        INSERT INTO evse_statuses (evse_id, operator_id, status, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (evse_id) DO UPDATE SET
            operator_id = excluded.operator_id, status = excluded.status,
            updated_at = excluded.updated_at
        """,
        [(evse_id, operator_id, status, at) for evse_id, status in statuses],
    )


_EVSE_SELECT = """
    SELECT r.*, s.status FROM evse_records r
    LEFT JOIN evse_statuses s ON s.evse_id = r.evse_id
"""


def get_evse(connection: sqlite3.Connection, evse_id: str) -> StoredEvse | None:
    row = connection.execute(_EVSE_SELECT + " WHERE r.evse_id = ?", (evse_id,)).fetchone()
    return None if row is None else _evse(row)


def list_evses(connection: sqlite3.Connection, operator_id: str) -> list[StoredEvse]:
    rows = connection.execute(
        _EVSE_SELECT + " WHERE r.operator_id = ? ORDER BY r.evse_id", (operator_id,)
    ).fetchall()
    return [_evse(row) for row in rows]


def _evse(row: sqlite3.Row) -> StoredEvse:
    updated: datetime = time_from_text(row["updated_at"])
    return StoredEvse(
        evse_id=row["evse_id"],
        operator_id=row["operator_id"],
        is_hubject_compatible=bool(row["is_hubject_compatible"]),
        record=json.loads(row["record"]),
        updated_at=updated,
        status=row["status"],
    )


def push_pricing_products(
    connection: sqlite3.Connection,
    operator_id: str,
    provider_id: str,
    action: str,
    data: dict[str, Any],
) -> None:
    key = (operator_id, provider_id)
    row = connection.execute(
        "SELECT data FROM pricing_products WHERE operator_id = ? AND provider_id = ?", key
    ).fetchone()
    stored = None if row is None or action == FULL_LOAD else json.loads(row["data"])
    merged = _merge_products(stored, data, action)
    connection.execute(
        """
        INSERT INTO pricing_products (operator_id, provider_id, data, updated_at)
        VALUES (?, ?, ?, ?)
        ON CONFLICT (operator_id, provider_id) DO UPDATE SET
            data = excluded.data, updated_at = excluded.updated_at
        """,
        (*key, json.dumps(merged), time_to_text(now_utc(), "updated_at")),
    )


def _merge_products(
    stored: dict[str, Any] | None, pushed: dict[str, Any], action: str
) -> dict[str, Any]:
    """The PricingProductData after a push: its records merged by ProductID."""
    records = {r.get("ProductID"): r for r in (stored or {}).get("PricingProductDataRecords", [])}
    for record in pushed.get("PricingProductDataRecords", []):
        if action == DELETE:
            records.pop(record.get("ProductID"), None)
        else:
            records[record.get("ProductID")] = record
    return {**pushed, "PricingProductDataRecords": list(records.values())}


def list_pricing_products(
    connection: sqlite3.Connection, operator_id: str
) -> dict[str, dict[str, Any]]:
    rows = connection.execute(
        "SELECT provider_id, data FROM pricing_products WHERE operator_id = ? ORDER BY provider_id",
        (operator_id,),
    ).fetchall()
    return {row["provider_id"]: json.loads(row["data"]) for row in rows}


def push_evse_pricing(
    connection: sqlite3.Connection, operator_id: str, action: str, rows: tuple[PricingRow, ...]
) -> None:
    if action == FULL_LOAD:
        connection.execute("DELETE FROM evse_pricing WHERE operator_id = ?", (operator_id,))
    if action == DELETE:
        connection.executemany(
            "DELETE FROM evse_pricing WHERE evse_id = ? AND provider_id = ? AND operator_id = ?",
            [(r.evse_id, r.provider_id, operator_id) for r in rows],
        )
        return
    at = time_to_text(now_utc(), "updated_at")
    connection.executemany(
        """
        INSERT INTO evse_pricing (evse_id, provider_id, operator_id, product_ids, updated_at)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (evse_id, provider_id) DO UPDATE SET
            operator_id = excluded.operator_id, product_ids = excluded.product_ids,
            updated_at = excluded.updated_at
        """,
        [(r.evse_id, r.provider_id, operator_id, json.dumps(r.product_ids), at) for r in rows],
    )


def list_evse_pricing(connection: sqlite3.Connection, operator_id: str) -> list[PricingRow]:
    rows = connection.execute(
        "SELECT * FROM evse_pricing WHERE operator_id = ? ORDER BY evse_id, provider_id",
        (operator_id,),
    ).fetchall()
    return [
        PricingRow(row["evse_id"], row["provider_id"], tuple(json.loads(row["product_ids"])))
        for row in rows
    ]
