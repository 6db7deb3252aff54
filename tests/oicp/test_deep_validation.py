"""PushEvseData, PushEvseStatus and the pricing pushes are checked as deep as the schema.

Before, an EVSE data record was checked only for its mandatory members' JSON types, and a
pricing product only for its members' presence: a missing Address.City, ``"Type 9"`` plugs
or a product availability without its day were accepted. Every problem is now listed with
its JSON pointer, all at once.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from oicp.errors import OICPValidationError
from oicp.evse_data import PushEvseData, PushEvseStatus, minimal_evse_record
from oicp.pricing import PushEVSEPricing, PushPricingProductData
from oicp.validation import Problem

RECORD = "/OperatorEvseData/EvseDataRecord/0"


def _push(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "ActionType": "fullLoad",
        "OperatorEvseData": {
            "OperatorID": "DE*ABC",
            "OperatorName": "ABC Charging",
            "EvseDataRecord": [record],
        },
    }


def _problems(message_type: Any, body: object) -> list[Problem]:
    with pytest.raises(OICPValidationError) as caught:
        message_type.from_wire(body)
    return list(caught.value.problems)


def _record(**changes: Any) -> dict[str, Any]:
    record = copy.deepcopy(minimal_evse_record("DE*ABC*E0001"))
    record.update(changes)
    return record


def test_the_minimal_record_is_valid() -> None:
    assert PushEvseData.from_wire(_push(_record())).records[0].evse_id == "DE*ABC*E0001"


@pytest.mark.parametrize("member", ["City", "Country", "Street", "PostalCode", "HouseNum"])
def test_an_address_without_a_mandatory_member_is_refused(member: str) -> None:
    record = _record()
    del record["Address"][member]

    problems = _problems(PushEvseData, _push(record))

    assert [(p.pointer, p.rule) for p in problems] == [(f"{RECORD}/Address/{member}", "required")]


@pytest.mark.parametrize(
    ("changes", "pointer", "rule"),
    [
        ({"Plugs": ["Type 9"]}, "/Plugs/0", "enum:Plugs"),
        ({"ChargingFacilities": [{"PowerType": "AC_9", "Power": 22}]},
         "/ChargingFacilities/0/PowerType", "enum:PowerType"),
        ({"ChargingFacilities": [{"PowerType": "DC", "Power": 5000}]},
         "/ChargingFacilities/0/Power", "range:0-999"),
        ({"GeoCoordinates": {"Google": {"Coordinates": "north of here"}}},
         "/GeoCoordinates/Google/Coordinates", "pattern:Coordinates"),
        ({"GeoCoordinates": {}}, "/GeoCoordinates", "one-of"),
        ({"AuthenticationModes": ["REMOTE", "Iris scan"]}, "/AuthenticationModes/1",
         "enum:AuthenticationModes"),
        ({"Accessibility": "Open to all"}, "/Accessibility", "enum:Accessibility"),
        ({"PaymentOptions": ["No Payment", "Direct"]}, "/PaymentOptions", "no-payment-alone"),
        ({"ChargingStationNames": [{"lang": "English", "value": "x"}]},
         "/ChargingStationNames/0/lang", "pattern:LanguageCode"),
        ({"Address": {**_record()["Address"], "Country": "DE"}}, "/Address/Country",
         "minLength:3"),
        ({"IsOpen24Hours": False}, "/OpeningTimes", "required"),
        ({"IsOpen24Hours": False, "OpeningTimes": [{"Period": [{"begin": "8:00", "end": "x"}]}]},
         "/OpeningTimes/0/on", "required"),
    ],
    ids=["plug", "power-type", "power", "coordinates", "no-coordinates",
         "authentication-mode", "accessibility", "no-payment", "language", "country",
         "opening-times", "opening-day"],
)  # fmt: skip
def test_a_nested_member_breaking_the_schema_is_refused_by_its_pointer(
    changes: dict[str, Any], pointer: str, rule: str
) -> None:
    problems = _problems(PushEvseData, _push(_record(**changes)))

    assert (RECORD + pointer, rule) in [(p.pointer, p.rule) for p in problems]


def test_every_problem_of_a_push_is_listed_at_once() -> None:
    record = _record(Plugs=["Type 9"], Accessibility="Open to all")
    del record["Address"]["City"]
    broken = _record(EvseID="nope", AuthenticationModes=["PIN"])
    body = _push(record)
    body["OperatorEvseData"]["EvseDataRecord"].append(broken)

    pointers = [p.pointer for p in _problems(PushEvseData, body)]

    assert pointers == [
        f"{RECORD}/Address/City",
        f"{RECORD}/Plugs/0",
        f"{RECORD}/Accessibility",
        "/OperatorEvseData/EvseDataRecord/1/EvseID",
        "/OperatorEvseData/EvseDataRecord/1/AuthenticationModes/0",
    ]


def test_an_unknown_evse_status_is_refused_by_its_pointer() -> None:
    body = {
        "ActionType": "update",
        "OperatorEvseStatus": {
            "OperatorID": "DE*ABC",
            "EvseStatusRecord": [{"EvseID": "DE*ABC*E1", "EvseStatus": "Broken"}],
        },
    }

    problems = _problems(PushEvseStatus, body)

    assert [p.pointer for p in problems] == ["/OperatorEvseStatus/EvseStatusRecord/0/EvseStatus"]


def _pricing(**record_changes: Any) -> dict[str, Any]:
    record = {
        "ProductID": "AC 1",
        "ReferenceUnit": "HOUR",
        "ProductPriceCurrency": "EUR",
        "PricePerReferenceUnit": 1,
        "MaximumProductChargingPower": 22,
        "IsValid24hours": False,
        "ProductAvailabilityTimes": [
            {"Periods": [{"begin": "09:00", "end": "18:00"}], "on": "Everyday"}
        ],
        **record_changes,
    }
    return {
        "ActionType": "fullLoad",
        "PricingProductData": {
            "OperatorID": "DE*ABC",
            "ProviderID": "*",
            "PricingDefaultPrice": 0,
            "PricingDefaultPriceCurrency": "EUR",
            "PricingDefaultReferenceUnit": "HOUR",
            "PricingProductDataRecords": [record],
        },
    }


PRODUCT = "/PricingProductData/PricingProductDataRecords/0"


def test_a_valid_pricing_push_is_accepted() -> None:
    assert PushPricingProductData.from_wire(_pricing()).product_ids == ("AC 1",)


@pytest.mark.parametrize(
    ("changes", "pointer", "rule"),
    [
        ({"ProductAvailabilityTimes": [{"Periods": [{"begin": "09:00", "end": "18:00"}]}]},
         "/ProductAvailabilityTimes/0/on", "required"),
        ({"ProductAvailabilityTimes": [{"Periods": [{"begin": "9", "end": "18:00"}],
                                        "on": "Everyday"}]},
         "/ProductAvailabilityTimes/0/Periods/0/begin", "pattern:Time"),
        ({"ProductAvailabilityTimes": [{"Periods": [], "on": "Caturday"}]},
         "/ProductAvailabilityTimes/0/on", "enum:on"),
        ({"ProductPriceCurrency": "Euro"}, "/ProductPriceCurrency", "pattern:Currency"),
        ({"AdditionalReferences": [{"AdditionalReference": "TIP", "AdditionalReferenceUnit":
                                    "HOUR", "PricePerAdditionalReferenceUnit": 1}]},
         "/AdditionalReferences/0/AdditionalReference", "enum:AdditionalReference"),
        ({"PricePerReferenceUnit": "1.00"}, "/PricePerReferenceUnit", "type:number"),
    ],
    ids=["no-day", "period-begin", "day", "currency", "additional-reference", "price-type"],
)  # fmt: skip
def test_a_pricing_product_breaking_the_schema_is_refused_by_its_pointer(
    changes: dict[str, Any], pointer: str, rule: str
) -> None:
    problems = _problems(PushPricingProductData, _pricing(**changes))

    assert (PRODUCT + pointer, rule) in [(p.pointer, p.rule) for p in problems]


def test_an_evse_pricing_product_list_of_non_strings_is_refused_by_its_pointer() -> None:
    body = {
        "ActionType": "fullLoad",
        "EVSEPricing": [{"EvseID": "DE*ABC*E1", "ProviderID": "*", "EvseIDProductList": [1]}],
    }

    problems = _problems(PushEVSEPricing, body)

    assert [(p.pointer, p.rule) for p in problems] == [
        ("/EVSEPricing/0/EvseIDProductList/0", "type:string")
    ]


def test_nan_is_no_number() -> None:
    problems = _problems(PushPricingProductData, _pricing(PricePerReferenceUnit=float("nan")))

    assert [(p.pointer, p.rule) for p in problems] == [
        (f"{PRODUCT}/PricePerReferenceUnit", "type:number")
    ]


def test_validation_stops_after_100_problems_and_says_so() -> None:
    body = _push(_record(Plugs=["Type 9"]))
    body["OperatorEvseData"]["EvseDataRecord"] *= 5000  # 5,000 problems in one push

    problems = _problems(PushEvseData, body)

    assert len(problems) == 101
    assert problems[99].pointer == "/OperatorEvseData/EvseDataRecord/99/Plugs/0"
    assert (problems[-1].rule, problems[-1].pointer) == ("problems:max", "")
    assert "stopped after 100 problems" in problems[-1].message
