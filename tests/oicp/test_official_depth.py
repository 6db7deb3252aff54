"""Our validators against Hubject's official schemas: the same members, rules and limits.

Three checks, for PushEvseData, PushEvseStatus, both pricing pushes and the CDR's
CalibrationLawVerificationInfo:

1. the tables of :mod:`oicp.shapes` name every member the official schema names, with the
   same required members, enums, lengths, bounds and JSON types, at every depth;
2. every pattern accepts what the official one accepts and nothing else (sampled both ways);
3. bodies Hubject's schema accepts are accepted, and bodies it refuses are refused, with a
   problem at (or inside) the member the schema names.

Where ours is stricter on purpose, it is listed in ``STRICTER`` with the reason: rules the
spec states in prose (GeoCoordinates' one format, OpeningTimes unless open 24 hours, No
Payment alone) and value lists it prints as tables only (ReferenceUnit, ISO 4217 currency).
"""

from __future__ import annotations

import copy
import re
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from oicp.cdr import CALIBRATION_LAW_VERIFICATION_INFO, ChargeDetailRecord
from oicp.errors import OICPValidationError
from oicp.evse_data import PUSH_EVSE_DATA, PUSH_EVSE_STATUS, PushEvseData, PushEvseStatus
from oicp.pricing import (
    PUSH_EVSE_PRICING,
    PUSH_PRICING_PRODUCT_DATA,
    PushEVSEPricing,
    PushPricingProductData,
)
from oicp.shapes import Flag, Integer, ListOf, Number, Record, Shape, Text
from oicp.validation import NamedPattern
from tests.fuzz.attacks import _paths, _replace
from tests.fuzz.from_schema import from_schema, json_values
from tests.oicp.official import (
    MISSING,
    OPENAPI_DIR,
    load_openapi,
    request_example_named,
    request_schema_named,
)

MESSAGES: list[tuple[Any, Record]] = [
    (PushEvseData, PUSH_EVSE_DATA),
    (PushEvseStatus, PUSH_EVSE_STATUS),
    (PushPricingProductData, PUSH_PRICING_PRODUCT_DATA),
    (PushEVSEPricing, PUSH_EVSE_PRICING),
]
IDS = [m.operation.value for m, _ in MESSAGES]

# Members where ours says more than the official schema, and why.
STRICTER = {
    "ReferenceUnit": "the OpenAPI lists HOUR, KILOWATT_HOUR and MINUTE in prose only",
    "AdditionalReferenceUnit": "a ReferenceUnit",
    "PricingDefaultReferenceUnit": "a ReferenceUnit",
    "ProductPriceCurrency": "ISO 4217 codes: three capitals",
    "PricingDefaultPriceCurrency": "ISO 4217 codes: three capitals",
}
# Patterns that accept less than the official one, and why.
STRICTER_PATTERNS = {
    "EvseID": "upper case only, as the spec's EvseIDType table and every example write it "
    "(see tests/oicp/test_identifiers.py)",
}
# Members ours knows that the official schema does not name.
EXTRA_MEMBERS = {"ChargingStationID": "the official example's spelling of ChargingStationId"}


def _derandomized(examples: int) -> settings:
    """The same cases on every run, no shrinking (a failure is reported as generated)."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    if not OPENAPI_DIR.is_dir():
        pytest.skip(MISSING)
    return load_openapi()


# --- 1. the same tables ------------------------------------------------------------------------


def _compare(ours: Shape, official: dict[str, Any], where: str, found: list[str]) -> None:
    """Record every difference between our shape and the official schema below ``where``."""
    kind = official.get("type", "object" if "properties" in official else None)
    if kind == "object":
        _compare_object(ours, official, where, found)
    elif kind == "array":
        if not isinstance(ours, ListOf):
            found.append(f"{where}: official array, ours {type(ours).__name__}")
            return
        if official.get("maxItems") != ours.max_items:
            found.append(f"{where}: maxItems {official.get('maxItems')} != {ours.max_items}")
        _compare(ours.items, official.get("items", {}), where + "[]", found)
    else:
        _compare_scalar(ours, official, kind, where, found)


def _compare_object(ours: Shape, official: dict[str, Any], where: str, found: list[str]) -> None:
    if not isinstance(ours, Record):
        found.append(f"{where}: official object, ours {type(ours).__name__}")
        return
    members = {m.name: m for m in ours.members}
    for name, member_schema in official.get("properties", {}).items():
        if name not in members:
            found.append(f"{where}/{name}: missing from ours")
            continue
        _compare(members[name].shape, member_schema, f"{where}/{name}", found)
    extra = set(members) - set(official.get("properties", {})) - set(EXTRA_MEMBERS)
    found += [f"{where}/{name}: not in the official schema" for name in sorted(extra)]
    required = {m.name for m in ours.members if m.required}
    if required != set(official.get("required", ())):
        found.append(f"{where}: required {sorted(required)} != {official.get('required')}")


_KINDS = {"string": Text, "number": Number, "integer": Integer, "boolean": Flag}


def _compare_scalar(
    ours: Shape, official: dict[str, Any], kind: str | None, where: str, found: list[str]
) -> None:
    expected = _KINDS.get(str(kind))
    if expected is None or not isinstance(ours, expected):
        found.append(f"{where}: official {kind}, ours {type(ours).__name__}")
        return
    name = where.rsplit("/", 1)[-1].removesuffix("[]")
    if isinstance(ours, Text):
        stricter = name in STRICTER
        if set(official.get("enum", ours.choices or ())) != set(ours.choices or ()) and not (
            stricter and "enum" not in official
        ):
            found.append(f"{where}: enum {official.get('enum')} != {ours.choices}")
        if (official.get("pattern") is None) != (ours.pattern is None) and not stricter:
            found.append(f"{where}: pattern {official.get('pattern')} vs {ours.pattern}")
        if official.get("maxLength") != ours.max_length:
            found.append(f"{where}: maxLength {official.get('maxLength')} != {ours.max_length}")
        if official.get("minLength", 0) != ours.min_length:
            found.append(f"{where}: minLength {official.get('minLength')} != {ours.min_length}")
        if (official.get("format") == "date-time") != ours.date_time:
            found.append(f"{where}: format {official.get('format')} vs date_time={ours.date_time}")
    elif isinstance(ours, Integer | Number):
        for key, value in (("minimum", ours.minimum), ("maximum", ours.maximum)):
            limit = 2**63 if key == "maximum" else -(2**63)
            if official.get(key) != (None if value in (None, limit, limit - 1) else value):
                found.append(f"{where}: {key} {official.get(key)} != {value}")


@pytest.mark.parametrize(("message", "shape"), MESSAGES, ids=IDS)
def test_our_tables_name_every_official_member_with_its_rules(
    openapi: dict[str, Any], message: Any, shape: Record
) -> None:
    found: list[str] = []
    _compare(shape, request_schema_named(openapi, message.operation.value), "", found)
    assert found == []


def test_the_cdr_calibration_info_has_the_official_limits(openapi: dict[str, Any]) -> None:
    official = request_schema_named(openapi, ChargeDetailRecord.operation.value)
    found: list[str] = []
    info = official["properties"]["CalibrationLawVerificationInfo"]
    _compare(CALIBRATION_LAW_VERIFICATION_INFO, info, "/CalibrationLawVerificationInfo", found)
    assert found == []


# --- 2. the same patterns ----------------------------------------------------------------------


def _pattern_pairs(ours: Shape, official: dict[str, Any]) -> list[tuple[NamedPattern, str]]:
    if isinstance(ours, Text) and ours.pattern is not None and "pattern" in official:
        return [(ours.pattern, official["pattern"])]
    if isinstance(ours, ListOf):
        return _pattern_pairs(ours.items, official.get("items", {}))
    if isinstance(ours, Record):
        members = {m.name: m.shape for m in ours.members}
        return [
            pair
            for name, schema in official.get("properties", {}).items()
            if name in members
            for pair in _pattern_pairs(members[name], schema)
        ]
    return []


def _official_full(pattern: str) -> re.Pattern[str]:
    # As the official pattern means it: the whole value, ECMA's ASCII digits.
    return re.compile(pattern.replace(r"\d", "[0-9]"))


def _all_pairs(openapi: dict[str, Any]) -> list[tuple[NamedPattern, str]]:
    pairs = {}
    for message, shape in MESSAGES:
        official = request_schema_named(openapi, message.operation.value)
        for ours, theirs in _pattern_pairs(shape, official):
            pairs[(ours.regex.pattern, theirs)] = (ours, theirs)
    return list(pairs.values())


def test_every_official_pattern_has_its_twin_in_ours(openapi: dict[str, Any]) -> None:
    pairs = _all_pairs(openapi)
    # EvseID, OperatorID, ChargingPoolID, lang, TimeZone, Coordinates (3 forms), phone,
    # begin and end, ProviderID with "*".
    assert len(pairs) >= 10

    for ours, theirs in pairs:
        _same_language(ours, _official_full(theirs))


def _same_language(ours: NamedPattern, official: re.Pattern[str]) -> None:
    """Values of each pattern match the other (ours may be a stricter subset, if listed)."""

    @_derandomized(40)
    @given(st.from_regex(official, fullmatch=True), st.from_regex(ours.regex, fullmatch=True))
    def same_language(theirs_value: str, ours_value: str) -> None:
        assert official.fullmatch(ours_value), (ours.name, ours_value)
        if ours.name not in STRICTER_PATTERNS:
            assert ours.regex.fullmatch(theirs_value), (ours.name, theirs_value)

    same_language()


# --- 3. the same verdicts ----------------------------------------------------------------------


def _repaired(body: Any) -> Any:
    """A body that also keeps what ours asks beyond the schema (``STRICTER``, the prose rules)."""
    _repair_stricter(body)
    for record in body.get("OperatorEvseData", {}).get("EvseDataRecord", []):
        for key in ("GeoCoordinates", "GeoChargingPointEntrance"):
            if key in record:
                record[key] = {"Google": {"Coordinates": "52.520008 13.404954"}}
        if record.get("IsOpen24Hours") is False and "OpeningTimes" not in record:
            record["OpeningTimes"] = []
        if "No Payment" in record.get("PaymentOptions", []):
            record["PaymentOptions"] = ["No Payment"]
    return body


def _repair_stricter(value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _repair_stricter(item)
    if not isinstance(value, dict):
        return
    for key, member in value.items():
        if key in STRICTER:
            value[key] = "EUR" if "Currency" in key else "HOUR"
        elif key == "EvseID" and isinstance(member, str):
            value[key] = member.upper()  # STRICTER_PATTERNS
        else:
            _repair_stricter(member)


def _strategies(openapi: dict[str, Any]) -> st.SearchStrategy[tuple[Any, Any, Any]]:
    options = []
    for message, _ in MESSAGES:
        schema = request_schema_named(openapi, message.operation.value)
        bodies = from_schema(schema).map(_repaired)
        options.append(st.tuples(st.just(message), st.just(schema), bodies))
    return st.one_of(options)


def test_the_official_examples_are_accepted(openapi: dict[str, Any]) -> None:
    for message, _ in MESSAGES:
        message.from_wire(request_example_named(openapi, message.operation.value))


def test_bodies_the_official_schema_accepts_are_accepted(openapi: dict[str, Any]) -> None:
    @_derandomized(150)
    @given(_strategies(openapi))
    def accepted(case: tuple[Any, Any, Any]) -> None:
        message, schema, body = case
        assert list(jsonschema.Draft4Validator(schema).iter_errors(body)) == []
        message.from_wire(body)

    accepted()


def _pointer(path: Any) -> str:
    return "".join(f"/{part}" for part in path)


def test_bodies_the_official_schema_refuses_are_refused_at_the_same_member(
    openapi: dict[str, Any],
) -> None:
    @_derandomized(200)
    @given(_strategies(openapi), st.data())
    def refused(case: tuple[Any, Any, Any], data: st.DataObject) -> None:
        message, schema, body = case
        body = copy.deepcopy(body)
        path = data.draw(st.sampled_from(_paths(body)))
        mutated = _replace(body, path, data.draw(json_values().filter(_replacement)))
        errors = list(jsonschema.Draft4Validator(schema).iter_errors(mutated))
        if not errors:
            return
        with pytest.raises(OICPValidationError) as caught:
            message.from_wire(mutated)
        ours = [p.pointer for p in caught.value.problems]
        for error in errors:
            theirs = _pointer(error.absolute_path)
            assert any(p.startswith(theirs) or theirs.startswith(p) for p in ours), (theirs, ours)

    refused()


def _replacement(value: Any) -> bool:
    # A member set to null reads as absent (Hubject writes absent members as null, OICP 2.3
    # digest §2.1; see test_openapi_crosscheck.py); NaN is refused as no JSON number.
    return value is not None and "nan" not in repr(value) and "inf" not in repr(value)
