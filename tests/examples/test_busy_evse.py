"""Example: arranging the stub's answer for one EVSE, then checking what the hub made of it.

``hubsim.stub.expect_oneshot(...)`` answers exactly one matching request; the fixture fails
the test at teardown if that request never came, so a forgotten call cannot pass unnoticed.
"""

from __future__ import annotations

from hubsim.pytest_plugin import Hubsim


async def test_busy_evse_is_refused_with_602(hubsim: Hubsim) -> None:
    hubsim.stub.expect_oneshot(evse_id="DE*ABC*E0002").respond_with_code("602")

    exchange = await hubsim.send("remote-start", "DE*ABC*E0002")

    assert exchange.outcome.value == "rejected"
    assert exchange.result is False
    assert exchange.status_code == "602"


async def test_second_start_on_a_charging_evse_is_refused(hubsim: Hubsim) -> None:
    # No arrangement needed: the stub keeps EVSE state, like a real backend.
    await hubsim.send("remote-start", "DE*ABC*E0003")
    second = await hubsim.send("remote-start", "DE*ABC*E0003", evco_id="DE-ICE-C87654321-X")

    assert second.status_code == "602"
