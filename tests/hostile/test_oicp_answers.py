"""On the OICP ports every answer is OICP: JSON with a Process-ID, NGINX's 400 for plain
HTTP, values echoed only in part, and a body limit that holds a realistic fullLoad."""

from __future__ import annotations

import io
import json
import re

import aiohttp
import pytest

from mockpki import MockHubjectPKI, PKIFiles
from oicp.cpo_operations import CPOOperation, cpo_to_hub_path
from oicp.limits import (
    ADDITIONAL_INFO_MAX,
    FULL_LOAD_MAX_BODY_BYTES,
    FULL_LOAD_RECORDS,
    MAX_BODY_BYTES,
)
from tests.hostile.peers import (
    EVSE_DATA_PATH,
    OPERATOR,
    REMOTE_START_PATH,
    Port,
    client_tls,
    evse_data_push,
    full_evse_record,
    full_load_bytes,
    remote_start,
)
from tests.hostile.processes import STUB_LINE, Server, run_to_end, serving

EVSE_STATUS_PATH = cpo_to_hub_path(CPOOperation.PUSH_EVSE_STATUS, OPERATOR)


@pytest.fixture
async def oicp(hub_process: Server) -> str:
    """The hub's OICP URL, with the CPO DE*ABC known to the hub."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{hub_process.urls[0]}/api/operators", json={"operator_id": OPERATOR}),
    ):
        pass
    return hub_process.urls[1]


async def _call(
    method: str, url: str, tls: object, body: bytes | None = None
) -> tuple[int, dict[str, str], str]:
    headers = {"Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, url, data=None if body is None else io.BytesIO(body), headers=headers, ssl=tls
        ) as response,
    ):
        return response.status, dict(response.headers), await response.text()


def _is_oicp_fault(headers: dict[str, str], text: str) -> bool:
    body = json.loads(text)
    return (
        "Process-ID" in headers and re.fullmatch(r"\d{3}", body["StatusCode"]["Code"]) is not None
    )


async def test_an_unknown_path_gets_an_oicp_404_with_a_process_id(
    oicp: str, pki: MockHubjectPKI
) -> None:
    status, headers, text = await _call(
        "POST", oicp + "/api/oicp/nothing/v1/here", client_tls(pki, pki.cpo_client), b"{}"
    )

    assert status == 404 and _is_oicp_fault(headers, text)


async def test_a_wrong_method_gets_an_oicp_405_with_a_process_id(
    oicp: str, pki: MockHubjectPKI
) -> None:
    status, headers, text = await _call(
        "GET", oicp + EVSE_DATA_PATH, client_tls(pki, pki.cpo_client)
    )

    assert status == 405 and _is_oicp_fault(headers, text)
    assert headers["Allow"] == "POST"


async def test_a_push_evse_data_body_beyond_its_24_mib_limit_gets_an_oicp_413(
    oicp: str, pki: MockHubjectPKI
) -> None:
    body = b" " * (FULL_LOAD_MAX_BODY_BYTES + 1)
    status, headers, text = await _call(
        "POST", oicp + EVSE_DATA_PATH, client_tls(pki, pki.cpo_client), body
    )

    assert status == 413 and _is_oicp_fault(headers, text)


async def test_any_other_operation_beyond_1_mib_gets_an_oicp_413_naming_its_limit(
    oicp: str, pki: MockHubjectPKI
) -> None:
    body = b" " * (MAX_BODY_BYTES + 1)
    status, headers, text = await _call(
        "POST", oicp + EVSE_STATUS_PATH, client_tls(pki, pki.cpo_client), body
    )

    assert status == 413 and _is_oicp_fault(headers, text)
    assert f"exceeds the {MAX_BODY_BYTES} bytes" in json.loads(text)["StatusCode"]["AdditionalInfo"]


async def _stored_evse_ids(hub_process: Server) -> list[str]:
    url = f"{hub_process.urls[0]}/api/operators/{OPERATOR}/evse-data"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return [evse["evse_id"] for evse in (await response.json())["evses"]]


async def test_a_full_load_of_10000_evse_records_is_within_the_body_limit_and_stored(
    oicp: str, pki: MockHubjectPKI, hub_process: Server
) -> None:
    records = [full_evse_record(f"{OPERATOR}*E{i:07d}") for i in range(FULL_LOAD_RECORDS)]
    body = full_load_bytes(records)
    status, _, text = await _call(
        "POST", oicp + EVSE_DATA_PATH, client_tls(pki, pki.cpo_client), body
    )

    assert len(body) > 19 * 1024 * 1024  # about 2 KB a record, as in the official example
    assert status == 200, text[:2000]
    assert json.loads(text)["Result"] is True
    assert len(await _stored_evse_ids(hub_process)) == FULL_LOAD_RECORDS


async def test_a_large_push_with_a_bad_record_gets_the_fault_with_its_pointer_and_stores_nothing(
    oicp: str, pki: MockHubjectPKI, hub_process: Server
) -> None:
    # Beyond 1 MiB, so the worker process prepares it (simulator.inbound.bodies).
    records = [full_evse_record(f"{OPERATOR}*E{i:07d}") for i in range(1000)]
    records[777]["Plugs"] = ["Type 9"]
    body = full_load_bytes(records)
    status, headers, text = await _call(
        "POST", oicp + EVSE_DATA_PATH, client_tls(pki, pki.cpo_client), body
    )

    assert len(body) > MAX_BODY_BYTES
    assert status == 400 and "Process-ID" in headers
    references = [e["fieldReference"] for e in json.loads(text)["validationErrors"]]
    assert any(ref.startswith("OperatorEvseData.EvseDataRecord[777].Plugs") for ref in references)
    assert await _stored_evse_ids(hub_process) == []


async def test_a_large_push_naming_another_operator_in_its_body_gets_017(
    oicp: str, pki: MockHubjectPKI
) -> None:
    records = [full_evse_record(f"{OPERATOR}*E{i:07d}") for i in range(1000)]
    push = json.loads(full_load_bytes(records))
    push["OperatorEvseData"]["OperatorID"] = "DE*XYZ"
    status, _, text = await _call(
        "POST", oicp + EVSE_DATA_PATH, client_tls(pki, pki.cpo_client), json.dumps(push).encode()
    )

    assert status == 401 and json.loads(text)["StatusCode"]["Code"] == "017"


async def test_a_huge_echoed_value_is_clipped_in_the_fault(oicp: str, pki: MockHubjectPKI) -> None:
    push = evse_data_push()
    push["OperatorEvseData"]["EvseDataRecord"][0]["EvseID"] = "X" * 900_000  # type: ignore[index]
    status, _, text = await _call(
        "POST", oicp + EVSE_DATA_PATH, client_tls(pki, pki.cpo_client), json.dumps(push).encode()
    )

    errors = json.loads(text)["validationErrors"]
    assert status == 400 and errors
    assert all(len(e["errorMessage"]) <= ADDITIONAL_INFO_MAX for e in errors)
    assert len(text) < 20_000


async def test_plain_http_on_the_hubs_oicp_port_gets_nginx_400(oicp: str) -> None:
    port = Port.of(oicp)
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://{port.host}:{port.port}/") as response,
    ):
        status, text = response.status, await response.text()

    assert status == 400 and "The plain HTTP request was sent to HTTPS port" in text


@pytest.fixture
async def stub(pki_files: PKIFiles) -> Server:  # type: ignore[misc]
    args = ["stub", "serve", "--pki", str(pki_files.directory), "--port", "0", "--max-records", "3"]
    async with serving(args, [STUB_LINE]) as server:
        yield server


async def test_plain_http_on_the_stubs_port_gets_nginx_400(stub: Server) -> None:
    port = Port.of(stub.urls[0])
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://{port.host}:{port.port}/") as response,
    ):
        status, text = response.status, await response.text()

    assert status == 400 and "The plain HTTP request was sent to HTTPS port" in text


async def test_a_port_check_closing_before_its_first_byte_is_no_failed_handshake(
    stub: Server, pki: MockHubjectPKI
) -> None:
    """``hubsim wait HOST:PORT`` (as a compose healthcheck's TCP probe) connects and closes:
    no TLS client, so neither a line on stderr nor a handshake failure on the requests page."""
    port = Port.of(stub.urls[0])
    code, output = await run_to_end(["wait", f"{port.host}:{port.port}"])
    assert code == 0, output
    # A real failure afterwards: once it is logged, the port check's would have been too.
    with pytest.raises(aiohttp.ClientError):
        await _call("POST", stub.urls[0] + REMOTE_START_PATH, client_tls_without_cert(pki))
    await stub.wait_for_lines(re.compile("TLS handshake with .* failed"), 1)
    _, _, text = await _call(
        "GET", stub.urls[0] + "/_stub/requests", client_tls(pki, pki.hub_client)
    )

    reasons = [failure["reason"] for failure in json.loads(text)["handshake_failures"]]
    assert reasons == ["peer did not return a certificate"]
    assert stub.output().count("TLS handshake with") == 1


async def test_the_stubs_additional_info_stays_within_1000_characters(
    stub: Server, pki: MockHubjectPKI
) -> None:
    start = remote_start()
    start["EvseID"] = "X" * 5000
    start["Identification"] = {"RemoteIdentification": {"EvcoID": "Y" * 5000}}
    status, _, text = await _call(
        "POST",
        stub.urls[0] + REMOTE_START_PATH,
        client_tls(pki, pki.hub_client),
        json.dumps(start).encode(),
    )

    info = json.loads(text)["StatusCode"]["AdditionalInfo"]
    assert status == 200 and 0 < len(info) <= ADDITIONAL_INFO_MAX


async def test_the_stub_keeps_at_most_max_records_and_counts_the_dropped(
    stub: Server, pki: MockHubjectPKI
) -> None:
    hub_tls = client_tls(pki, pki.hub_client)
    for _ in range(5):
        await _call(
            "POST", stub.urls[0] + REMOTE_START_PATH, hub_tls, json.dumps(remote_start()).encode()
        )
    for _ in range(5):  # no client certificate: the handshake fails
        with pytest.raises(aiohttp.ClientError):
            await _call("POST", stub.urls[0] + REMOTE_START_PATH, client_tls_without_cert(pki))
    await stub.wait_for_lines(re.compile("TLS handshake with .* failed"), 5)
    _, _, text = await _call("GET", stub.urls[0] + "/_stub/requests", hub_tls)

    seen = json.loads(text)
    assert len(seen["requests"]) == 3 and len(seen["handshake_failures"]) == 3
    assert seen["dropped"] == {"requests": 2, "handshake_failures": 2}


def client_tls_without_cert(pki: MockHubjectPKI) -> object:
    import ssl

    context = ssl.create_default_context()
    pki.configure_trust(context)
    return context
