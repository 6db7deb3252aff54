"""Validation rules of the four hub-to-CPO requests.

Field tables: OICP 2.3 CPO, 02_CPO_Services_and_Operations.
"""

from __future__ import annotations

from typing import Any

import pytest

from oicp.errors import OICPValidationError
from oicp.messages import (
    REQUEST_TYPES,
    AuthorizeRemoteReservationStart,
    AuthorizeRemoteReservationStop,
    AuthorizeRemoteStart,
    AuthorizeRemoteStop,
    QRCodeIdentification,
    RemoteIdentification,
    RemoteRequest,
    RequestType,
    parse_request,
)
from oicp.operations import Operation
from oicp.validation import Problem

COMMON_KEYS = ["SessionID", "CPOPartnerSessionID", "EMPPartnerSessionID", "ProviderID", "EvseID"]
START_TYPES = [AuthorizeRemoteStart, AuthorizeRemoteReservationStart]
ALL_TYPES: list[RequestType] = [
    AuthorizeRemoteStart,
    AuthorizeRemoteStop,
    AuthorizeRemoteReservationStart,
    AuthorizeRemoteReservationStop,
]


@pytest.fixture
def bodies(
    remote_start_body: dict[str, Any],
    remote_stop_body: dict[str, Any],
    reservation_start_body: dict[str, Any],
    reservation_stop_body: dict[str, Any],
) -> dict[RequestType, dict[str, Any]]:
    return {
        AuthorizeRemoteStart: remote_start_body,
        AuthorizeRemoteStop: remote_stop_body,
        AuthorizeRemoteReservationStart: reservation_start_body,
        AuthorizeRemoteReservationStop: reservation_stop_body,
    }


def problems_of(cls: RequestType, body: object) -> list[Problem]:
    with pytest.raises(OICPValidationError) as caught:
        cls.from_wire(body)
    assert caught.value.code == "022"
    return list(caught.value.problems)


def rules_at(problems: list[Problem]) -> set[tuple[str, str]]:
    return {(p.pointer, p.rule) for p in problems}


@pytest.mark.parametrize("cls", ALL_TYPES)
def test_spec_example_parses_and_round_trips(
    cls: RequestType, bodies: dict[RequestType, dict[str, Any]]
) -> None:
    request = cls.from_wire(bodies[cls])
    assert request.to_wire() == bodies[cls]


def test_remote_start_spec_example_fields(remote_start_body: dict[str, Any]) -> None:
    request = AuthorizeRemoteStart.from_wire(remote_start_body)
    assert request == AuthorizeRemoteStart(
        provider_id="DE-DCB",
        evse_id="DE*XYZ*ETEST1",
        identification=RemoteIdentification("DE-DCB-C12345678-X"),
        session_id="f98efba4-02d8-4fa0-b810-9a9d50d2c527",
        cpo_partner_session_id="1234XYZ",
        emp_partner_session_id="2345ABC",
        partner_product_id="AC1",
    )


def test_real_traffic_with_explicit_nulls_is_accepted(
    real_traffic_remote_start_body: dict[str, Any],
) -> None:
    request = AuthorizeRemoteStart.from_wire(real_traffic_remote_start_body)
    assert request == AuthorizeRemoteStart(
        "DE*ICE", "DE*ICE*E0000TEST*9", RemoteIdentification("DE*ICE*I01000*6")
    )


def test_explicit_nulls_reproduce_the_real_traffic_shape(
    real_traffic_remote_start_body: dict[str, Any],
) -> None:
    request = AuthorizeRemoteStart.from_wire(real_traffic_remote_start_body)
    assert request.to_wire(explicit_nulls=True) == real_traffic_remote_start_body


@pytest.mark.parametrize("cls", ALL_TYPES)
def test_explicit_nulls_write_every_member(cls: RequestType) -> None:
    request = _minimal(cls)
    wire = request.to_wire(explicit_nulls=True)
    assert set(wire) == set(_full(cls).to_wire())
    assert cls.from_wire(wire) == request


@pytest.mark.parametrize("cls", ALL_TYPES)
def test_absent_optionals_are_left_out_without_explicit_nulls(cls: RequestType) -> None:
    assert None not in _minimal(cls).to_wire().values()


@pytest.mark.parametrize(
    ("cls", "keys"),
    [
        (
            AuthorizeRemoteStart,
            [*COMMON_KEYS, "Identification", "PartnerProductID"],
        ),
        (
            AuthorizeRemoteStop,
            COMMON_KEYS,
        ),
        (
            AuthorizeRemoteReservationStart,
            [*COMMON_KEYS, "Identification", "PartnerProductID", "Duration"],
        ),
        (
            AuthorizeRemoteReservationStop,
            COMMON_KEYS,
        ),
    ],
)
def test_wire_member_names_and_order_are_the_specs(cls: RequestType, keys: list[str]) -> None:
    assert list(_full(cls).to_wire()) == keys


@pytest.mark.parametrize("cls", START_TYPES)
@pytest.mark.parametrize("absent", ["missing", "null"])
def test_session_id_is_optional_in_start_requests(
    cls: RequestType, absent: str, bodies: dict[RequestType, dict[str, Any]]
) -> None:
    body = bodies[cls]
    if absent == "missing":
        del body["SessionID"]
    else:
        body["SessionID"] = None
    assert cls.from_wire(body).session_id is None


@pytest.mark.parametrize("cls", [AuthorizeRemoteStop, AuthorizeRemoteReservationStop])
def test_session_id_is_required_in_stop_requests(
    cls: RequestType, bodies: dict[RequestType, dict[str, Any]]
) -> None:
    body = bodies[cls]
    del body["SessionID"]
    assert rules_at(problems_of(cls, body)) == {("/SessionID", "required")}


@pytest.mark.parametrize("cls", ALL_TYPES)
@pytest.mark.parametrize("key", ["ProviderID", "EvseID"])
def test_provider_id_and_evse_id_are_required(
    cls: RequestType, key: str, bodies: dict[RequestType, dict[str, Any]]
) -> None:
    body = bodies[cls]
    del body[key]
    assert rules_at(problems_of(cls, body)) == {(f"/{key}", "required")}


@pytest.mark.parametrize("cls", START_TYPES)
def test_identification_is_required_in_start_requests(
    cls: RequestType, bodies: dict[RequestType, dict[str, Any]]
) -> None:
    body = bodies[cls]
    body["Identification"] = None
    [problem] = problems_of(cls, body)
    assert (problem.pointer, problem.rule) == ("/Identification", "required")
    assert "null" in problem.message


@pytest.mark.parametrize("cls", ALL_TYPES)
def test_evse_id_must_match_the_evse_id_pattern(
    cls: RequestType, bodies: dict[RequestType, dict[str, Any]]
) -> None:
    body = bodies[cls]
    body["EvseID"] = "DE*ICE*I01000*6"
    [problem] = problems_of(cls, body)
    assert (problem.pointer, problem.rule) == ("/EvseID", "pattern:EvseID")
    assert "'DE*ICE*I01000*6'" in problem.message


@pytest.mark.parametrize("cls", ALL_TYPES)
def test_provider_id_must_match_the_provider_id_pattern(
    cls: RequestType, bodies: dict[RequestType, dict[str, Any]]
) -> None:
    body = bodies[cls]
    body["ProviderID"] = "DE**DCB"
    assert rules_at(problems_of(cls, body)) == {("/ProviderID", "pattern:ProviderID")}


@pytest.mark.parametrize("cls", ALL_TYPES)
def test_session_id_must_match_the_session_id_pattern(
    cls: RequestType, bodies: dict[RequestType, dict[str, Any]]
) -> None:
    body = bodies[cls]
    body["SessionID"] = "not-a-session"
    assert rules_at(problems_of(cls, body)) == {("/SessionID", "pattern:SessionID")}


@pytest.mark.parametrize("cls", ALL_TYPES)
@pytest.mark.parametrize("key", ["CPOPartnerSessionID", "EMPPartnerSessionID"])
def test_partner_session_ids_are_at_most_250_characters(
    cls: RequestType, key: str, bodies: dict[RequestType, dict[str, Any]]
) -> None:
    body = bodies[cls]
    body[key] = "x" * 250
    assert getattr(cls.from_wire(body), _attribute(key)) == "x" * 250
    body[key] = "x" * 251
    assert rules_at(problems_of(cls, body)) == {(f"/{key}", "maxLength:250")}


@pytest.mark.parametrize("cls", START_TYPES)
def test_partner_product_id_is_at_most_50_characters(
    cls: RequestType, bodies: dict[RequestType, dict[str, Any]]
) -> None:
    body = bodies[cls]
    body["PartnerProductID"] = "p" * 50
    cls.from_wire(body)
    body["PartnerProductID"] = "p" * 51
    assert rules_at(problems_of(cls, body)) == {("/PartnerProductID", "maxLength:50")}


@pytest.mark.parametrize("duration", [1, 15, 99])
def test_reservation_duration_from_1_to_99_minutes_is_accepted(
    duration: int, reservation_start_body: dict[str, Any]
) -> None:
    reservation_start_body["Duration"] = duration
    assert AuthorizeRemoteReservationStart.from_wire(reservation_start_body).duration == duration


@pytest.mark.parametrize("duration", [0, 100, -5])
def test_reservation_duration_outside_1_to_99_is_rejected(
    duration: int, reservation_start_body: dict[str, Any]
) -> None:
    reservation_start_body["Duration"] = duration
    problems = problems_of(AuthorizeRemoteReservationStart, reservation_start_body)
    assert rules_at(problems) == {("/Duration", "range:1-99")}


@pytest.mark.parametrize("duration", [True, 15.0, "15"])
def test_reservation_duration_must_be_a_json_integer(
    duration: object, reservation_start_body: dict[str, Any]
) -> None:
    reservation_start_body["Duration"] = duration
    problems = problems_of(AuthorizeRemoteReservationStart, reservation_start_body)
    assert rules_at(problems) == {("/Duration", "type:integer")}


def test_reservation_duration_is_optional(reservation_start_body: dict[str, Any]) -> None:
    reservation_start_body["Duration"] = None
    assert AuthorizeRemoteReservationStart.from_wire(reservation_start_body).duration is None


@pytest.mark.parametrize("cls", ALL_TYPES)
@pytest.mark.parametrize("key", ["EvseID", "ProviderID", "SessionID", "CPOPartnerSessionID"])
def test_string_members_must_be_strings(
    cls: RequestType, key: str, bodies: dict[RequestType, dict[str, Any]]
) -> None:
    body = bodies[cls]
    body[key] = 42
    [problem] = problems_of(cls, body)
    assert (problem.pointer, problem.rule) == (f"/{key}", "type:string")
    assert "got integer" in problem.message


@pytest.mark.parametrize("cls", ALL_TYPES)
@pytest.mark.parametrize("body", [[], "text", None, 7])
def test_body_must_be_a_json_object(cls: RequestType, body: object) -> None:
    assert rules_at(problems_of(cls, body)) == {("", "type:object")}


@pytest.mark.parametrize("cls", START_TYPES)
def test_identification_with_no_option_is_rejected(
    cls: RequestType, bodies: dict[RequestType, dict[str, Any]]
) -> None:
    body = bodies[cls]
    body["Identification"] = {"RemoteIdentification": None, "QRCodeIdentification": None}
    assert rules_at(problems_of(cls, body)) == {("/Identification", "one-of:Identification")}


@pytest.mark.parametrize("cls", START_TYPES)
def test_identification_with_two_options_is_rejected(
    cls: RequestType, bodies: dict[RequestType, dict[str, Any]]
) -> None:
    body = bodies[cls]
    body["Identification"]["PlugAndChargeIdentification"] = {"EvcoID": "DE-DCB-C12345678-X"}
    problems = problems_of(cls, body)
    assert ("/Identification", "one-of:Identification") in rules_at(problems)


@pytest.mark.parametrize("cls", START_TYPES)
@pytest.mark.parametrize(
    ("key", "option"),
    [
        ("RFIDMifareFamilyIdentification", {"UID": "1234ABCD"}),
        ("QRCodeIdentification", {"EvcoID": "DE-DCB-C12345678-X", "PIN": "1234"}),
        ("PlugAndChargeIdentification", {"EvcoID": "DE-DCB-C12345678-X"}),
        ("RFIDIdentification", {"UID": "1234ABCD", "RFID": "mifareCls"}),
    ],
)
def test_remote_requests_accept_only_remote_identification(
    cls: RequestType, key: str, option: dict[str, str], bodies: dict[RequestType, dict[str, Any]]
) -> None:
    body = bodies[cls]
    body["Identification"] = {key: option}
    [problem] = problems_of(cls, body)
    assert (problem.pointer, problem.rule) == (
        f"/Identification/{key}",
        "remote-identification-only",
    )
    assert "RemoteIdentification" in problem.message


@pytest.mark.parametrize("cls", START_TYPES)
def test_remote_identification_evco_id_must_match_the_evco_id_pattern(
    cls: RequestType, bodies: dict[RequestType, dict[str, Any]]
) -> None:
    body = bodies[cls]
    body["Identification"]["RemoteIdentification"]["EvcoID"] = "DE*XYZ*ETEST1"
    assert rules_at(problems_of(cls, body)) == {
        ("/Identification/RemoteIdentification/EvcoID", "pattern:EvcoID")
    }


def test_all_problems_are_reported_at_once(remote_start_body: dict[str, Any]) -> None:
    remote_start_body["EvseID"] = "nope"
    remote_start_body["CPOPartnerSessionID"] = "c" * 300
    remote_start_body["Identification"]["RemoteIdentification"]["EvcoID"] = None
    problems = problems_of(AuthorizeRemoteStart, remote_start_body)
    assert rules_at(problems) == {
        ("/EvseID", "pattern:EvseID"),
        ("/CPOPartnerSessionID", "maxLength:250"),
        ("/Identification/RemoteIdentification/EvcoID", "required"),
    }
    assert len(problems) == 3


def test_all_problems_are_reported_in_the_error_additional_info(
    reservation_start_body: dict[str, Any],
) -> None:
    reservation_start_body.update(ProviderID=None, Duration=0, SessionID="x")
    with pytest.raises(OICPValidationError) as caught:
        AuthorizeRemoteReservationStart.from_wire(reservation_start_body)
    info = caught.value.additional_info or ""
    assert [p.pointer for p in caught.value.problems] == ["/SessionID", "/ProviderID", "/Duration"]
    assert "/SessionID: " in info and "/ProviderID: " in info and "/Duration: " in info


@pytest.mark.parametrize("operation", list(Operation))
def test_parse_request_dispatches_by_operation(
    operation: Operation, bodies: dict[RequestType, dict[str, Any]]
) -> None:
    cls = REQUEST_TYPES[operation]
    request = parse_request(operation, bodies[cls])
    assert type(request) is cls
    assert request.operation is operation


def test_parse_request_validates_against_the_named_operation(
    remote_stop_body: dict[str, Any],
) -> None:
    with pytest.raises(OICPValidationError) as caught:
        parse_request(Operation.AUTHORIZE_REMOTE_START, remote_stop_body)
    assert rules_at(list(caught.value.problems)) == {("/Identification", "required")}


def test_request_types_cover_every_operation() -> None:
    assert set(REQUEST_TYPES) == set(Operation)
    assert all(cls.operation is op for op, cls in REQUEST_TYPES.items())


def test_to_wire_does_not_validate_so_faults_can_be_injected() -> None:
    odd = AuthorizeRemoteStart("??", "??", QRCodeIdentification("x", pin="1"))
    assert odd.to_wire()["Identification"] == {"QRCodeIdentification": {"EvcoID": "x", "PIN": "1"}}


def _attribute(key: str) -> str:
    return {"CPOPartnerSessionID": "cpo_partner_session_id"}.get(key, "emp_partner_session_id")


IDENT = RemoteIdentification("DE-DCB-C12345678-X")
SESSION = "b2688855-7f00-0002-6d8e-48d883f6abb6"
EVSE = "DE*XYZ*ETEST1"


def _minimal(cls: RequestType) -> RemoteRequest:
    """The request with only its mandatory members."""
    minimal: dict[RequestType, RemoteRequest] = {
        AuthorizeRemoteStart: AuthorizeRemoteStart("DE-DCB", EVSE, IDENT),
        AuthorizeRemoteStop: AuthorizeRemoteStop("DE-DCB", EVSE, SESSION),
        AuthorizeRemoteReservationStart: AuthorizeRemoteReservationStart("DE-DCB", EVSE, IDENT),
        AuthorizeRemoteReservationStop: AuthorizeRemoteReservationStop("DE-DCB", EVSE, SESSION),
    }
    return minimal[cls]


def _full(cls: RequestType) -> RemoteRequest:
    """The request with every optional member set."""
    full: dict[RequestType, RemoteRequest] = {
        AuthorizeRemoteStart: AuthorizeRemoteStart("DE-DCB", EVSE, IDENT, SESSION, "c", "e", "AC1"),
        AuthorizeRemoteStop: AuthorizeRemoteStop("DE-DCB", EVSE, SESSION, "c", "e"),
        AuthorizeRemoteReservationStart: AuthorizeRemoteReservationStart(
            "DE-DCB", EVSE, IDENT, SESSION, "c", "e", "Reservation", 15
        ),
        AuthorizeRemoteReservationStop: AuthorizeRemoteReservationStop(
            "DE-DCB", EVSE, SESSION, "c", "e"
        ),
    }
    return full[cls]
