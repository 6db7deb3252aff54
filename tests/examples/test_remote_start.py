"""Example: a remote start the CPO accepts, asserted on both sides.

The ``hubsim`` fixture (from the pytest plugin that ships with hubsim) gives a running hub
whose operator DE*ABC points at a running CPO stub. Nothing to set up: install hubsim and
pytest-asyncio, and write the test.
"""

from __future__ import annotations

from hubsim.pytest_plugin import Hubsim


async def test_remote_start_is_accepted(hubsim: Hubsim) -> None:
    exchange = await hubsim.send("remote-start", "DE*ABC*E0001", evco_id="DE-ICE-C12345678-X")

    # What the hub got back (the Process Monitor's view) ...
    assert exchange.outcome.value == "accepted"
    assert exchange.status_code == "000"
    # ... and what the CPO received: the hub generated a SessionID and sent it along.
    received = hubsim.assert_called("remote-start", count=1, evse_id="DE*ABC*E0001")
    assert received[0].session_id == exchange.session_id


async def test_remote_stop_uses_the_session_of_the_start(hubsim: Hubsim) -> None:
    start = await hubsim.send("remote-start", "DE*ABC*E0001")
    stop = await hubsim.send("remote-stop", "DE*ABC*E0001", session_id=start.session_id)

    assert stop.status_code == "000"
    assert hubsim.stub.last.session_id == start.session_id
