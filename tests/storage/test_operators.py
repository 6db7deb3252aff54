"""Operators: stored, updated in place, and deleted together with what belongs to them."""

from __future__ import annotations

from collections.abc import Callable

from simulator.exchange import Exchange
from simulator.model import Operator, ReservationPathStyle, ServiceType, ServiceTypeSettings
from simulator.storage import NewCertificate, Storage

OPERATOR_ID = "DE*ABC"


async def test_operator_is_stored_with_every_field() -> None:
    operator = Operator(
        "DE*XYZ",
        name="Other CPO",
        reservation_path_style=ReservationPathStyle.CHARGING,
        timeout_s=2.5,
    )
    async with await Storage.open() as storage:
        await storage.upsert_operator(operator)

        assert await storage.get_operator("DE*XYZ") == operator


async def test_upsert_replaces_an_existing_operators_fields(storage: Storage) -> None:
    renamed = Operator(OPERATOR_ID, name="Renamed CPO", timeout_s=30.0)

    await storage.upsert_operator(renamed)

    assert await storage.list_operators() == [renamed]


async def test_operators_are_listed_by_id(storage: Storage) -> None:
    await storage.upsert_operator(Operator("AT*ZZZ"))
    await storage.upsert_operator(Operator("NL*MMM"))

    listed = await storage.list_operators()

    assert [op.operator_id for op in listed] == ["AT*ZZZ", OPERATOR_ID, "NL*MMM"]


async def test_unknown_operator_is_none(storage: Storage) -> None:
    assert await storage.get_operator("DE*NOPE") is None


async def test_deleting_an_operator_deletes_its_settings_and_certificates(
    storage: Storage, new_certificate: Callable[[str], NewCertificate]
) -> None:
    settings = ServiceTypeSettings(online_request=True, service_url="https://cpo.example/")
    await storage.save_settings(OPERATOR_ID, ServiceType.AUTHORIZATION, settings)
    await storage.add_certificates(OPERATOR_ID, [new_certificate("cpo.example")])

    deleted = await storage.delete_operator(OPERATOR_ID)
    await storage.upsert_operator(Operator(OPERATOR_ID))  # same id again: a clean slate

    assert deleted is True
    assert await storage.settings_history(OPERATOR_ID, ServiceType.AUTHORIZATION) == []
    assert await storage.all_current_settings(OPERATOR_ID) == {}
    assert await storage.list_certificates(OPERATOR_ID) == []
    again = await storage.save_settings(OPERATOR_ID, ServiceType.AUTHORIZATION, settings)
    assert again.revision == 1


async def test_deleting_an_unknown_operator_reports_false(storage: Storage) -> None:
    assert await storage.delete_operator("DE*NOPE") is False
    assert [op.operator_id for op in await storage.list_operators()] == [OPERATOR_ID]


async def test_deleting_an_operator_keeps_its_exchange_log_entries(
    storage: Storage, make_exchange: Callable[..., Exchange]
) -> None:
    storage.record_exchange(make_exchange(operator_id=OPERATOR_ID))
    await storage.flush()

    await storage.delete_operator(OPERATOR_ID)

    assert len(await storage.list_exchanges(operator_id=OPERATOR_ID)) == 1
