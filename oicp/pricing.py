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

from oicp.bodies import parse_body, read_action_type, read_number, read_objects, read_strings
from oicp.cpo_operations import CPOOperation
from oicp.validation import EVSE_ID, OPERATOR_ID, FieldReader, NamedPattern
from oicp.wire import JSONObject

# ProviderIDAsterisk: a ProviderID, or "*" for every EMP (OpenAPI ProviderIDAsterisk.yaml).
PROVIDER_ID_OR_ALL = NamedPattern(
    "ProviderID",
    re.compile(r"^([A-Za-z]{2}\-?[A-Za-z0-9]{3}|[A-Za-z]{2}[\*|-]?[A-Za-z0-9]{3}|\*)$"),
    "'DE-DCB', or '*' for every EMP",
)
REFERENCE_UNITS = ("HOUR", "KILOWATT_HOUR", "MINUTE")
PRODUCT_ID_MAX = 50
_PRODUCT_REQUIRED = (
    "ReferenceUnit",
    "ProductPriceCurrency",
    "PricePerReferenceUnit",
    "MaximumProductChargingPower",
    "IsValid24hours",
    "ProductAvailabilityTimes",
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
        """Read the body, recording problems in ``reader``."""
        start = len(reader.problems)
        action = read_action_type(reader)
        data = reader.object("PricingProductData", required=True)
        if data is None or action is None:
            return None
        operator_id = data.string("OperatorID", required=True, pattern=OPERATOR_ID)
        provider_id = data.string("ProviderID", required=True, pattern=PROVIDER_ID_OR_ALL)
        read_number(data, "PricingDefaultPrice", required=True)
        data.string("PricingDefaultPriceCurrency", required=True)
        data.string("PricingDefaultReferenceUnit", required=True, choices=REFERENCE_UNITS)
        products = [
            _product_id(r) for r in read_objects(data, "PricingProductDataRecords", required=True)
        ]
        if operator_id is None or provider_id is None or len(reader.problems) != start:
            return None
        ids = tuple(p for p in products if p is not None)
        return cls(action, operator_id, provider_id, ids, dict(data.body))

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a request body; raise OICPValidationError listing every problem."""
        return parse_body(cls.read, body, cls.operation.value)


def _product_id(reader: FieldReader) -> str | None:
    product_id = reader.string("ProductID", required=True, max_length=PRODUCT_ID_MAX)
    for key in _PRODUCT_REQUIRED:
        reader.value(key, required=True)
    reader.string("ReferenceUnit", choices=REFERENCE_UNITS)
    return product_id


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
    def read(cls, reader: FieldReader) -> Self | None:
        """Read one EVSEPricing entry, recording problems in ``reader``."""
        evse_id = reader.string("EvseID", required=True, pattern=EVSE_ID)
        provider_id = reader.string("ProviderID", required=True, pattern=PROVIDER_ID_OR_ALL)
        products = read_strings(reader, "EvseIDProductList", required=True)
        if evse_id is None or provider_id is None:
            return None
        return cls(evse_id, provider_id, products)


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
        action = read_action_type(reader)
        records = [EVSEPricing.read(r) for r in read_objects(reader, "EVSEPricing", required=True)]
        if action is None or len(reader.problems) != start:
            return None
        return cls(action, tuple(r for r in records if r is not None))

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
