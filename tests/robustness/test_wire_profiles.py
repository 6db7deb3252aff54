"""Wire profiles: ``hbs`` (the captured HBS request) and ``strict`` (the official schema).

Every test sends through real processes (``python -m hubsim``) to an independent HTTPS
server (node), which records each request's path, raw headers and body exactly.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oicp import Operation
from simulator.model import WireProfile
from simulator.requests import WIRE_SHAPES, SendParams, prepare_request

from .official import null_members_dropped, official_request_schema, schema_errors
from .support import Recorder, _popen, _read_until, _stop, hubsim, node_recorder

EVSE = "DE*ABC*E0001"
PROVIDER = "DE*ICE"
START_PATH = "/api/oicp/charging/v21/providers/DE*ICE/authorize-remote/start"


@pytest.fixture
def recorder(pki_dir: Path, tmp_path: Path) -> Iterator[Recorder]:
    with node_recorder(pki_dir, tmp_path / "node") as rec:
        yield rec


def _headers(raw: list[str]) -> dict[str, str]:
    """node's rawHeaders (name, value, name, value ...) as sent, names in their own case."""
    return dict(zip(raw[0::2], raw[1::2], strict=True))


def _send(recorder: Recorder, pki_dir: Path, *extra: str, operation: str = "remote-start") -> None:
    ran = hubsim(
        "send", operation, "--url", recorder.url, "--server-cert", "hubject", "--pki",
        str(pki_dir), "--provider", PROVIDER, "--evse", EVSE, "--json", *extra,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr + ran.stdout


def _full_params(operation: Operation) -> SendParams:
    stop = operation in (
        Operation.AUTHORIZE_REMOTE_STOP,
        Operation.AUTHORIZE_REMOTE_RESERVATION_STOP,
    )
    return SendParams(
        EVSE,
        PROVIDER,
        session_id="b2688855-7f00-0002-6d8e-48d883f6abb6",
        cpo_partner_session_id="1234XYZ",
        emp_partner_session_id="2345ABC",
        partner_product_id=None if stop else "AC1",
        duration=15 if operation is Operation.AUTHORIZE_REMOTE_RESERVATION_START else None,
    )


@pytest.mark.parametrize("profile", list(WireProfile), ids=lambda p: p.value)
@pytest.mark.parametrize("full", [True, False], ids=["all-members", "required-only"])
@pytest.mark.parametrize("operation", list(Operation), ids=lambda o: o.slug)
def test_each_profile_body_is_valid_against_the_official_schema(
    profile: WireProfile, full: bool, operation: Operation
) -> None:
    params = (
        _full_params(operation)
        if full
        else SendParams(EVSE, PROVIDER, session_id="b2688855-7f00-0002-6d8e-48d883f6abb6")
    )
    _, body = prepare_request(operation, params, profile)
    # The hbs profile's nulls mean "absent" (the official schema has no nullable members).
    seen = null_members_dropped(body) if profile is WireProfile.HBS else body
    assert schema_errors(official_request_schema(operation), seen) == []


def test_hbs_profile_arrives_as_the_captured_hbs_request(recorder: Recorder, pki_dir: Path) -> None:
    _send(recorder, pki_dir, "--wire", "hbs")
    (request,) = recorder.requests()
    assert request["url"] == START_PATH  # the '*' literal, as the capture shows
    headers = _headers(request["rawHeaders"])
    for name, value in WIRE_SHAPES[WireProfile.HBS].headers.items():
        assert headers[name] == value
    assert headers["Content-Type"] == "application/json;charset=UTF-8"
    assert headers["User-Agent"] == "Apache-HttpAsyncClient/4.1.4 (Java/1.8.0_265)"
    assert headers["Connection"] == "Keep-Alive"
    assert set(headers) == {*WIRE_SHAPES[WireProfile.HBS].headers, "Host", "Content-Length"}
    body = json.loads(request["body"])
    assert body["CPOPartnerSessionID"] is None and body["PartnerProductID"] is None
    ident = body["Identification"]
    assert len(ident) == 5
    assert [key for key, value in ident.items() if value is not None] == ["RemoteIdentification"]


def test_strict_profile_arrives_in_the_official_shape(recorder: Recorder, pki_dir: Path) -> None:
    _send(recorder, pki_dir, "--wire", "strict")
    (request,) = recorder.requests()
    assert request["url"] == START_PATH
    headers = _headers(request["rawHeaders"])
    assert headers["Content-Type"] == "application/json"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"] == WIRE_SHAPES[WireProfile.STRICT].headers["User-Agent"]
    assert "Connection" not in headers
    assert set(headers) == {*WIRE_SHAPES[WireProfile.STRICT].headers, "Host", "Content-Length"}
    body = json.loads(request["body"])
    assert None not in body.values()
    assert list(body["Identification"]) == ["RemoteIdentification"]
    assert schema_errors(official_request_schema(Operation.AUTHORIZE_REMOTE_START), body) == []


def test_one_shot_send_defaults_to_the_hbs_profile(recorder: Recorder, pki_dir: Path) -> None:
    _send(recorder, pki_dir)
    (request,) = recorder.requests()
    assert _headers(request["rawHeaders"])["Content-Type"] == "application/json;charset=UTF-8"


def test_remote_stop_carries_the_cpo_partner_session_id_given(
    recorder: Recorder, pki_dir: Path
) -> None:
    _send(
        recorder, pki_dir, "--session-id", "b2688855-7f00-0002-6d8e-48d883f6abb6",
        "--cpo-partner-session-id", "CPO-42", operation="remote-stop",
    )  # fmt: skip
    (request,) = recorder.requests()
    assert json.loads(request["body"])["CPOPartnerSessionID"] == "CPO-42"


# --- chosen per operator: config file, admin API; per call through the hub -----------------


class Hub:
    def __init__(self, url: str) -> None:
        self.url = url

    def call(self, method: str, path: str, body: object | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())


@pytest.fixture
def hub(pki_dir: Path, recorder: Recorder, tmp_path: Path) -> Iterator[Hub]:
    config = tmp_path / "hub.yaml"
    config.write_text(
        "operators:\n"
        '  - operator_id: "DE*ABC"\n'
        "    wire_profile: strict\n"
        "    settings:\n"
        f'      authorization: {{online_request: true, service_url: "{recorder.url}"}}\n'
    )
    import sys

    proc = _popen(
        [sys.executable, "-m", "hubsim", "hub", "serve", "--pki", str(pki_dir), "--port", "0",
         "--config", str(config)]
    )  # fmt: skip
    try:
        line = _read_until(proc, "admin API listening on")
        yield Hub(line.split(" on ")[1].split()[0])
    finally:
        _stop(proc)


def _content_types(recorder: Recorder) -> list[str]:
    return [_headers(r["rawHeaders"])["Content-Type"] for r in recorder.requests()]


def _send_through(hub: Hub, *extra: str) -> None:
    ran = hubsim(
        "send", "remote-start", "--operator", "DE*ABC", "--hub", hub.url, "--provider",
        PROVIDER, "--evse", EVSE, *extra,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr + ran.stdout


def test_operator_profile_from_the_config_file_is_sent(hub: Hub, recorder: Recorder) -> None:
    assert hub.call("GET", "/api/operators/DE*ABC")[1]["wire_profile"] == "strict"
    _send_through(hub)
    assert _content_types(recorder) == ["application/json"]


def test_operator_profile_set_through_the_api_is_sent(hub: Hub, recorder: Recorder) -> None:
    status, _ = hub.call("POST", "/api/operators", {"operator_id": "DE*ABC", "wire_profile": "hbs"})
    assert status in (200, 201)
    _send_through(hub)
    assert _content_types(recorder) == ["application/json;charset=UTF-8"]


def test_wire_option_overrides_the_operator_profile_for_one_call(
    hub: Hub, recorder: Recorder
) -> None:
    _send_through(hub, "--wire", "hbs")
    _send_through(hub)
    assert _content_types(recorder) == ["application/json;charset=UTF-8", "application/json"]


def test_admin_send_route_passes_the_cpo_partner_session_id(hub: Hub, recorder: Recorder) -> None:
    status, exchange = hub.call(
        "POST",
        "/api/operators/DE*ABC/send/remote-stop",
        {
            "evse_id": EVSE,
            "provider_id": PROVIDER,
            "session_id": "b2688855-7f00-0002-6d8e-48d883f6abb6",
            "cpo_partner_session_id": "CPO-7",
            "wire_profile": "hbs",
        },
    )
    assert status == 200, exchange
    (request,) = recorder.requests()
    assert json.loads(request["body"])["CPOPartnerSessionID"] == "CPO-7"
    assert _headers(request["rawHeaders"])["Connection"] == "Keep-Alive"


def test_unknown_wire_profile_is_refused_naming_the_field(hub: Hub) -> None:
    status, answer = hub.call(
        "POST", "/api/operators", {"operator_id": "DE*ABC", "wire_profile": "soap"}
    )
    assert status == 400
    assert [(i["field"], i["value"]) for i in answer["issues"]] == [("wire_profile", "soap")]
    status, answer = hub.call(
        "POST",
        "/api/operators/DE*ABC/send/remote-start",
        {"evse_id": EVSE, "provider_id": PROVIDER, "wire_profile": "xml"},
    )
    assert status == 400
    assert answer["issues"][0]["field"] == "wire_profile"


@pytest.mark.parametrize(
    ("profile", "content_type"),
    [("strict", "application/json"), ("hbs", "application/json;charset=UTF-8")],
)
def test_load_sends_the_wire_profile_given(
    recorder: Recorder, pki_dir: Path, profile: str, content_type: str
) -> None:
    ran = hubsim(
        "load", "--url", recorder.url, "--server-cert", "hubject", "--pki", str(pki_dir),
        "--wire", profile, "-c", "1", "--requests", "2", "--mix", "remote-start", "--json",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert _content_types(recorder) == [content_type, content_type]
