"""eRoamingPushPricingProductData and eRoamingPushEVSEPricing (dynamic pricing, V1.0).

Field tables: OICP 2.3 CPO, 03_CPO_Data_Types, PricingProductDataType and EVSEPricingType
(digest §2.8). Prices are pushed without VAT; ``ProviderID`` ``*`` offers a product to
every EMP. The hub stores what it receives; the members it acts on are read here and the
product records are kept as sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar, Self

from oicp.bodies import ACTION_TYPES, parse_body
from oicp.cpo_operations import CPOOperation
from oicp.evse_types import DAYS, PERIOD
from oicp.shapes import Flag, ListOf, Member, Number, Record, Text, check_record
from oicp.validation import EVSE_ID, OPERATOR_ID, FieldReader, NamedPattern
from oicp.wire import JSONObject

# ProviderIDAsterisk: a ProviderID, or "*" for every EMP (OpenAPI ProviderIDAsterisk.yaml).
PROVIDER_ID_OR_ALL = NamedPattern(
    "ProviderID",
    re.compile(r"^([A-Za-z]{2}\-?[A-Za-z0-9]{3}|[A-Za-z]{2}[\*|-]?[A-Za-z0-9]{3}|\*)$"),
    "'DE-DCB', or '*' for every EMP",
)
REFERENCE_UNITS = ("HOUR", "KILOWATT_HOUR", "MINUTE")
"""ReferenceUnitType: the options its table lists (the OpenAPI writes them as prose only)."""
ADDITIONAL_REFERENCES = ("START FEE", "FIXED FEE", "PARKING FEE", "MINIMUM FEE", "MAXIMUM FEE")
PRODUCT_ID_MAX = 50
# ProductPriceCurrencyType: "the active codes of the official ISO 4217 currency names".
CURRENCY = NamedPattern("Currency", re.compile(r"^[A-Z]{3}$"), "'EUR' (ISO 4217)")
_UNIT = Text(choices=REFERENCE_UNITS)

PRODUCT_AVAILABILITY_TIMES = Record(
    "ProductAvailabilityTimes",
    (  # the pricing schema writes "Periods", OpeningTimesType "Period" (digest §2.8)
        Member("Periods", ListOf(PERIOD), required=True),
        Member("on", Text(choices=DAYS), required=True),
    ),
)
ADDITIONAL_REFERENCE = Record(
    "AdditionalReferences",
    (
        Member("AdditionalReference", Text(choices=ADDITIONAL_REFERENCES), required=True),
        Member("AdditionalReferenceUnit", _UNIT, required=True),
        Member("PricePerAdditionalReferenceUnit", Number(), required=True),
    ),
)
PRICING_PRODUCT_DATA_RECORD = Record(
    "PricingProductDataRecordType",
    (
        Member("ProductID", Text(max_length=PRODUCT_ID_MAX), required=True),
        Member("ReferenceUnit", _UNIT, required=True),
        Member("ProductPriceCurrency", Text(pattern=CURRENCY), required=True),
        Member("PricePerReferenceUnit", Number(), required=True),
        Member("MaximumProductChargingPower", Number(), required=True),
        Member("IsValid24hours", Flag(), required=True),
        Member("ProductAvailabilityTimes", ListOf(PRODUCT_AVAILABILITY_TIMES), required=True),
        Member("AdditionalReferences", ListOf(ADDITIONAL_REFERENCE)),
    ),
)
PUSH_PRICING_PRODUCT_DATA = Record(
    "eRoamingPushPricingProductData",
    (
        Member("ActionType", Text(choices=ACTION_TYPES), required=True),
        Member(
            "PricingProductData",
            Record(
                "PricingProductDataType",
                (
                    Member("OperatorID", Text(pattern=OPERATOR_ID), required=True),
                    Member("OperatorName", Text(max_length=100)),
                    Member("ProviderID", Text(pattern=PROVIDER_ID_OR_ALL), required=True),
                    Member("PricingDefaultPrice", Number(), required=True),
                    Member("PricingDefaultPriceCurrency", Text(pattern=CURRENCY), required=True),
                    Member("PricingDefaultReferenceUnit", _UNIT, required=True),
                    Member(
                        "PricingProductDataRecords",
                        ListOf(PRICING_PRODUCT_DATA_RECORD),
                        required=True,
                    ),
                ),
            ),
            required=True,
        ),
    ),
)
EVSE_PRICING = Record(
    "EVSEPricingType",
    (
        Member("EvseID", Text(pattern=EVSE_ID), required=True),
        Member("ProviderID", Text(pattern=PROVIDER_ID_OR_ALL), required=True),
        Member("EvseIDProductList", ListOf(Text(max_length=PRODUCT_ID_MAX)), required=True),
    ),
)
PUSH_EVSE_PRICING = Record(
    "eRoamingPushEVSEPricing",
    (
        Member("ActionType", Text(choices=ACTION_TYPES), required=True),
        Member("EVSEPricing", ListOf(EVSE_PRICING), required=True),
    ),
)


@dataclass(frozen=True)
class PushPricingProductData:
    """The pricing products an operator offers one EMP (or ``*``: every EMP).

    ``data`` is the PricingProductData object as sent; ``product_ids`` its records' IDs.
    """

    action_type: str
    operator_id: str
    provider_id: str
    product_ids: tuple[str, ...]
    data: JSONObject = field(compare=False)
    operation: ClassVar[CPOOperation] = CPOOperation.PUSH_PRICING_PRODUCT_DATA

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The request body."""
        return {"ActionType": self.action_type, "PricingProductData": dict(self.data)}

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the body, recording every problem of every member in ``reader``."""
        start = len(reader.problems)
        check_record(PUSH_PRICING_PRODUCT_DATA, reader)
        if len(reader.problems) != start:
            return None
        data: JSONObject = reader.body["PricingProductData"]  # type: ignore[assignment]
        records: list[JSONObject] = data["PricingProductDataRecords"]
        return cls(
            str(reader.body["ActionType"]),
            str(data["OperatorID"]),
            str(data["ProviderID"]),
            tuple(str(r["ProductID"]) for r in records),
            dict(data),
        )

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a request body; raise OICPValidationError listing every problem."""
        return parse_body(cls.read, body, cls.operation.value)


@dataclass(frozen=True)
class EVSEPricing:
    """Which products (by ProductID) an EVSE offers one EMP, or ``*`` every EMP."""

    evse_id: str
    provider_id: str
    product_ids: tuple[str, ...]

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        return {
            "EvseID": self.evse_id,
            "ProviderID": self.provider_id,
            "EvseIDProductList": list(self.product_ids),
        }

    @classmethod
    def from_checked(cls, entry: JSONObject) -> Self:
        """An entry that :data:`EVSE_PRICING` found valid."""
        products: list[str] = entry["EvseIDProductList"]
        return cls(str(entry["EvseID"]), str(entry["ProviderID"]), tuple(products))


@dataclass(frozen=True)
class PushEVSEPricing:
    """eRoamingPushEVSEPricing: the product list of each EVSE, per EMP."""

    action_type: str
    records: tuple[EVSEPricing, ...]
    operation: ClassVar[CPOOperation] = CPOOperation.PUSH_EVSE_PRICING

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The request body."""
        return {"ActionType": self.action_type, "EVSEPricing": [r.to_wire() for r in self.records]}

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the body, recording problems in ``reader``."""
        start = len(reader.problems)
        check_record(PUSH_EVSE_PRICING, reader)
        if len(reader.problems) != start:
            return None
        entries: list[JSONObject] = reader.body["EVSEPricing"]  # type: ignore[assignment]
        return cls(
            str(reader.body["ActionType"]), tuple(EVSEPricing.from_checked(e) for e in entries)
        )

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a request body; raise OICPValidationError listing every problem."""
        return parse_body(cls.read, body, cls.operation.value)


__all__ = [
    "PROVIDER_ID_OR_ALL",
    "REFERENCE_UNITS",
    "EVSEPricing",
    "PushEVSEPricing",
    "PushPricingProductData",
]
