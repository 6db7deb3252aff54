"""eRoamingAcknowledgement: schema rules in from_wire, prose rules in the semantic check."""

from __future__ import annotations

from typing import Any

import pytest

from oicp.errors import OICPError, OICPValidationError
from oicp.messages import (
    Acknowledgement,
    AuthorizeRemoteStart,
    RemoteIdentification,
    StatusCode,
    acknowledgement_semantic_problems,
)

SESSION = "f98efba4-02d8-4fa0-b810-9a9d50d2c527"


@pytest.fixture
def ack_body() -> dict[str, Any]:
    """The spec's positive acknowledgement example."""
    return {
        "Result": True,
        "StatusCode": {"Code": "000", "Description": "Success", "AdditionalInfo": None},
        "SessionID": SESSION,
        "CPOPartnerSessionID": "1234XYZ",
        "EMPPartnerSessionID": "2345ABC",
    }


def problems_of(body: object) -> set[tuple[str, str]]:
    with pytest.raises(OICPValidationError) as caught:
        Acknowledgement.from_wire(body)
    return {(p.pointer, p.rule) for p in caught.value.problems}


def test_spec_example_parses(ack_body: dict[str, Any]) -> None:
    assert Acknowledgement.from_wire(ack_body) == Acknowledgement(
        True, StatusCode("000", "Success"), SESSION, "1234XYZ", "2345ABC"
    )


def test_real_hub_ack_with_nulls_parses() -> None:
    body = {
        "Result": True,
        "StatusCode": {"Code": "000", "Description": None, "AdditionalInfo": None},
        "SessionID": None,
        "CPOPartnerSessionID": None,
        "EMPPartnerSessionID": None,
    }
    ack = Acknowledgement.from_wire(body)
    assert ack == Acknowledgement(True, StatusCode("000"))
    assert ack.to_wire(explicit_nulls=True) == body


def test_refusal_example_parses() -> None:
    body = {
        "Result": False,
        "StatusCode": {
            "Code": "602",
            "Description": "EVSE already in use/ wrong token.",
            "AdditionalInfo": "connector 1 occupied",
        },
        "SessionID": SESSION,
    }
    ack = Acknowledgement.from_wire(body)
    assert (ack.result, ack.status_code.code) == (False, "602")
    assert ack.to_wire() == body


@pytest.mark.parametrize("key", ["Result", "StatusCode"])
def test_result_and_status_code_are_required(key: str, ack_body: dict[str, Any]) -> None:
    del ack_body[key]
    assert problems_of(ack_body) == {(f"/{key}", "required")}


@pytest.mark.parametrize("result", ["true", 1, None])
def test_result_must_be_a_boolean(result: object, ack_body: dict[str, Any]) -> None:
    ack_body["Result"] = result
    expected = "required" if result is None else "type:boolean"
    assert problems_of(ack_body) == {("/Result", expected)}


def test_status_code_must_be_an_object(ack_body: dict[str, Any]) -> None:
    ack_body["StatusCode"] = "000"
    assert problems_of(ack_body) == {("/StatusCode", "type:object")}


def test_status_code_code_is_required(ack_body: dict[str, Any]) -> None:
    ack_body["StatusCode"] = {"Description": "Success"}
    assert problems_of(ack_body) == {("/StatusCode/Code", "required")}


def test_status_code_code_is_a_string_not_a_number(ack_body: dict[str, Any]) -> None:
    ack_body["StatusCode"]["Code"] = 0
    assert problems_of(ack_body) == {("/StatusCode/Code", "type:string")}


@pytest.mark.parametrize("code", ["0", "0000", "abc", "22"])
def test_status_code_code_has_three_digits(code: str, ack_body: dict[str, Any]) -> None:
    ack_body["StatusCode"]["Code"] = code
    assert problems_of(ack_body) == {("/StatusCode/Code", "pattern:Code")}


def test_status_code_description_is_at_most_200_characters(ack_body: dict[str, Any]) -> None:
    ack_body["StatusCode"]["Description"] = "d" * 201
    assert problems_of(ack_body) == {("/StatusCode/Description", "maxLength:200")}


def test_status_code_additional_info_is_at_most_1000_characters(
    ack_body: dict[str, Any],
) -> None:
    ack_body["StatusCode"]["AdditionalInfo"] = "i" * 1001
    assert problems_of(ack_body) == {("/StatusCode/AdditionalInfo", "maxLength:1000")}


def test_ack_session_id_must_match_the_session_id_pattern(ack_body: dict[str, Any]) -> None:
    ack_body["SessionID"] = "abc"
    assert problems_of(ack_body) == {("/SessionID", "pattern:SessionID")}


def test_ack_partner_session_ids_must_be_strings(ack_body: dict[str, Any]) -> None:
    ack_body["CPOPartnerSessionID"] = 1
    assert problems_of(ack_body) == {("/CPOPartnerSessionID", "type:string")}


def test_unknown_code_is_a_semantic_problem_not_a_schema_problem(
    ack_body: dict[str, Any],
) -> None:
    ack_body["StatusCode"]["Code"] = "999"
    ack = Acknowledgement.from_wire(ack_body)
    [problem] = acknowledgement_semantic_problems(ack)
    assert (problem.pointer, problem.rule) == ("/StatusCode/Code", "known-code")
    assert "'999'" in problem.message


def test_overlong_partner_session_id_is_a_semantic_problem(ack_body: dict[str, Any]) -> None:
    ack_body["EMPPartnerSessionID"] = "e" * 251
    ack = Acknowledgement.from_wire(ack_body)
    [problem] = acknowledgement_semantic_problems(ack)
    assert (problem.pointer, problem.rule) == ("/EMPPartnerSessionID", "maxLength:250")


def test_spec_example_has_no_semantic_problems(ack_body: dict[str, Any]) -> None:
    assert acknowledgement_semantic_problems(Acknowledgement.from_wire(ack_body)) == []


def test_status_code_for_code_takes_the_spec_description() -> None:
    assert StatusCode.for_code("603", "EVSE not in our data") == StatusCode(
        "603", "Unknown EVSE ID.", "EVSE not in our data"
    )
    assert StatusCode.for_code("999") == StatusCode("999")


def test_reply_to_echoes_the_request_session_ids() -> None:
    request = AuthorizeRemoteStart(
        "DE-DCB",
        "DE*XYZ*ETEST1",
        RemoteIdentification("DE-DCB-C12345678-X"),
        SESSION,
        None,
        "emp-1",
    )
    ack = Acknowledgement.reply_to(request, cpo_partner_session_id="cpo-9")
    assert ack == Acknowledgement(True, StatusCode("000", "Success."), SESSION, "cpo-9", "emp-1")


def test_reply_to_with_a_refusal_code_is_a_negative_result() -> None:
    request = AuthorizeRemoteStart("DE-DCB", "DE*XYZ*ETEST1", RemoteIdentification("DE8EOAet5e43"))
    ack = Acknowledgement.reply_to(request, "602", additional_info="connector 1 occupied")
    assert ack.result is False
    assert ack.status_code == StatusCode(
        "602", "EVSE already in use/ wrong token.", "connector 1 occupied"
    )


def test_from_error_carries_the_error_status_code() -> None:
    ack = Acknowledgement.from_error(OICPError("603"), session_id=SESSION)
    assert ack.to_wire() == {
        "Result": False,
        "StatusCode": {"Code": "603", "Description": "Unknown EVSE ID."},
        "SessionID": SESSION,
    }
