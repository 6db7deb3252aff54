"""Example: relaxing the teardown checks, and announcing an expected TLS refusal.

A test that arranges more than it uses (say, a table of answers for several EVSEs) would
fail at teardown; ``@pytest.mark.hubsim_relaxed`` allows it. A refused handshake is
announced with ``expect_handshake_failure()`` instead, so the test stays strict.
"""

from __future__ import annotations

import pytest

from hubsim.pytest_plugin import Hubsim


@pytest.mark.hubsim_relaxed
async def test_a_table_of_answers_need_not_all_be_used(hubsim: Hubsim) -> None:
    for evse_id, code in (("DE*ABC*E0101", "602"), ("DE*ABC*E0102", "700")):
        hubsim.stub.expect(evse_id=evse_id).respond_with_code(code)

    exchange = await hubsim.send("remote-start", "DE*ABC*E0101")

    assert exchange.status_code == "602"


async def test_a_foreign_client_certificate_is_refused(hubsim: Hubsim) -> None:
    hubsim.stub.expect_handshake_failure()

    exchange = await hubsim.send("remote-start", "DE*ABC*E0103", client_certificate="foreign-ca")

    assert exchange.outcome.value == "client_cert_refused"
    assert hubsim.stub.calls == []
