"""The hub service: settings revisions, sending for an operator, and the exchange log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cpo_stub import CPOStub, Reject
from mockpki import PKIFiles
from mockpki.errors import PKIError
from oicp import Operation
from simulator.exchange import Outcome
from simulator.hub import Hub, HubError, HubIdentity, SettingsRejected
from simulator.model import Operator, ReservationPathStyle, ServiceType
from simulator.requests import RequestRefused, SendParams
from simulator.storage import Storage

OP = "DE*ABC"
START = SendParams(evse_id="DE*ABC*E0001", provider_id="DE*ICE")


@pytest.fixture
async def hub(identity: HubIdentity) -> AsyncIterator[Hub]:
    hub = Hub(await Storage.open(":memory:"), identity)
    await hub.put_operator(Operator(operator_id=OP))
    yield hub
    await hub.close()


@pytest.fixture
async def stub(pki_files: PKIFiles) -> AsyncIterator[CPOStub]:
    async with CPOStub.from_pki_dir(pki_files.directory) as stub:
        yield stub


@pytest.fixture
async def user_stub(pki_files: PKIFiles) -> AsyncIterator[CPOStub]:
    async with CPOStub.from_pki_dir(pki_files.directory, user_cert=True) as stub:
        yield stub


def online(url: str, mode: str = "hubject") -> dict[str, object]:
    return {"online_request": True, "service_url": url, "server_certification": mode}


def by_name(url: str) -> str:
    return url.replace("127.0.0.1", "localhost")


async def test_saving_keeps_the_previous_revision(hub: Hub) -> None:
    await hub.save_settings(OP, ServiceType.AUTHORIZATION, online("https://a.example"))
    await hub.save_settings(OP, ServiceType.AUTHORIZATION, online("https://b.example"))
    history = await hub.storage.settings_history(OP, ServiceType.AUTHORIZATION)
    assert [r.settings.service_url for r in history] == ["https://b.example", "https://a.example"]


async def test_refused_settings_store_nothing(hub: Hub) -> None:
    with pytest.raises(SettingsRejected) as refused:
        await hub.save_settings(
            OP, ServiceType.RESERVATION, {**online("https://a.example"), "broadcast_request": True}
        )
    assert refused.value.issues[0].field == "broadcast_request"
    assert await hub.storage.current_settings(OP, ServiceType.RESERVATION) is None


async def test_send_for_an_operator_reaches_the_stub_and_is_logged(hub: Hub, stub: CPOStub) -> None:
    await hub.save_settings(OP, ServiceType.AUTHORIZATION, online(by_name(stub.url) + "/oicp/"))
    exchange = await hub.send(OP, Operation.AUTHORIZE_REMOTE_START, START)
    assert exchange.outcome is Outcome.ACCEPTED
    assert stub.last.path == "/oicp/api/oicp/charging/v21/providers/DE*ICE/authorize-remote/start"
    await hub.storage.flush()
    (logged,) = await hub.storage.list_exchanges(operator_id=OP)
    assert logged.session_id == exchange.session_id and logged.service_type == "Authorization"


async def test_the_send_after_a_settings_change_uses_the_new_service_url(
    hub: Hub, stub: CPOStub
) -> None:
    await hub.save_settings(OP, ServiceType.AUTHORIZATION, online(by_name(stub.url) + "/old"))
    await hub.send(OP, Operation.AUTHORIZE_REMOTE_START, START)
    await hub.save_settings(OP, ServiceType.AUTHORIZATION, online(by_name(stub.url) + "/new"))
    other_evse = SendParams(evse_id="DE*ABC*E0003", provider_id="DE*ICE")
    exchange = await hub.send(OP, Operation.AUTHORIZE_REMOTE_START, other_evse)
    assert exchange.ok and exchange.url.startswith(by_name(stub.url) + "/new/")
    assert stub.last.path.startswith("/new/api/oicp/")


async def test_send_is_refused_when_the_service_type_is_offline(hub: Hub) -> None:
    exchange = await hub.send(OP, Operation.AUTHORIZE_REMOTE_RESERVATION_START, START)
    assert exchange.outcome is Outcome.SETTINGS_INVALID
    assert "Reservation" in exchange.detail and "Online Request" in exchange.detail


async def test_user_certificate_without_upload_is_an_error_at_send_time(
    hub: Hub, user_stub: CPOStub
) -> None:
    saved = await hub.save_settings(
        OP, ServiceType.AUTHORIZATION, online(by_name(user_stub.url), "user")
    )
    assert saved.warnings  # the save warned already
    exchange = await hub.send(OP, Operation.AUTHORIZE_REMOTE_START, START)
    assert exchange.outcome is Outcome.NO_USER_CERTIFICATE
    assert "localhost" in exchange.detail and "Certificate Management" in exchange.detail
    assert exchange.detail.endswith("switch Server certification to 'Hubject certificate'.")
    assert user_stub.records == []


async def test_user_certificate_mode_trusts_the_uploaded_certificate(
    hub: Hub, user_stub: CPOStub, pki_files: PKIFiles
) -> None:
    pem = pki_files.cpo_user_server_cert.read_bytes()
    await hub.upload_certificates(OP, pem, "cpo-user-server.pem")
    await hub.save_settings(OP, ServiceType.AUTHORIZATION, online(by_name(user_stub.url), "user"))
    exchange = await hub.send(OP, Operation.AUTHORIZE_REMOTE_START, START)
    assert exchange.outcome is Outcome.ACCEPTED, exchange.detail


async def test_result_false_from_the_cpo_carries_its_code(hub: Hub, stub: CPOStub) -> None:
    stub.set_behaviour(Reject("700"), evse_id=START.evse_id)
    await hub.save_settings(OP, ServiceType.AUTHORIZATION, online(by_name(stub.url)))
    exchange = await hub.send(OP, Operation.AUTHORIZE_REMOTE_START, START)
    assert (exchange.outcome, exchange.status_code) == (Outcome.REJECTED, "700")


@pytest.mark.parametrize(
    ("style", "path"),
    [
        (
            ReservationPathStyle.HUBJECT,
            "/api/oicp/reservation/v11/providers/DE*ICE/reservation-start-request",
        ),
        (
            ReservationPathStyle.CHARGING,
            "/api/oicp/charging/v21/providers/DE*ICE/authorize-remote-reservation/start",
        ),
    ],
)
async def test_reservation_path_style_is_chosen_per_operator(
    hub: Hub, stub: CPOStub, style: ReservationPathStyle, path: str
) -> None:
    await hub.put_operator(Operator(operator_id=OP, reservation_path_style=style))
    await hub.save_settings(OP, ServiceType.RESERVATION, online(by_name(stub.url)))
    params = SendParams(evse_id="DE*ABC*E0002", provider_id="DE*ICE", duration=15)
    exchange = await hub.send(OP, Operation.AUTHORIZE_REMOTE_RESERVATION_START, params)
    assert exchange.ok and stub.last.path == path
    assert stub.last.body["Duration"] == 15  # type: ignore[index]


async def test_timeout_above_60_seconds_is_refused(hub: Hub) -> None:
    with pytest.raises(HubError) as refused:
        await hub.put_operator(Operator(operator_id=OP, timeout_s=61))
    assert refused.value.issues[0].field == "timeout_s"


async def test_remote_stop_needs_a_session_id(hub: Hub) -> None:
    with pytest.raises(RequestRefused) as refused:
        await hub.send(OP, Operation.AUTHORIZE_REMOTE_STOP, START)
    assert refused.value.issues[0].field == "session_id"


async def test_bad_evse_id_is_refused_naming_the_field(hub: Hub) -> None:
    with pytest.raises(RequestRefused) as refused:
        await hub.send(
            OP,
            Operation.AUTHORIZE_REMOTE_START,
            SendParams(evse_id="not an evse", provider_id="DE*ICE"),
        )
    assert [(i.field, i.value) for i in refused.value.issues] == [("evse_id", "not an evse")]


async def test_unknown_operator_is_refused(hub: Hub) -> None:
    with pytest.raises(HubError) as refused:
        await hub.send("DE*XYZ", Operation.AUTHORIZE_REMOTE_START, START)
    assert refused.value.status == 404 and "DE*XYZ" in str(refused.value)


def test_missing_pki_folder_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(PKIError, match="hubsim pki init --dir"):
        HubIdentity.from_pki_dir(tmp_path / "missing")
