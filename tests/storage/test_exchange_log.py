"""The exchange log: recorded without blocking, written in batches, bounded, filterable."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from simulator.exchange import Exchange, Outcome, TLSFacts
from simulator.storage import Storage, StorageError

ExchangeFactory = Callable[..., Exchange]


async def test_exchange_log_keeps_only_the_newest_max_exchanges(
    make_exchange: ExchangeFactory,
) -> None:
    async with await Storage.open(max_exchanges=5) as storage:
        for number in range(8):
            storage.record_exchange(make_exchange(detail=f"exchange {number}"))
            await storage.flush()  # one batch each: the database itself drops the oldest

        kept = await storage.list_exchanges()

        assert await storage.count_exchanges() == 5
        assert [e.detail for e in kept] == [f"exchange {n}" for n in (7, 6, 5, 4, 3)]


async def test_exchange_log_stays_bounded_when_records_outpace_the_writer(
    make_exchange: ExchangeFactory,
) -> None:
    async with await Storage.open(max_exchanges=5) as storage:
        for number in range(8):
            storage.record_exchange(make_exchange(detail=f"exchange {number}"))
        await storage.flush()

        kept = await storage.list_exchanges()

        assert [e.detail for e in kept] == [f"exchange {n}" for n in (7, 6, 5, 4, 3)]


async def test_record_exchange_returns_without_touching_the_database(
    tmp_path: Path, make_exchange: ExchangeFactory
) -> None:
    path = tmp_path / "hub.sqlite3"
    async with await Storage.open(path) as storage:
        # Another connection holds the write lock: a write on the calling thread would
        # block here and then fail with "database is locked".
        blocker = sqlite3.connect(path, isolation_level=None, timeout=0)
        blocker.execute("BEGIN EXCLUSIVE")
        storage.record_exchange(make_exchange())
        rows_while_locked = blocker.execute("SELECT COUNT(*) FROM exchanges").fetchone()[0]
        blocker.execute("ROLLBACK")
        blocker.close()

        await storage.flush()

        assert rows_while_locked == 0
        assert await storage.count_exchanges() == 1


async def test_an_exchange_reads_back_whole_with_its_id(make_exchange: ExchangeFactory) -> None:
    original = make_exchange(
        outcome=Outcome.REJECTED,
        result=False,
        status_code="603",
        status_description="Unknown EVSE ID",
        session_id="b2688855-7f00-0002-6d8e-48d3ed4e8b8f",
        tls=TLSFacts("TLSv1.3", "TLS_AES_256_GCM_SHA384", "CN=cpo.example", "AB:CD"),
        problems=({"pointer": "/StatusCode/Code", "message": "not a code"},),
        response_body='{"Result": false}',
    )
    async with await Storage.open() as storage:
        storage.record_exchange(original)
        await storage.flush()
        [listed] = await storage.list_exchanges()

        fetched = await storage.get_exchange(listed.exchange_id or 0)

    assert listed.exchange_id is not None
    assert fetched == listed
    assert listed.to_json() == original.to_json()  # record_exchange numbered the original


async def test_started_at_reads_back_as_aware_utc(make_exchange: ExchangeFactory) -> None:
    berlin_summer = timezone(timedelta(hours=2))
    started = datetime(2025, 6, 1, 14, 0, tzinfo=berlin_summer)
    async with await Storage.open() as storage:
        storage.record_exchange(make_exchange(started_at=started))
        await storage.flush()
        [listed] = await storage.list_exchanges()

    assert listed.started_at == started
    assert listed.started_at.tzinfo is UTC


async def test_an_exchange_with_a_naive_start_time_is_refused_when_recorded(
    storage: Storage, make_exchange: ExchangeFactory
) -> None:
    with pytest.raises(StorageError, match="naive datetime"):
        storage.record_exchange(make_exchange(started_at=datetime(2025, 6, 1, 12, 0)))


async def test_an_exchange_whose_request_body_holds_a_non_json_value_is_refused_when_recorded(
    storage: Storage, make_exchange: ExchangeFactory
) -> None:
    body = {"EvseID": "DE*ABC*E1", "at": datetime(2025, 6, 1, 12, 0, tzinfo=UTC)}

    with pytest.raises(StorageError, match="request_body must hold only JSON values"):
        storage.record_exchange(make_exchange(request_body=body))
    await storage.flush()

    assert await storage.list_exchanges() == []


async def test_a_start_time_in_another_zone_is_stored_in_utc(
    storage: Storage, make_exchange: ExchangeFactory
) -> None:
    berlin = timezone(timedelta(hours=2))
    storage.record_exchange(make_exchange(started_at=datetime(2025, 6, 1, 14, 0, tzinfo=berlin)))
    await storage.flush()

    (stored,) = await storage.list_exchanges()
    assert stored.started_at == datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert stored.started_at.utcoffset() == timedelta(0)


async def test_exchanges_are_listed_newest_first_up_to_the_limit(
    storage: Storage, make_exchange: ExchangeFactory
) -> None:
    for number in range(4):
        storage.record_exchange(make_exchange(detail=f"exchange {number}"))
    await storage.flush()

    listed = await storage.list_exchanges(limit=2)

    assert [e.detail for e in listed] == ["exchange 3", "exchange 2"]


async def _record_mixed_log(storage: Storage, make_exchange: ExchangeFactory) -> None:
    variants: list[dict[str, Any]] = [
        {"operator_id": "DE*ABC", "service_type": "Authorization", "outcome": Outcome.ACCEPTED},
        {"operator_id": "DE*ABC", "service_type": "Reservation", "outcome": Outcome.TIMEOUT},
        {"operator_id": "DE*XYZ", "service_type": "Authorization", "outcome": Outcome.TIMEOUT},
        {"operator_id": None, "service_type": None, "outcome": Outcome.DNS_FAILURE},
    ]
    for number, variant in enumerate(variants):
        storage.record_exchange(make_exchange(detail=f"exchange {number}", **variant))
    await storage.flush()


async def test_exchanges_filter_by_operator(
    storage: Storage, make_exchange: ExchangeFactory
) -> None:
    await _record_mixed_log(storage, make_exchange)

    listed = await storage.list_exchanges(operator_id="DE*ABC")

    assert [e.detail for e in listed] == ["exchange 1", "exchange 0"]


async def test_exchanges_filter_by_service_type_label_or_slug(
    storage: Storage, make_exchange: ExchangeFactory
) -> None:
    await _record_mixed_log(storage, make_exchange)

    by_label = await storage.list_exchanges(service_type="Authorization")
    by_slug = await storage.list_exchanges(service_type="authorization")

    assert [e.detail for e in by_label] == ["exchange 2", "exchange 0"]
    assert by_slug == by_label


async def test_exchanges_filter_by_outcome(
    storage: Storage, make_exchange: ExchangeFactory
) -> None:
    await _record_mixed_log(storage, make_exchange)

    listed = await storage.list_exchanges(outcome="timeout")

    assert [e.detail for e in listed] == ["exchange 2", "exchange 1"]


async def test_exchange_filters_combine(storage: Storage, make_exchange: ExchangeFactory) -> None:
    await _record_mixed_log(storage, make_exchange)

    listed = await storage.list_exchanges(operator_id="DE*ABC", outcome="timeout")

    assert [e.detail for e in listed] == ["exchange 1"]


async def test_an_unknown_outcome_filter_is_refused_with_the_valid_ones(
    storage: Storage,
) -> None:
    with pytest.raises(ValueError, match=r"unknown outcome 'timed_out': use one of .*timeout"):
        await storage.list_exchanges(outcome="timed_out")


async def test_clearing_the_log_removes_written_and_queued_exchanges(
    storage: Storage, make_exchange: ExchangeFactory
) -> None:
    storage.record_exchange(make_exchange())
    await storage.flush()
    storage.record_exchange(make_exchange())

    await storage.clear_exchanges()

    assert await storage.count_exchanges() == 0
    assert await storage.list_exchanges() == []


async def test_close_writes_what_is_still_queued(
    tmp_path: Path, make_exchange: ExchangeFactory
) -> None:
    path = tmp_path / "hub.sqlite3"
    storage = await Storage.open(path)
    storage.record_exchange(make_exchange())
    await storage.close()

    async with await Storage.open(path) as reopened:
        assert await reopened.count_exchanges() == 1


async def test_recording_after_close_is_refused(make_exchange: ExchangeFactory) -> None:
    storage = await Storage.open()
    await storage.close()

    with pytest.raises(StorageError, match="closed"):
        storage.record_exchange(make_exchange())
