"""Layers 8-12: HTTP, Body, Semantics, Latency and Round trip, each failing for real."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from mockpki import MockHubjectPKI, PKIFiles
from simulator.model import ServiceType
from tests.check.conftest import ack, answering, one_shot, raw_handler, serve, statuses


async def test_http_fail_for_status_500(pki: MockHubjectPKI, pki_files: PKIFiles) -> None:
    handler = raw_handler(b"internal error", status=500, content_type="text/plain")
    async with serve(pki.cpo_server, handler, client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files)
    http = report.layer("http")
    assert http.status.value == "FAIL"
    assert "HTTP 500 instead of 200 ('internal error')" in http.reason
    assert "not application/json" in http.reason
    assert report.layer("body").details["blocked_by"] == "http"
    assert statuses(report)["latency"] == "PASS"  # the answer still came in time


async def test_http_fail_for_a_body_that_is_not_utf8(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    handler = raw_handler('{"Result": true, "x": "é"}'.encode("latin-1"))
    async with serve(pki.cpo_server, handler, client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files)
    http = report.layer("http")
    assert http.status.value == "FAIL"
    assert "not valid UTF-8" in http.reason


async def test_body_fail_for_a_body_that_is_not_json(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    handler = raw_handler(b'{"Result": true, "StatusCode": {"Code": "000", ')
    async with serve(pki.cpo_server, handler, client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files)
    assert statuses(report)["http"] == "PASS"
    body = report.layer("body")
    assert body.status.value == "FAIL"
    assert body.reason.startswith("The body is not JSON")
    assert report.layer("semantics").details["blocked_by"] == "body"


async def test_body_fail_lists_schema_problems_with_json_pointers(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    wrong: dict[str, object] = {"Result": "yes", "StatusCode": {"Code": 0}}
    async with serve(pki.cpo_server, answering(lambda _: wrong), client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files)
    body = report.layer("body")
    assert body.status.value == "FAIL"
    pointers = {problem["pointer"] for problem in body.details["problems"]}
    assert pointers == {"/Result", "/StatusCode/Code"}
    assert "/Result:" in body.reason and "/StatusCode/Code:" in body.reason


async def test_semantics_fail_reports_result_false_with_code_and_meaning(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    def refuse(body: dict[str, Any]) -> dict[str, object]:
        return ack(False, "602", body["SessionID"])

    async with serve(pki.cpo_server, answering(refuse), client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files)
    semantics = report.layer("semantics")
    assert semantics.status.value == "FAIL"
    assert "plain remote start with Result false, StatusCode 602" in semantics.reason
    assert "EVSE already in use/ wrong token." in semantics.reason
    assert report.layer("round_trip").details["blocked_by"] == "semantics"


async def test_semantics_fail_for_a_status_code_outside_the_table(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    answer = answering(lambda body: ack(True, "999", body["SessionID"]))
    async with serve(pki.cpo_server, answer, client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files)
    semantics = report.layer("semantics")
    assert semantics.status.value == "FAIL"
    assert "/StatusCode/Code: status code '999' is not in the OICP 2.3 CodeType table" in (
        semantics.reason
    )


async def test_semantics_fail_when_another_session_id_is_echoed(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    other = "00000000-0000-0000-0000-000000000000"
    async with serve(
        pki.cpo_server, answering(lambda _: ack(session_id=other)), client_ca=pki.ca_chain_pem
    ) as ep:
        report = await one_shot(ep.url, pki_files)
    semantics = report.layer("semantics")
    assert semantics.status.value == "FAIL"
    assert f"carries SessionID {other}" in semantics.reason


async def test_semantics_warn_when_the_session_id_is_not_echoed(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    async with serve(pki.cpo_server, answering(lambda _: ack()), client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files)
    semantics = report.layer("semantics")
    assert semantics.status.value == "WARN"
    assert "does not echo the SessionID" in semantics.reason


async def test_semantics_fail_for_a_partner_session_id_over_250_characters(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    def long_id(body: dict[str, Any]) -> dict[str, object]:
        return ack(session_id=body["SessionID"], CPOPartnerSessionID="x" * 251)

    async with serve(pki.cpo_server, answering(long_id), client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files)
    semantics = report.layer("semantics")
    assert semantics.status.value == "FAIL"
    assert "/CPOPartnerSessionID: CPOPartnerSessionID is 251 characters long" in semantics.reason


async def test_latency_fail_at_the_timeout(pki: MockHubjectPKI, pki_files: PKIFiles) -> None:
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response(ack())

    async with serve(pki.cpo_server, slow, client_ca=pki.ca_chain_pem) as ep:
        try:
            report = await one_shot(ep.url, pki_files, timeout_s=0.5)
        finally:
            release.set()  # let the waiting handler end, so the server shuts down at once
    latency = report.layer("latency")
    assert latency.status.value == "FAIL"
    assert "did not answer within 0.5 s" in latency.reason
    found = statuses(report)
    assert [found[k] for k in ("http", "body", "semantics", "round_trip")] == ["SKIP"] * 4
    assert "(see layer 11, Latency)" in report.layer("http").reason
    assert found["client_certificate"] == "PASS"  # the connection was accepted, then waited


async def test_round_trip_fail_when_the_stop_is_refused(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    def start_only(body: dict[str, Any]) -> dict[str, object]:
        if "Identification" in body:  # a start
            return ack(session_id=body["SessionID"])
        return ack(False, "400", body["SessionID"])

    async with serve(pki.cpo_server, answering(start_only), client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files)
    trip = report.layer("round_trip")
    assert trip.status.value == "FAIL"
    assert trip.reason.startswith(
        "eRoamingAuthorizeRemoteStop failed: Result false, StatusCode 400"
    )
    assert [step["operation"] for step in trip.details["steps"]] == ["eRoamingAuthorizeRemoteStop"]


async def test_round_trip_stops_the_session_that_was_started(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    async with serve(pki.cpo_server, client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files)
        oicp = [body for body in ep.bodies if body.get("EvseID") == report.target.evse_id]
    assert report.layer("round_trip").status.value == "PASS"
    start, stop = oicp[0], oicp[-3]
    assert "Identification" in start and stop["SessionID"] == start["SessionID"]
    reservation_start, reservation_stop = oicp[-2], oicp[-1]
    assert reservation_start["Duration"] == 5
    assert reservation_stop["SessionID"] == reservation_start["SessionID"]


async def test_round_trip_without_reservation_when_it_is_turned_off(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    async with serve(pki.cpo_server, client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files, reservation=False)
    trip = report.layer("round_trip")
    assert trip.status.value == "PASS"
    assert [step["operation"] for step in trip.details["steps"]] == ["eRoamingAuthorizeRemoteStop"]
    assert "--no-reservation" in trip.details["reservation"]


async def test_reservation_check_starts_with_a_duration_and_stops_it(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    async with serve(pki.cpo_server, client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files, service=ServiceType.RESERVATION)
    assert report.ok, [(layer.key, layer.reason) for layer in report.layers if layer.fix]
    assert report.target.operation == "eRoamingAuthorizeRemoteReservationStart"
    steps = report.layer("round_trip").details["steps"]
    assert [step["operation"] for step in steps] == ["eRoamingAuthorizeRemoteReservationStop"]
