"""Layer 12 (round trip) as a user meets it: ``hubsim check`` in its own process against
nginx, a foreign backend in its own process, whose stop or reservation answers go wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mockpki import PKIFiles
from tests.cli.conftest import hubsim
from tests.load.conftest import nginx_answering

_ACK = """'{"Result": true, "StatusCode": {"Code": "000"}}'"""


def _location(special: str) -> str:
    """nginx directives: ``special`` first, then an acknowledgement for every other path."""
    return f"""default_type application/json;
            {special}
            return 200 {_ACK};"""


async def _round_trip(pki: PKIFiles, url: str, *extra: str) -> dict[str, Any]:
    run = await hubsim(
        "check", "--url", url, "--server-cert", "hubject", "--pki", str(pki.directory), "--json",
        *extra,
    )  # fmt: skip
    assert run.code == 1, run.err
    layers = {layer["key"]: layer for layer in json.loads(run.out)["layers"]}
    assert layers["semantics"]["status"] != "FAIL"  # WARN: nginx echoes no SessionID
    return layers["round_trip"]


async def test_a_reservation_404_names_the_path_and_no_reservation(
    pki_files: PKIFiles, tmp_path: Path
) -> None:
    no_reservations = _location('if ($request_uri ~ "reservation") { return 404; }')
    async with nginx_answering(no_reservations, pki_files, tmp_path) as nginx:
        trip = await _round_trip(pki_files, nginx.url)
    path = "/api/oicp/reservation/v11/providers/DE*ICE/reservation-start-request"
    assert trip["status"] == "FAIL"
    assert trip["reason"].startswith(
        f"eRoamingAuthorizeRemoteReservationStart failed: the endpoint answered HTTP 404 "
        f"instead of 200; nothing answers POST at {path}"
    )
    assert trip["fix"].startswith(
        "If the backend offers no reservations, run the check with --no-reservation; "
        f"otherwise route POST requests for {path} to it"
    )


async def test_a_refused_stop_asks_for_the_stop_alone(pki_files: PKIFiles, tmp_path: Path) -> None:
    refused = """'{"Result": false, "StatusCode": {"Code": "400"}}'"""
    stop_refused = _location(f'if ($request_uri ~ "remote/stop") {{ return 200 {refused}; }}')
    async with nginx_answering(stop_refused, pki_files, tmp_path) as nginx:
        trip = await _round_trip(pki_files, nginx.url)
    assert trip["reason"].startswith("eRoamingAuthorizeRemoteStop failed: Result false")
    assert trip["fix"] == (
        "Make the backend accept a stop for the session it has just started (the same "
        "SessionID), at /api/oicp/charging/v21/providers/DE*ICE/authorize-remote/stop."
    )
    assert "reservation" not in trip["fix"]


async def test_a_stop_answer_nested_too_deep_is_a_failed_step_not_a_crash(
    pki_files: PKIFiles, tmp_path: Path
) -> None:
    deep = "'" + "[" * 1500 + "]" * 1500 + "'"
    stop_deep = _location(f'if ($request_uri ~ "remote/stop") {{ return 200 {deep}; }}')
    async with nginx_answering(stop_deep, pki_files, tmp_path) as nginx:
        trip = await _round_trip(pki_files, nginx.url, "--no-reservation")
    assert trip["status"] == "FAIL"
    assert trip["reason"].startswith(
        "eRoamingAuthorizeRemoteStop failed: the answer is not a valid eRoamingAcknowledgement"
    )
    assert "deeper than 64 levels" in trip["reason"]
