"""What partners send to the hub goes into the Process Monitor's log, refusals included.

Real TLS front, real client certificates, SQLite in memory: each call is read back from the
log with its direction, partner, outcome and Hubject's failure class.
"""

from __future__ import annotations

from cpo_stub import CPOStub
from mockpki.ca import LeafCertificate
from oicp.cpo_operations import CPOOperation, cpo_to_hub_path
from oicp.operations import Operation
from simulator.exchange import Exchange
from simulator.inbound.emp_facing import emp_path
from simulator.inbound.monitor import LOG_BODY_LIMIT
from simulator.inbound.service import Inbound
from simulator.model import ServiceType
from simulator.storage import ExchangeQuery
from tests.inbound.support import (
    EMP_ID,
    OPERATOR,
    OICPClient,
    add_emp,
    add_operator,
    evse_data_push,
    evse_record,
    remote_start_body,
)

Certs = dict[str, LeafCertificate | None]
EVSE_DATA = cpo_to_hub_path(CPOOperation.PUSH_EVSE_DATA, OPERATOR)


async def _logged(inbound: Inbound) -> list[Exchange]:
    storage = inbound.hub.storage
    await storage.flush()
    return await storage.query_exchanges(ExchangeQuery(limit=50))


async def test_a_cpos_push_is_logged_as_cpo_to_hub_with_the_hubs_answer(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)

    await client.post(EVSE_DATA, evse_data_push(evse_record()), certificates["cpo"])

    [logged] = await _logged(inbound)
    assert (logged.direction.value, logged.partner_id, logged.operation) == (
        "cpo-to-hub",
        OPERATOR,
        "eRoamingPushEvseData",
    )
    assert (logged.outcome.value, logged.http_status, logged.status_code) == (
        "accepted",
        200,
        "000",
    )
    assert logged.request_body["OperatorEvseData"]["OperatorID"] == OPERATOR


async def test_a_foreign_client_certificate_is_logged_as_an_ssl_error(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await client.post(EVSE_DATA, evse_data_push(evse_record()), certificates["foreign"])

    [logged] = await _logged(inbound)
    assert logged.outcome.value == "client_cert_refused"
    assert logged.outcome.failure_class == "SSL-Error"
    assert "does not verify against the mock Hubject CA" in logged.detail


async def test_a_body_that_breaks_the_schema_is_logged_as_a_validation_error(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)

    await client.post(EVSE_DATA, {"ActionType": "fullLoad"}, certificates["cpo"])

    [logged] = await _logged(inbound)
    assert (logged.outcome.value, logged.http_status) == ("request_invalid", 400)
    assert logged.outcome.failure_class == "ValidationError"
    assert "OperatorEvseData" in logged.detail


async def test_an_emps_remote_start_is_logged_beside_the_hubs_call_to_the_cpo(
    inbound: Inbound, client: OICPClient, certificates: Certs, stub: CPOStub
) -> None:
    await add_operator(inbound.hub, stub.url)
    await add_emp(inbound, ServiceType.AUTHORIZATION)
    path = emp_path(Operation.AUTHORIZE_REMOTE_START).format(provider_id=EMP_ID)

    reply = await client.post(path, remote_start_body(), certificates["emp"])

    logged = await _logged(inbound)
    assert [(x.direction.value, x.partner_id) for x in logged] == [
        ("emp-to-hub", EMP_ID),
        ("hub-to-cpo", OPERATOR),
    ]
    assert {x.session_id for x in logged} == {reply.json["SessionID"]}
    assert logged[0].service_type == "Authorization" and logged[0].evse_id == "DE*ABC*E0001"


async def test_the_log_keeps_a_large_request_body_as_an_excerpt(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    records = [evse_record(f"DE*ABC*E{number:04d}") for number in range(1, 201)]
    push = evse_data_push(*records)

    reply = await client.post(EVSE_DATA, push, certificates["cpo"])

    [logged] = await _logged(inbound)
    assert reply.json["Result"] is True and logged.outcome.value == "accepted"
    assert set(logged.request_body) == {"(not kept)", "(start)"}
    assert f"up to {LOG_BODY_LIMIT} bytes" in logged.request_body["(not kept)"]
    assert len(logged.request_body["(start)"]) <= 2000
