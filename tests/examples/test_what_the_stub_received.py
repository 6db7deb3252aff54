"""Example: asserting on what the stub received and on what the hub recorded.

``hubsim.stub.calls`` lists every request in order, ``hubsim.stub.last`` is the latest and
each expectation keeps its own ``calls``. ``hubsim.hub.exchanges`` is the hub's side.
When ``assert_called`` fails, its message lists the similar requests that did arrive.
"""

from __future__ import annotations

import pytest

from hubsim.pytest_plugin import Hubsim


async def test_the_hub_sends_the_evco_id_as_remote_identification(hubsim: Hubsim) -> None:
    watched = hubsim.stub.expect(evse_id="DE*ABC*E0005", operation="remote-start").accept()

    await hubsim.send("remote-start", "DE*ABC*E0005", evco_id="DE-ICE-C12345678-X")

    assert watched.call_count == 1
    body = watched.last.body
    assert isinstance(body, dict)
    assert body["Identification"]["RemoteIdentification"]["EvcoID"] == "DE-ICE-C12345678-X"
    assert hubsim.stub.last.path.endswith("/providers/DE*ICE/authorize-remote/start")
    assert [e.operation for e in hubsim.hub.exchanges] == ["eRoamingAuthorizeRemoteStart"]


async def test_assert_called_shows_similar_requests(hubsim: Hubsim) -> None:
    await hubsim.send("remote-start", "DE*ABC*E0006")

    with pytest.raises(AssertionError, match="similar requests that did arrive") as failure:
        hubsim.assert_called("remote-start", evse_id="DE*ABC*E9999")
    assert "EvseID DE*ABC*E0006" in str(failure.value)
