"""EVSE data, EVSE status and dynamic pricing pushed by a CPO: 018, and what gets stored."""

from __future__ import annotations

from typing import Any

from mockpki.ca import LeafCertificate
from oicp.cpo_operations import CPOOperation, cpo_to_hub_path
from simulator.inbound.service import Inbound
from tests.inbound.support import (
    OPERATOR,
    OICPClient,
    add_operator,
    evse_data_push,
    evse_record,
)

Certs = dict[str, LeafCertificate | None]
EVSE_DATA = cpo_to_hub_path(CPOOperation.PUSH_EVSE_DATA, OPERATOR)
EVSE_STATUS = cpo_to_hub_path(CPOOperation.PUSH_EVSE_STATUS, OPERATOR)
PRICING = cpo_to_hub_path(CPOOperation.PUSH_PRICING_PRODUCT_DATA, OPERATOR)
EVSE_PRICING = cpo_to_hub_path(CPOOperation.PUSH_EVSE_PRICING, OPERATOR)


async def _stored(inbound: Inbound) -> list[str]:
    return [e.evse_id for e in await inbound.hub.storage.evse.list_evses(OPERATOR)]


def _status_push(*pairs: tuple[str, str], action: str = "fullLoad") -> dict[str, Any]:
    records = [{"EvseID": evse_id, "EvseStatus": status} for evse_id, status in pairs]
    return {
        "ActionType": action,
        "OperatorEvseStatus": {"OperatorID": OPERATOR, "EvseStatusRecord": records},
    }


async def test_pushed_evse_data_is_acknowledged_and_stored(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)

    push = evse_data_push(evse_record("DE*ABC*E1"), evse_record("DE*ABC*E2"))
    reply = await client.post(EVSE_DATA, push, certificates["cpo"])

    assert reply.status == 200
    assert (reply.json["Result"], reply.code) == (True, "000")
    assert await _stored(inbound) == ["DE*ABC*E1", "DE*ABC*E2"]


async def test_an_evse_id_of_another_operator_gets_018_and_nothing_is_stored(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)

    push = evse_data_push(evse_record("DE*ABC*E1"), evse_record("DE*XYZ*E1"))
    reply = await client.post(EVSE_DATA, push, certificates["cpo"])

    assert (reply.json["Result"], reply.code) == (False, "018")
    assert "DE*XYZ*E1" in reply.json["StatusCode"]["AdditionalInfo"]
    assert await _stored(inbound) == []


async def test_an_evse_id_of_a_configured_sub_operator_is_accepted(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    await inbound.partners.set_sub_operators(OPERATOR, ["DE*SUB"])

    reply = await client.post(
        EVSE_DATA, evse_data_push(evse_record("DE*SUB*E1")), certificates["cpo"]
    )

    assert reply.json["Result"] is True


async def test_an_evse_id_twice_in_one_push_gets_018(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)

    push = evse_data_push(evse_record("DE*ABC*E1"), evse_record("DE*ABC*E1"))
    reply = await client.post(EVSE_DATA, push, certificates["cpo"])

    assert (reply.json["Result"], reply.code) == (False, "018")


async def test_a_full_load_replaces_and_insert_update_delete_change_records(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    cert = certificates["cpo"]
    await client.post(EVSE_DATA, evse_data_push(evse_record("DE*ABC*E1")), cert)
    await client.post(EVSE_DATA, evse_data_push(evse_record("DE*ABC*E2")), cert)
    assert await _stored(inbound) == ["DE*ABC*E2"]

    await client.post(EVSE_DATA, evse_data_push(evse_record("DE*ABC*E3"), action="insert"), cert)
    assert await _stored(inbound) == ["DE*ABC*E2", "DE*ABC*E3"]

    changed = evse_record("DE*ABC*E3", compatible=False)
    await client.post(EVSE_DATA, evse_data_push(changed, action="update"), cert)
    stored = await inbound.hub.storage.evse.get("DE*ABC*E3")
    assert stored is not None and stored.is_hubject_compatible is False

    await client.post(EVSE_DATA, evse_data_push(evse_record("DE*ABC*E2"), action="delete"), cert)
    assert await _stored(inbound) == ["DE*ABC*E3"]


async def test_pushed_evse_status_is_stored_with_the_evse(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    await client.post(EVSE_DATA, evse_data_push(evse_record("DE*ABC*E1")), certificates["cpo"])

    reply = await client.post(
        EVSE_STATUS, _status_push(("DE*ABC*E1", "Occupied")), certificates["cpo"]
    )

    assert reply.json["Result"] is True
    stored = await inbound.hub.storage.evse.get("DE*ABC*E1")
    assert stored is not None and stored.status == "Occupied"


async def test_an_evse_status_of_another_operator_gets_018(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)

    reply = await client.post(
        EVSE_STATUS, _status_push(("DE*XYZ*E1", "Available")), certificates["cpo"]
    )

    assert (reply.json["Result"], reply.code) == (False, "018")


async def test_an_unknown_evse_status_value_gets_http_400(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)

    reply = await client.post(EVSE_STATUS, _status_push(("DE*ABC*E1", "Busy")), certificates["cpo"])

    assert reply.status == 400
    assert reply.json["validationErrors"][0]["fieldReference"] == (
        "OperatorEvseStatus.EvseStatusRecord[0].EvseStatus"
    )


def _pricing_products(*product_ids: str, action: str = "fullLoad") -> dict[str, Any]:
    return {
        "ActionType": action,
        "PricingProductData": {
            "OperatorID": OPERATOR,
            "OperatorName": "ABC Charging",
            "ProviderID": "*",
            "PricingDefaultPrice": 0.5,
            "PricingDefaultPriceCurrency": "EUR",
            "PricingDefaultReferenceUnit": "KILOWATT_HOUR",
            "PricingProductDataRecords": [
                {
                    "ProductID": product_id,
                    "ReferenceUnit": "KILOWATT_HOUR",
                    "ProductPriceCurrency": "EUR",
                    "PricePerReferenceUnit": 0.39,
                    "MaximumProductChargingPower": 22,
                    "IsValid24hours": True,
                    "ProductAvailabilityTimes": [
                        {"Periods": [{"begin": "00:00", "end": "23:59"}], "on": "Everyday"}
                    ],
                }
                for product_id in product_ids
            ],
        },
    }


async def test_pricing_products_are_stored_per_provider_and_merged_by_product_id(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    cert = certificates["cpo"]

    first = await client.post(PRICING, _pricing_products("AC1", "DC"), cert)
    await client.post(PRICING, _pricing_products("AC3", action="insert"), cert)
    await client.post(PRICING, _pricing_products("DC", action="delete"), cert)

    assert first.json["Result"] is True
    stored = await inbound.hub.storage.evse.pricing_products(OPERATOR)
    products = [r["ProductID"] for r in stored["*"]["PricingProductDataRecords"]]
    assert products == ["AC1", "AC3"]


async def test_evse_pricing_is_stored_and_foreign_evse_ids_get_018(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    ours = {"EvseID": "DE*ABC*E1", "ProviderID": "*", "EvseIDProductList": ["AC1"]}
    theirs = {"EvseID": "DE*XYZ*E1", "ProviderID": "*", "EvseIDProductList": ["AC1"]}

    accepted = await client.post(
        EVSE_PRICING, {"ActionType": "fullLoad", "EVSEPricing": [ours]}, certificates["cpo"]
    )
    refused = await client.post(
        EVSE_PRICING, {"ActionType": "insert", "EVSEPricing": [theirs]}, certificates["cpo"]
    )

    assert accepted.json["Result"] is True
    assert (refused.json["Result"], refused.code) == (False, "018")
    stored = await inbound.hub.storage.evse.evse_pricing(OPERATOR)
    assert [(r.evse_id, r.product_ids) for r in stored] == [("DE*ABC*E1", ("AC1",))]


async def test_a_record_breaking_the_schema_deep_down_gets_400_listing_every_member(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    record = evse_record("DE*ABC*E1")
    del record["Address"]["City"]
    record["Plugs"] = ["Type 9"]
    record["ChargingFacilities"] = [{"PowerType": "AC_9_PHASE", "Power": 22}]

    reply = await client.post(EVSE_DATA, evse_data_push(record), certificates["cpo"])

    assert reply.status == 400
    fields = [e["fieldReference"] for e in reply.json["validationErrors"]]
    assert fields == [
        "OperatorEvseData.EvseDataRecord[0].Address.City",
        "OperatorEvseData.EvseDataRecord[0].Plugs[0]",
        "OperatorEvseData.EvseDataRecord[0].ChargingFacilities[0].PowerType",
    ]
    assert await _stored(inbound) == []


async def test_a_pricing_product_available_on_no_day_gets_400(
    inbound: Inbound, client: OICPClient, certificates: Certs
) -> None:
    await add_operator(inbound.hub, None)
    push = _pricing_products("AC1")
    product = push["PricingProductData"]["PricingProductDataRecords"][0]
    del product["ProductAvailabilityTimes"][0]["on"]

    reply = await client.post(PRICING, push, certificates["cpo"])

    assert reply.status == 400
    assert [e["fieldReference"] for e in reply.json["validationErrors"]] == [
        "PricingProductData.PricingProductDataRecords[0].ProductAvailabilityTimes[0].on"
    ]
