"""Service type settings: every save is a new revision; the newest one is current."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest

from simulator.model import Operator, ServerCertification, ServiceType, ServiceTypeSettings
from simulator.storage import Storage, UnknownOperatorError

OPERATOR_ID = "DE*ABC"
ONLINE = ServiceTypeSettings(online_request=True, service_url="https://cpo.example/oicp")
OFFLINE = ServiceTypeSettings(online_request=False, service_url=None)


async def test_revisions_are_numbered_from_one_and_history_is_newest_first(
    storage: Storage,
) -> None:
    for settings in (OFFLINE, ONLINE, OFFLINE):
        await storage.save_settings(OPERATOR_ID, ServiceType.AUTHORIZATION, settings)

    history = await storage.settings_history(OPERATOR_ID, ServiceType.AUTHORIZATION)

    assert [rev.revision for rev in history] == [3, 2, 1]
    assert [rev.settings for rev in history] == [OFFLINE, ONLINE, OFFLINE]
    assert history[0].saved_at >= history[1].saved_at >= history[2].saved_at


async def test_revision_numbers_are_counted_per_operator_and_service_type(
    storage: Storage,
) -> None:
    await storage.upsert_operator(Operator("DE*XYZ"))
    await storage.save_settings(OPERATOR_ID, ServiceType.AUTHORIZATION, ONLINE)
    await storage.save_settings(OPERATOR_ID, ServiceType.AUTHORIZATION, ONLINE)

    reservation = await storage.save_settings(OPERATOR_ID, ServiceType.RESERVATION, ONLINE)
    other = await storage.save_settings("DE*XYZ", ServiceType.AUTHORIZATION, ONLINE)

    assert (reservation.revision, other.revision) == (1, 1)


async def test_current_settings_is_the_newest_revision_as_saved(storage: Storage) -> None:
    user_mode = ServiceTypeSettings(
        online_request=True,
        broadcast_request=True,
        service_url="https://cpo.example:8443/api/",
        server_certification=ServerCertification.USER,
    )
    await storage.save_settings(OPERATOR_ID, ServiceType.RESERVATION, OFFLINE)
    saved = await storage.save_settings(OPERATOR_ID, ServiceType.RESERVATION, user_mode)

    current = await storage.current_settings(OPERATOR_ID, ServiceType.RESERVATION)

    assert current == saved
    assert current.settings == user_mode


async def test_settings_never_saved_have_no_current_revision(storage: Storage) -> None:
    assert await storage.current_settings(OPERATOR_ID, ServiceType.AUTHORIZATION) is None
    assert await storage.settings_history(OPERATOR_ID, ServiceType.AUTHORIZATION) == []


async def test_saved_at_is_an_aware_utc_datetime(storage: Storage) -> None:
    saved = await storage.save_settings(OPERATOR_ID, ServiceType.AUTHORIZATION, ONLINE)

    current = await storage.current_settings(OPERATOR_ID, ServiceType.AUTHORIZATION)

    assert saved.saved_at.tzinfo is UTC
    assert current is not None
    assert current.saved_at == saved.saved_at
    assert current.saved_at.utcoffset() is not None


async def test_all_current_settings_holds_the_newest_revision_of_each_saved_type(
    storage: Storage,
) -> None:
    await storage.save_settings(OPERATOR_ID, ServiceType.AUTHORIZATION, OFFLINE)
    newest = await storage.save_settings(OPERATOR_ID, ServiceType.AUTHORIZATION, ONLINE)
    reservation = await storage.save_settings(OPERATOR_ID, ServiceType.RESERVATION, OFFLINE)

    current = await storage.all_current_settings(OPERATOR_ID)

    assert current == {
        ServiceType.AUTHORIZATION: newest,
        ServiceType.RESERVATION: reservation,
    }


async def test_settings_for_an_unknown_operator_are_refused_with_what_to_do(
    storage: Storage,
) -> None:
    with pytest.raises(UnknownOperatorError, match=r"'DE\*NOPE'.*create the operator first"):
        await storage.save_settings("DE*NOPE", ServiceType.AUTHORIZATION, ONLINE)

    assert await storage.current_settings("DE*NOPE", ServiceType.AUTHORIZATION) is None


async def test_saved_settings_survive_closing_and_reopening_a_file_database(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hub.sqlite3"
    async with await Storage.open(path) as first:
        await first.upsert_operator(Operator(OPERATOR_ID))
        saved = await first.save_settings(OPERATOR_ID, ServiceType.AUTHORIZATION, ONLINE)

    async with await Storage.open(path) as reopened:
        current = await reopened.current_settings(OPERATOR_ID, ServiceType.AUTHORIZATION)

    assert current == saved
