"""Example: a reservation round trip (OICP 2.3 §eRoamingAuthorizeRemoteReservationStart/Stop)."""

from __future__ import annotations

from hubsim.pytest_plugin import Hubsim


async def test_reservation_start_and_stop(hubsim: Hubsim) -> None:
    reserve = await hubsim.send("reservation-start", "DE*ABC*E0004", duration=15)
    release = await hubsim.send("reservation-stop", "DE*ABC*E0004", session_id=reserve.session_id)

    assert (reserve.status_code, release.status_code) == ("000", "000")
    start_request = hubsim.stub.requests("reservation-start")[0]
    assert isinstance(start_request.body, dict)
    assert start_request.body["Duration"] == 15  # minutes, as the spec defines it
