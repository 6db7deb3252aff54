"""The hostile bodies of issue 14, one by one, against server processes.

Each got HTTP 500 before: deep nesting (the json module's RecursionError), gzip or deflate
garbage under a Content-Encoding (aiohttp's decoder), and a lone surrogate escape, which
SQLite and the stub's log line could not encode. Each now gets its port's own refusal.
"""

from __future__ import annotations

import json
import zlib

import pytest

from oicp.cpo_operations import CPOOperation, cpo_to_hub_path
from oicp.operations import Operation
from oicp.paths import hub_to_cpo_path
from tests.fuzz.attacks import Attack
from tests.fuzz.runner import still_serving
from tests.fuzz.targets import OPERATOR, PROVIDER, Target
from tests.fuzz.wire import Answer

STUB_PATH = "/cpo" + hub_to_cpo_path(Operation.AUTHORIZE_REMOTE_START, PROVIDER)
HUB_PATH = cpo_to_hub_path(CPOOperation.PUSH_EVSE_STATUS, OPERATOR)
JSON_TYPE = (("Content-Type", "application/json"),)


def _nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def _send(target: Target, body: bytes, **headers: str) -> Answer:
    identity, path = {
        "stub": ("hub", STUB_PATH),
        "hub-oicp": ("cpo", HUB_PATH),
        "admin": ("none", "/api/operators"),
    }[target.name]
    all_headers = JSON_TYPE + tuple(headers.items())
    return target.client.send(Attack("test", identity, "POST", path, body, all_headers))


def _fault_messages(answer: Answer) -> str:
    """The hub's 400 FaultBody's error messages, joined."""
    assert answer.status == 400
    fault = json.loads(answer.body)
    return " ".join(e["errorMessage"] for e in fault["validationErrors"])


def _stub_data_error(answer: Answer) -> str:
    """The stub's acknowledgement: Result false with 022; returns its AdditionalInfo."""
    assert answer.status == 200
    ack = json.loads(answer.body)
    assert (ack["Result"], ack["StatusCode"]["Code"]) == (False, "022")
    return str(ack["StatusCode"]["AdditionalInfo"])


def _admin_refusal(answer: Answer, status: int = 400) -> str:
    assert answer.status == status
    refusal = json.loads(answer.body)
    assert refusal["issues"]
    return str(refusal["error"]) + " " + json.dumps(refusal["issues"])


# --- nesting -----------------------------------------------------------------------------------


def test_deep_nesting_gets_a_fault_body_from_the_hub_oicp_port(oicp_target: Target) -> None:
    answer = _send(oicp_target, _nested(990))  # about 2 KB: the json module's RecursionError
    assert "deeper than 64 levels" in _fault_messages(answer)
    assert still_serving(oicp_target) == []


def test_deep_nesting_gets_a_data_error_from_the_stub(stub_target: Target) -> None:
    answer = _send(stub_target, _nested(1025))  # over orjson's 1024 levels
    assert "deeper than 64 levels" in _stub_data_error(answer)
    assert still_serving(stub_target) == []


def test_deep_nesting_gets_a_json_refusal_from_the_admin_api(admin_target: Target) -> None:
    answer = _send(admin_target, b'{"operator_id": ' + _nested(990) + b"}")
    assert "deeper than 64 levels" in _admin_refusal(answer)
    assert still_serving(admin_target) == []


def test_nesting_orjson_reads_but_cannot_write_is_refused(stub_target: Target) -> None:
    # 300 levels parse (orjson reads 1024) but could not be written again (254).
    answer = _send(stub_target, _nested(300))
    assert "deeper than 64 levels" in _stub_data_error(answer)


def test_nesting_the_exchange_log_could_not_write_is_refused(oicp_target: Target) -> None:
    # 253 levels inside a member parse and could be written alone, but not inside the log's
    # record of the exchange (HTTP 500 before).
    inner = "[" * 253 + "0" + "]" * 253
    body = f'{{"ProviderID": "{PROVIDER}", "EvseID": "DE*ABC*E1", "Identification": {inner}}}'
    path = "/api/oicp/charging/v21/providers/DE-ICE/authorize-remote/start"
    attack = Attack("test", "emp", "POST", path, body.encode(), JSON_TYPE)

    answer = oicp_target.client.send(attack)

    assert "deeper than 64 levels" in _fault_messages(answer)
    assert still_serving(oicp_target) == []


def test_a_huge_integer_beside_a_nan_is_refused_not_a_500(oicp_target: Target) -> None:
    # NaN sends the body to the json module, which kept the integer as a Python int beyond
    # 64 bits; the exchange log could not write it (HTTP 500, found by bench/fuzz_run.py).
    big = "123456789012345678901234567890"
    body = (
        '{"ActionType": "fullLoad", "OperatorEvseStatus": {"OperatorID": "DE*ABC", '
        f'"EvseStatusRecord": [{{"EvseID": NaN, "EvseStatus": {big}}}]}}}}'
    )
    answer = _send(oicp_target, body.encode())
    assert answer.status == 400, answer.body
    assert still_serving(oicp_target) == []


# --- content encodings -------------------------------------------------------------------------

GARBAGE = {"gzip": b"\x1f\x8b garbage", "deflate": b"not deflate at all"}


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_a_compressed_body_gets_a_fault_body_from_the_hub_oicp_port(
    oicp_target: Target, coding: str
) -> None:
    answer = _send(oicp_target, GARBAGE[coding], **{"Content-Encoding": coding})
    assert f"Content-Encoding '{coding}' is not accepted" in _fault_messages(answer)
    assert still_serving(oicp_target) == []


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_a_compressed_body_gets_a_data_error_from_the_stub(
    stub_target: Target, coding: str
) -> None:
    answer = _send(stub_target, GARBAGE[coding], **{"Content-Encoding": coding})
    assert f"Content-Encoding '{coding}' is not accepted" in _stub_data_error(answer)
    assert still_serving(stub_target) == []


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_a_compressed_body_gets_415_from_the_admin_api(admin_target: Target, coding: str) -> None:
    answer = _send(admin_target, GARBAGE[coding], **{"Content-Encoding": coding})
    assert "send the body uncompressed" in _admin_refusal(answer, 415)
    assert still_serving(admin_target) == []


def test_even_valid_deflate_is_refused_since_its_size_is_the_senders_choice(
    stub_target: Target,
) -> None:
    # 10 MB of blanks in 10 KB: decompressing would exceed the body limit tenfold.
    answer = _send(stub_target, zlib.compress(b" " * 10_000_000), **{"Content-Encoding": "deflate"})
    assert "Content-Encoding 'deflate' is not accepted" in _stub_data_error(answer)


# --- lone surrogates ---------------------------------------------------------------------------

SURROGATE = "\ud800"  # json.dumps writes it as the escape \ud800


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/operators", {"operator_id": "DE*SUR", "name": "ABC " + SURROGATE}),
        ("/api/emps", {"provider_id": "DE-SUR", "name": "ICE " + SURROGATE}),
    ],
    ids=["operator-name", "emp-name"],
)
def test_a_lone_surrogate_in_a_name_gets_a_json_refusal(
    admin_target: Target, path: str, body: dict[str, str]
) -> None:
    attack = Attack("test", "none", "POST", path, json.dumps(body).encode(), JSON_TYPE)
    answer = admin_target.client.send(attack)
    assert "lone surrogate" in _admin_refusal(answer)
    assert still_serving(admin_target) == []


@pytest.mark.parametrize("member", ["EvseID", "SessionID"])
def test_a_lone_surrogate_in_a_stub_request_gets_a_data_error(
    stub_target: Target, member: str
) -> None:
    body = {
        "ProviderID": PROVIDER,
        "EvseID": "DE*ABC*E0001",
        "SessionID": "b2688855-7f00-0002-6d8e-48d883f6abb6",
        "Identification": {"RemoteIdentification": {"EvcoID": "DE-ICE-C12345678-X"}},
    }
    body[member] = "DE*ABC*E" + SURROGATE
    answer = _send(stub_target, json.dumps(body).encode())
    assert "lone surrogate" in _stub_data_error(answer)
    assert still_serving(stub_target) == []


def test_a_lone_surrogate_gets_a_fault_body_from_the_hub_oicp_port(oicp_target: Target) -> None:
    body = {"ActionType": "fullLoad", "OperatorEvseStatus": {"OperatorID": OPERATOR,
            "OperatorName": SURROGATE, "EvseStatusRecord": []}}  # fmt: skip
    answer = _send(oicp_target, json.dumps(body).encode())
    assert "lone surrogate" in _fault_messages(answer)


# --- routes --------------------------------------------------------------------------------------


def test_an_unknown_admin_route_gets_404_with_error_and_issues(admin_target: Target) -> None:
    answer = admin_target.client.send(Attack("test", "none", "GET", "/api/nothing-here"))

    assert "no such route" in _admin_refusal(answer, 404)


def test_a_wrong_method_on_an_admin_route_gets_405_with_error_and_issues(
    admin_target: Target,
) -> None:
    answer = admin_target.client.send(Attack("test", "none", "PATCH", "/api/operators"))

    assert "PATCH is not allowed" in _admin_refusal(answer, 405)
