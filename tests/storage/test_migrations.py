"""The versioned schema: older databases are upgraded in place, newer ones refused."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from simulator.exchange import Exchange, ExchangeDirection
from simulator.model import Operator, ServiceType, WireProfile
from simulator.storage import (
    MIGRATIONS,
    SCHEMA_VERSION,
    ExchangeQuery,
    Storage,
    StorageError,
    apply_migrations,
)
from simulator.storage.database import PAGE_SIZE

ExchangeFactory = Callable[..., Exchange]


def _pragma(path: Path, name: str) -> int:
    """A database file's integer setting (``user_version``, ``page_size``), read directly."""
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute(f"PRAGMA {name}").fetchone()[0])
    finally:
        connection.close()


def _build_version_1_database(path: Path, exchange: Exchange) -> None:
    """Write a database exactly as hubsim with schema version 1 left it."""
    connection = sqlite3.connect(path, isolation_level=None)
    apply_migrations(connection, MIGRATIONS[:1])
    connection.execute("INSERT INTO operators VALUES ('DE*ABC', 'Old CPO', 'charging', 7.5)")
    connection.execute(
        "INSERT INTO settings_revisions VALUES "
        "('DE*ABC', 'Authorization', 1, 1, 0, 'https://cpo.example/', 'User certificate', "
        "'2024-01-02T03:04:05+00:00')"
    )
    connection.execute(
        "INSERT INTO exchanges (operator_id, service_type, outcome, started_at, record) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            exchange.operator_id,
            exchange.service_type,
            exchange.outcome.value,
            exchange.started_at.isoformat(),
            json.dumps(exchange.to_json()),
        ),
    )
    connection.close()


async def test_a_new_database_is_created_at_the_current_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite3"

    async with await Storage.open(path):
        pass

    assert _pragma(path, "user_version") == SCHEMA_VERSION


async def test_a_new_database_file_uses_16_kb_pages(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite3"

    async with await Storage.open(path):
        pass

    assert _pragma(path, "page_size") == PAGE_SIZE == 16384


async def test_an_existing_database_keeps_its_page_size(
    tmp_path: Path, make_exchange: ExchangeFactory
) -> None:
    path = tmp_path / "hub.sqlite3"
    _build_version_1_database(path, make_exchange())  # sqlite3's default: 4 KB pages

    async with await Storage.open(path) as storage:
        storage.record_exchange(make_exchange())
        await storage.flush()
        assert await storage.count_exchanges() == 2

    assert _pragma(path, "page_size") == 4096


async def test_a_version_1_database_is_upgraded_with_its_data_intact(
    tmp_path: Path, make_exchange: ExchangeFactory
) -> None:
    path = tmp_path / "hub.sqlite3"
    old_exchange = make_exchange(server_certification="user")
    _build_version_1_database(path, old_exchange)

    async with await Storage.open(path) as storage:
        operator = await storage.get_operator("DE*ABC")
        settings = await storage.current_settings("DE*ABC", ServiceType.AUTHORIZATION)
        [exchange] = await storage.list_exchanges(operator_id="DE*ABC")

    assert operator is not None
    assert operator.name == "Old CPO"
    assert settings is not None
    assert (settings.revision, settings.settings.service_url) == (1, "https://cpo.example/")
    assert exchange.detail == old_exchange.detail
    assert _pragma(path, "user_version") == SCHEMA_VERSION


async def test_the_version_2_step_fills_server_certification_of_old_exchanges(
    tmp_path: Path, make_exchange: ExchangeFactory
) -> None:
    path = tmp_path / "hub.sqlite3"
    _build_version_1_database(path, make_exchange(server_certification="user"))

    async with await Storage.open(path):
        pass

    connection = sqlite3.connect(path)
    column = connection.execute("SELECT server_certification FROM exchanges").fetchall()
    connection.close()
    assert column == [("user",)]


async def test_an_upgraded_database_accepts_new_writes(
    tmp_path: Path, make_exchange: ExchangeFactory
) -> None:
    path = tmp_path / "hub.sqlite3"
    _build_version_1_database(path, make_exchange())

    async with await Storage.open(path) as storage:
        await storage.upsert_operator(Operator("DE*XYZ"))
        storage.record_exchange(make_exchange(operator_id="DE*XYZ"))
        await storage.flush()

        assert await storage.count_exchanges() == 2


async def test_a_database_from_a_newer_hubsim_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite3"
    newer = SCHEMA_VERSION + 1
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {newer}")
    connection.close()

    expected = (
        f"database schema version {newer} is newer than this hubsim supports "
        f"\\({SCHEMA_VERSION}\\); upgrade hubsim"
    )
    with pytest.raises(StorageError, match=expected):
        await Storage.open(path)

    assert _pragma(path, "user_version") == newer


async def test_a_file_that_is_not_a_database_is_refused_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are not the tables you are looking for\n" * 20)

    with pytest.raises(StorageError, match=r"cannot open database .*notes\.txt"):
        await Storage.open(path)


async def test_a_database_in_a_missing_directory_is_refused_with_what_to_do(
    tmp_path: Path,
) -> None:
    path = tmp_path / "missing" / "hub.sqlite3"

    with pytest.raises(StorageError, match="check that its directory exists"):
        await Storage.open(path)


def _build_version_3_database(path: Path, exchange: Exchange) -> None:
    """A schema 3 database with one exchange whose record predates the direction fields."""
    connection = sqlite3.connect(path, isolation_level=None)
    apply_migrations(connection, MIGRATIONS[:3])
    record = {
        name: value
        for name, value in exchange.to_json().items()
        if name not in ("direction", "partner_id", "evse_id", "failure_class")
    }
    connection.execute(
        "INSERT INTO exchanges (operator_id, service_type, server_certification, outcome, "
        "started_at, record) VALUES (?, ?, ?, ?, ?, ?)",
        (
            exchange.operator_id,
            exchange.service_type,
            exchange.server_certification,
            exchange.outcome.value,
            exchange.started_at.isoformat(),
            json.dumps(record),
        ),
    )
    connection.close()


async def test_the_version_4_step_reads_old_exchanges_as_the_hubs_calls_to_cpos(
    tmp_path: Path, make_exchange: ExchangeFactory
) -> None:
    path = tmp_path / "hub.sqlite3"
    _build_version_3_database(path, make_exchange())

    async with await Storage.open(path) as storage:
        query = ExchangeQuery(direction="hub-to-cpo", partner_id="DE*ABC")
        [exchange] = await storage.query_exchanges(query)

    assert exchange.direction is ExchangeDirection.HUB_TO_CPO
    assert exchange.partner_id == "DE*ABC"
    assert _pragma(path, "user_version") == SCHEMA_VERSION


async def test_the_version_5_step_gives_existing_operators_the_hbs_wire_profile(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hub.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    apply_migrations(connection, MIGRATIONS[:4])
    connection.execute(
        "INSERT INTO operators (operator_id, name, reservation_path_style, timeout_s) "
        "VALUES ('DE*ABC', 'ABC', 'hubject', 10)"
    )
    connection.close()

    async with await Storage.open(path) as storage:
        operator = await storage.get_operator("DE*ABC")

    assert operator is not None and operator.wire_profile is WireProfile.HBS
    assert _pragma(path, "user_version") == SCHEMA_VERSION == 5
