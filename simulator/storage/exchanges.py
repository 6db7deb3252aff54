"""SQL for the exchange log, the Process Monitor's data (run on the worker thread).

The log holds exchanges of every direction (hub → CPO, CPO → hub, EMP → hub, hub → EMP).

Each exchange is kept whole as its JSON record; the columns beside it exist only to filter
and order the log.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime

from oicp import Operation, jsontext
from oicp.cpo_operations import CPOOperation
from simulator.exchange import (
    UNKNOWN_PATH,
    Exchange,
    ExchangeDirection,
    Outcome,
    outcomes_of_class,
)
from simulator.model import ServiceType
from simulator.storage.codec import time_from_text, time_to_text
from simulator.storage.errors import StorageError
from simulator.storage.log_writer import FIELD_SEPARATOR


@dataclass(frozen=True)
class ExchangeQuery:
    """Which exchanges to list: every given filter must match; newest first."""

    operator_id: str | None = None
    service_type: str | None = None
    outcome: str | None = None
    limit: int = 100
    direction: str | None = None  # an ExchangeDirection value, e.g. "cpo-to-hub"
    partner_id: str | None = None  # the OperatorID or ProviderID of the other side
    operation: str | None = None  # an OICP wire name, e.g. "eRoamingChargeDetailRecord"
    failure_class: str | None = None  # Hubject's name: NotAvailable, Timeout, SSL-Error ...
    search: str | None = None  # a SessionID or an EvseID
    after_id: int | None = None  # only exchanges newer than this exchange_id


def encode_exchange(exchange: Exchange) -> bytes:
    """The exchange's line in a batch of the log (see :mod:`log_writer`), refusing what
    could not be stored.

    Runs on the caller's thread so that a bad record fails there, not later in a batch.
    The record holds the exchange's fields as they are (orjson writes the dataclass in one
    call, on the hub's hot path); ``started_at`` is written in UTC, the form the log sorts by.
    """
    started_at = time_to_text(
        exchange.started_at, f"started_at of the {exchange.operation} exchange"
    )

    def stored_time(value: datetime) -> str:
        if value is not exchange.started_at:
            raise TypeError("a datetime is not a JSON value")
        return started_at

    try:
        record = jsontext.dumps_dataclass(exchange, stored_time)
    except TypeError as exc:
        raise StorageError(
            f"cannot record the {exchange.operation} exchange to {exchange.url}: {exc}; "
            "request_body must hold only JSON values"
        ) from exc
    columns = jsontext.dumps_bytes(
        [
            exchange.exchange_id,
            exchange.operator_id,
            exchange.service_type,
            exchange.server_certification,
            exchange.outcome.value,
            started_at,
        ]
    )
    return columns + FIELD_SEPARATOR + record


def list_exchanges(connection: sqlite3.Connection, query: ExchangeQuery) -> list[Exchange]:
    where, params = _conditions(query)
    rows = connection.execute(
        f"SELECT exchange_id, started_at, record FROM exchanges {where} "
        "ORDER BY exchange_id DESC LIMIT ?",
        (*params, query.limit),
    ).fetchall()
    return [_exchange(row) for row in rows]


def get_exchange(connection: sqlite3.Connection, exchange_id: int) -> Exchange | None:
    row = connection.execute(
        "SELECT exchange_id, started_at, record FROM exchanges WHERE exchange_id = ?",
        (exchange_id,),
    ).fetchone()
    return None if row is None else _exchange(row)


def newest_exchange_id(connection: sqlite3.Connection) -> int:
    return int(
        connection.execute("SELECT coalesce(max(exchange_id), 0) FROM exchanges").fetchone()[0]
    )


def last_exchange_id(connection: sqlite3.Connection) -> int:
    """The highest exchange_id ever given (deleted rows included: AUTOINCREMENT's record)."""
    row = connection.execute("SELECT seq FROM sqlite_sequence WHERE name = 'exchanges'").fetchone()
    return int(row[0]) if row else 0


def count_exchanges(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT COUNT(*) FROM exchanges").fetchone()[0])


def clear_exchanges(connection: sqlite3.Connection) -> None:
    connection.execute("DELETE FROM exchanges")


def query_problems(query: ExchangeQuery) -> list[tuple[str, str]]:
    """Every bad filter of ``query`` as (field, message), all at once; empty when usable."""
    problems = []
    if query.limit < 1:
        problems.append(("limit", f"limit must be at least 1, got {query.limit}"))
    if query.outcome is not None and query.outcome not in _OUTCOMES:
        names = ", ".join(sorted(_OUTCOMES))
        problems.append(("outcome", f"unknown outcome {query.outcome!r}: use one of {names}"))
    if query.direction is not None and query.direction not in _DIRECTIONS:
        names = ", ".join(d.value for d in ExchangeDirection)
        message = f"unknown direction {query.direction!r}: use one of {names}"
        problems.append(("direction", message))
    if query.failure_class is not None:
        try:
            outcomes_of_class(query.failure_class)
        except ValueError as exc:  # its message names the choices
            problems.append(("failure_class", str(exc)))
    if query.operation is not None and _wire_name(query.operation) is None:
        problems.append(("operation", _UNKNOWN_OPERATION.format(query.operation)))
    if query.service_type is not None:
        try:
            ServiceType.from_text(query.service_type)
        except ValueError as exc:  # a typo would otherwise list nothing, as if nothing was sent
            problems.append(("service_type", str(exc)))
    return problems


def check_query(query: ExchangeQuery) -> ExchangeQuery:
    """Validate the filters (ValueError with the first problem) and accept a service type's
    slug as well as its portal label."""
    problems = query_problems(query)
    if problems:
        raise ValueError(problems[0][1])
    search = query.search.strip() if query.search else None
    return replace(
        query,
        service_type=_service_type_label(query.service_type),
        operation=None if query.operation is None else _wire_name(query.operation),
        search=search or None,
    )


_OUTCOMES = frozenset(outcome.value for outcome in Outcome)
_DIRECTIONS = frozenset(direction.value for direction in ExchangeDirection)


# Every operation an exchange can record (both directions), by wire name; the four the hub
# sends a CPO also by the slug the CLI and the send routes use ("remote-start").
_WIRE_NAMES = frozenset(
    [*(op.value for op in Operation), *(op.value for op in CPOOperation), UNKNOWN_PATH]
)
_SLUGS = {op.slug: op.value for op in Operation}
_UNKNOWN_OPERATION = (
    "unknown operation {!r}: give an OICP wire name such as eRoamingAuthorizeRemoteStart or "
    "eRoamingChargeDetailRecord, or one of " + ", ".join(_SLUGS)
)


def _wire_name(text: str) -> str | None:
    if text in _WIRE_NAMES:
        return text
    return _SLUGS.get(text)


def _service_type_label(text: str | None) -> str | None:
    # Exchanges store ServiceType.value ("Authorization"); the CLI and URLs use the slug.
    return None if text is None else ServiceType.from_text(text).value


def _conditions(query: ExchangeQuery) -> tuple[str, tuple[object, ...]]:
    columns = {
        "operator_id": query.operator_id,
        "service_type": query.service_type,
        "outcome": query.outcome,
        "direction": query.direction,
        "partner_id": query.partner_id,
        "operation": query.operation,
    }
    given = {name: value for name, value in columns.items() if value is not None}
    # Column names come from the fixed dict above, never from the caller.
    clauses = [f"{name} = ?" for name in given]
    params: list[object] = list(given.values())
    if query.failure_class is not None:
        names = [outcome.value for outcome in outcomes_of_class(query.failure_class)]
        clauses.append(f"outcome IN ({', '.join('?' for _ in names)})")
        params.extend(names)
    if query.search is not None:
        clauses.append("(session_id = ? OR evse_id = ?)")
        params.extend((query.search, query.search))
    if query.after_id is not None:
        clauses.append("exchange_id > ?")
        params.append(query.after_id)
    if not clauses:
        return "", ()
    return "WHERE " + " AND ".join(clauses), tuple(params)


def _exchange(row: sqlite3.Row) -> Exchange:
    exchange = Exchange.from_json(jsontext.loads(row["record"]))
    return replace(
        exchange,
        exchange_id=int(row["exchange_id"]),
        started_at=time_from_text(row["started_at"]),
    )
