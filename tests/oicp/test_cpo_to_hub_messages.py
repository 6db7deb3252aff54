"""The messages a CPO sends to Hubject: paths, parsing rules, and the official OpenAPI.

Each message we build is validated against Hubject's own schema (``schemas/*.yaml`` of the
CPO OpenAPI, relative ``$ref``s inlined, OpenAPI string ``maximum`` read as ``maxLength``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from oicp.authentication_data import (
    AuthenticationData,
    ProviderAuthenticationData,
    PullAuthenticationData,
)
from oicp.authorization import AuthorizationStart, AuthorizeStart, AuthorizeStop
from oicp.cdr import ChargeDetailRecord
from oicp.cpo_operations import CPOOperation, cpo_to_hub_path
from oicp.errors import OICPValidationError
from oicp.evse_data import (
    EvseDataRecord,
    EvseStatusRecord,
    PushEvseData,
    PushEvseStatus,
    minimal_evse_record,
)
from oicp.faults import field_reference, status_fault, validation_fault
from oicp.identification import (
    QRCodeIdentification,
    RemoteIdentification,
    RFIDMifareFamilyIdentification,
)
from oicp.messages import StatusCode
from oicp.notifications import ChargingNotification
from oicp.pricing import EVSEPricing, PushEVSEPricing, PushPricingProductData
from oicp.validation import Problem

OPENAPI_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "oicp" / "openapi-cpo"
SESSION = "b2688855-7f00-0002-6d8e-48d883f6abb6"
EVCO = "DE-DCB-C12345678-X"
CARD = RFIDMifareFamilyIdentification("7568290FFF765F")
TIME = "2024-05-01T10:00:00+02:00"


# --- the official schemas -----------------------------------------------------------------


def _resolve(node: Any, base: Path) -> Any:
    if isinstance(node, list):
        return [_resolve(item, base) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#"):
        target = (base / ref).resolve()
        return _resolve(yaml.safe_load(target.read_text(encoding="utf-8")), target.parent)
    # YAML 1.1 reads the member name ``on`` (ProductAvailabilityTimes) as the boolean true.
    converted = {_on(k): _resolve(v, base) for k, v in node.items() if k != "example"}
    if isinstance(converted.get("required"), list):
        converted["required"] = [_on(name) for name in converted["required"]]
    if converted.get("type") == "string" and "maximum" in converted:
        converted["maxLength"] = converted.pop("maximum")
    return converted


def _on(name: object) -> object:
    return "on" if name is True else name


def official(name: str) -> Any:
    path = OPENAPI_DIR / "schemas" / f"{name}.yaml"
    if not path.is_file():
        pytest.skip(f"Hubject's CPO OpenAPI is not available at {OPENAPI_DIR}")
    return _resolve(yaml.safe_load(path.read_text(encoding="utf-8")), path.parent)


def schema_errors(name: str, instance: object) -> list[str]:
    validator = jsonschema.Draft4Validator(official(name))
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


# --- paths -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [op for op in CPOOperation if op is not CPOOperation.PULL_AUTHENTICATION_DATA],
)
def test_every_cpo_to_hub_path_is_a_path_of_the_official_openapi(operation: CPOOperation) -> None:
    openapi = OPENAPI_DIR / "openapi.yaml"
    if not openapi.is_file():
        pytest.skip("Hubject's CPO OpenAPI is not available")
    paths = re.findall(r"^  (/\S+):$", openapi.read_text(encoding="utf-8"), re.MULTILINE)
    ours = operation.path_template.removeprefix("/api/oicp").replace("{id}", "{operatorID}")
    assert ours in paths


def test_the_operator_id_goes_into_the_path_with_a_literal_star() -> None:
    path = cpo_to_hub_path(CPOOperation.CHARGE_DETAIL_RECORD, "DE*ABC")

    assert path == "/api/oicp/cdrmgmt/v22/operators/DE*ABC/charge-detail-record"


def test_pull_authentication_data_has_the_oicp_2_2_path() -> None:
    path = cpo_to_hub_path(CPOOperation.PULL_AUTHENTICATION_DATA, "DE*ABC")

    assert path == "/api/oicp/authdata/v21/operators/DE*ABC/pull-request"


def test_charging_notifications_need_no_operator_id_in_their_path() -> None:
    assert cpo_to_hub_path(CPOOperation.CHARGING_NOTIFICATION) == (
        "/api/oicp/notificationmgmt/v11/charging-notifications"
    )


def test_a_path_that_needs_an_operator_id_refuses_none() -> None:
    with pytest.raises(ValueError, match="needs the CPO's OperatorID"):
        cpo_to_hub_path(CPOOperation.PUSH_EVSE_DATA)


# --- authorization -----------------------------------------------------------------------


def test_authorize_start_matches_the_official_schema_and_reads_back() -> None:
    message = AuthorizeStart("DE*ABC", CARD, evse_id="DE*ABC*E1", cpo_partner_session_id="c-1")

    assert schema_errors("eRoamingAuthorizeStart", message.to_wire()) == []
    assert AuthorizeStart.from_wire(message.to_wire(explicit_nulls=True)) == message


def test_authorize_stop_matches_the_official_schema_and_reads_back() -> None:
    message = AuthorizeStop("DE*ABC", SESSION, CARD)

    assert schema_errors("eRoamingAuthorizeStop", message.to_wire()) == []
    assert AuthorizeStop.from_wire(message.to_wire()) == message


def test_authorization_start_answer_matches_the_official_schema() -> None:
    answer = AuthorizationStart(
        "Authorized",
        StatusCode.for_code("000"),
        SESSION,
        provider_id="DE-DCB",
        authorization_stop_identifications=(CARD,),
    )

    assert schema_errors("eRoamingAuthorizationStart", answer.to_wire()) == []
    assert AuthorizationStart.from_wire(answer.to_wire()) == answer


def test_an_authorization_must_not_use_rfid_identification() -> None:
    body = {
        "OperatorID": "DE*ABC",
        "Identification": {"RFIDIdentification": {"UID": "7568290FFF765F", "RFID": "nfc"}},
    }

    with pytest.raises(OICPValidationError) as caught:
        AuthorizeStart.from_wire(body)

    assert caught.value.problems[0].rule == "not-for-authorization"


def test_an_authorization_by_qr_code_needs_the_pin_in_clear() -> None:
    body = {"OperatorID": "DE*ABC", "Identification": {"QRCodeIdentification": {"EvcoID": EVCO}}}

    with pytest.raises(OICPValidationError) as caught:
        AuthorizeStart.from_wire(body)

    assert caught.value.problems[0].rule == "pin-in-clear"


def test_a_qr_code_with_its_pin_is_a_valid_authorization() -> None:
    message = AuthorizeStart("DE*ABC", QRCodeIdentification(EVCO, pin="1234"))

    assert AuthorizeStart.from_wire(message.to_wire()) == message


# --- EVSE data and status ----------------------------------------------------------------


def test_push_evse_data_with_the_minimal_record_matches_the_official_schema() -> None:
    record = minimal_evse_record("DE*ABC*E1")
    push = PushEvseData.from_wire(
        {
            "ActionType": "fullLoad",
            "OperatorEvseData": {
                "OperatorID": "DE*ABC",
                "OperatorName": "ABC",
                "EvseDataRecord": [record],
            },
        }
    )

    assert schema_errors("eRoamingPushEvseData", push.to_wire()) == []
    assert push.records == (EvseDataRecord("DE*ABC*E1", True, record),)


def test_an_evse_record_without_opening_times_must_be_open_24_hours() -> None:
    record = {**minimal_evse_record("DE*ABC*E1"), "IsOpen24Hours": False}
    body = {
        "ActionType": "insert",
        "OperatorEvseData": {
            "OperatorID": "DE*ABC",
            "OperatorName": "A",
            "EvseDataRecord": [record],
        },
    }

    with pytest.raises(OICPValidationError) as caught:
        PushEvseData.from_wire(body)

    assert [p.pointer for p in caught.value.problems] == [
        "/OperatorEvseData/EvseDataRecord/0/OpeningTimes"
    ]


def test_an_unknown_action_type_is_a_problem() -> None:
    body = {
        "ActionType": "replace",
        "OperatorEvseStatus": {"OperatorID": "DE*ABC", "EvseStatusRecord": []},
    }

    with pytest.raises(OICPValidationError, match="ActionType"):
        PushEvseStatus.from_wire(body)


def test_push_evse_status_matches_the_official_schema() -> None:
    push = PushEvseStatus("update", "DE*ABC", (EvseStatusRecord("DE*ABC*E1", "Occupied"),))

    assert schema_errors("eRoamingPushEvseStatus", push.to_wire()) == []
    assert PushEvseStatus.from_wire(push.to_wire()) == push


# --- notifications and CDR ---------------------------------------------------------------

NOTIFICATIONS = {
    "Start": {"charging_start": TIME, "meter_value_start": 0.0},
    "Progress": {
        "charging_start": TIME,
        "event_occurred": "2024-05-01T10:05:00+02:00",
        "charging_duration": 300000,
        "consumed_energy_progress": 2.5,
        "meter_value_in_between": (1.0, 2.5),
    },
    "End": {"charging_end": "2024-05-01T11:00:00+02:00", "consumed_energy": 10.0},
    "Error": {"error_type": "ConnectorError", "error_additional_info": "plug not connected"},
}


@pytest.mark.parametrize("kind", list(NOTIFICATIONS))
def test_each_charging_notification_matches_its_official_schema(kind: str) -> None:
    message = ChargingNotification(
        type=kind,
        session_id=SESSION,
        evse_id="DE*ABC*E1",
        operator_id="DE*ABC",
        identification=RemoteIdentification(EVCO),
        **NOTIFICATIONS[kind],  # type: ignore[arg-type]
    )

    assert schema_errors(f"eRoamingChargingNotification{kind}", message.to_wire()) == []
    assert ChargingNotification.from_wire(message.to_wire()) == message


@pytest.mark.parametrize(
    ("kind", "missing"),
    [
        ("Start", "ChargingStart"),
        ("Progress", "EventOccurred"),
        ("End", "ChargingEnd"),
        ("Error", "ErrorType"),
    ],
)
def test_each_notification_type_requires_its_own_member(kind: str, missing: str) -> None:
    message = ChargingNotification(
        type=kind,
        session_id=SESSION,
        evse_id="DE*ABC*E1",
        operator_id="DE*ABC",
        **NOTIFICATIONS[kind],  # type: ignore[arg-type]
    )
    body = message.to_wire()
    del body[missing]

    with pytest.raises(OICPValidationError) as caught:
        ChargingNotification.from_wire(body)

    assert [p.pointer for p in caught.value.problems] == [f"/{missing}"]


def test_a_cdr_matches_the_official_schema_and_reads_back() -> None:
    cdr = ChargeDetailRecord(
        session_id=SESSION,
        evse_id="DE*ABC*E1",
        identification=RemoteIdentification(EVCO),
        charging_start=TIME,
        charging_end="2024-05-01T11:00:00+02:00",
        session_start=TIME,
        session_end="2024-05-01T11:01:00+02:00",
        consumed_energy=10.0,
        meter_value_in_between=(3.0, 6.0),
        signed_metering_values=({"SignedMeteringValue": "AAA", "MeteringStatus": "Start"},),
    )

    assert schema_errors("eRoamingChargeDetailRecord", cdr.to_wire()) == []
    assert ChargeDetailRecord.from_wire(cdr.to_wire(explicit_nulls=True)) == cdr


def test_a_cdr_needs_charging_times_and_consumed_energy_in_oicp_2_3() -> None:
    body = {
        "SessionID": SESSION,
        "EvseID": "DE*ABC*E1",
        "Identification": {"RemoteIdentification": {"EvcoID": EVCO}},
        "SessionStart": TIME,
        "SessionEnd": TIME,
    }

    with pytest.raises(OICPValidationError) as caught:
        ChargeDetailRecord.from_wire(body)

    pointers = sorted(p.pointer for p in caught.value.problems)
    assert pointers == ["/ChargingEnd", "/ChargingStart", "/ConsumedEnergy"]


def test_meter_values_in_between_must_be_wrapped_in_an_object() -> None:
    message = ChargingNotification(
        type="Progress",
        session_id=SESSION,
        evse_id="DE*ABC*E1",
        operator_id="DE*ABC",
        **NOTIFICATIONS["Progress"],  # type: ignore[arg-type]
    )
    body = {**message.to_wire(), "MeterValueInBetween": [1.0, 2.5]}

    with pytest.raises(OICPValidationError, match="MeterValueInBetween"):
        ChargingNotification.from_wire(body)


# --- pricing and authentication data -----------------------------------------------------


def test_push_evse_pricing_matches_the_official_schema() -> None:
    push = PushEVSEPricing("fullLoad", (EVSEPricing("DE*ABC*E1", "*", ("AC1",)),))

    assert schema_errors("eRoamingPushEVSEPricing", push.to_wire()) == []
    assert PushEVSEPricing.from_wire(push.to_wire()) == push


def test_push_pricing_product_data_reads_its_product_ids() -> None:
    product = {
        "ProductID": "AC1",
        "ReferenceUnit": "KILOWATT_HOUR",
        "ProductPriceCurrency": "EUR",
        "PricePerReferenceUnit": 0.39,
        "MaximumProductChargingPower": 22,
        "IsValid24hours": True,
        "ProductAvailabilityTimes": [
            {"Periods": [{"begin": "00:00", "end": "23:59"}], "on": "Everyday"}
        ],
    }
    body = {
        "ActionType": "fullLoad",
        "PricingProductData": {
            "OperatorID": "DE*ABC",
            "ProviderID": "*",
            "PricingDefaultPrice": 0.5,
            "PricingDefaultPriceCurrency": "EUR",
            "PricingDefaultReferenceUnit": "HOUR",
            "PricingProductDataRecords": [product],
        },
    }

    push = PushPricingProductData.from_wire(body)

    assert (push.provider_id, push.product_ids) == ("*", ("AC1",))
    assert schema_errors("eRoamingPushPricingProductData", push.to_wire()) == []


def test_pull_authentication_data_reads_the_operator_and_answers_per_provider() -> None:
    assert PullAuthenticationData.from_wire({"OperatorID": "DE*ABC"}).operator_id == "DE*ABC"
    answer = AuthenticationData(
        (ProviderAuthenticationData("DE-DCB", (CARD,)),), StatusCode.for_code("000")
    )

    assert answer.to_wire()["AuthenticationData"] == {
        "ProviderAuthenticationData": [
            {
                "ProviderID": "DE-DCB",
                "AuthenticationDataRecord": [
                    {
                        "Identification": {
                            "RFIDMifareFamilyIdentification": {"UID": "7568290FFF765F"}
                        }
                    }
                ],
            }
        ]
    }


# --- faults ------------------------------------------------------------------------------


def test_field_references_read_like_hubjects_fault_body() -> None:
    pointer = "/OperatorEvseData/EvseDataRecord/0/HotlinePhoneNumber"

    assert field_reference(pointer) == "OperatorEvseData.EvseDataRecord[0].HotlinePhoneNumber"
    assert field_reference("") == "(body)"


def test_a_validation_fault_lists_every_problem() -> None:
    fault = validation_fault([Problem("/EvseID", "pattern:EvseID", "bad"), Problem("", "x", "y")])

    assert fault == {
        "message": "Error parsing/validating JSON.",
        "validationErrors": [
            {"fieldReference": "EvseID", "errorMessage": "bad"},
            {"fieldReference": "(body)", "errorMessage": "y"},
        ],
        "extendedInfo": None,
    }


def test_a_status_fault_carries_the_spec_description() -> None:
    assert status_fault("017") == {
        "StatusCode": {"Code": "017", "Description": "Unauthorized Access.", "AdditionalInfo": None}
    }
