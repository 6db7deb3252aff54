"""EVSE data and pricing per operator: what the CPO pushed, in the admin API and the portal.

The CPO's pushes go to the hub's OICP listener over mutual TLS with ``cpo-client.pem``."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from oicp.cpo_operations import CPOOperation
from tests.portal.roaming import EVSES, OPERATOR, Roaming
from tests.portal.support import Shoot

PAGE = f"/portal/operators/{OPERATOR}/evse-data"


def _pricing_products() -> dict[str, object]:
    return {
        "ActionType": "fullLoad",
        "PricingProductData": {
            "OperatorID": OPERATOR,
            "OperatorName": "ABC Charging",
            "ProviderID": "*",
            "PricingDefaultPrice": 0.5,
            "PricingDefaultPriceCurrency": "EUR",
            "PricingDefaultReferenceUnit": "KILOWATT_HOUR",
            "PricingProductDataRecords": [
                {
                    "ProductID": "AC22",
                    "ReferenceUnit": "KILOWATT_HOUR",
                    "ProductPriceCurrency": "EUR",
                    "PricePerReferenceUnit": 0.39,
                    "MaximumProductChargingPower": 22,
                    "IsValid24hours": True,
                    "ProductAvailabilityTimes": [
                        {"Periods": [{"begin": "00:00", "end": "23:59"}], "on": "Everyday"}
                    ],
                }
            ],
        },
    }


def _push(roaming: Roaming) -> None:
    status = {
        "ActionType": "update",
        "OperatorEvseStatus": {
            "OperatorID": OPERATOR,
            "OperatorName": "ABC Charging",
            "EvseStatusRecord": [{"EvseID": EVSES[0], "EvseStatus": "Available"}],
        },
    }
    evse_pricing = {
        "ActionType": "fullLoad",
        "EVSEPricing": [{"EvseID": EVSES[0], "ProviderID": "*", "EvseIDProductList": ["AC22"]}],
    }
    for operation, body in (
        (CPOOperation.PUSH_EVSE_STATUS, status),
        (CPOOperation.PUSH_PRICING_PRODUCT_DATA, _pricing_products()),
        (CPOOperation.PUSH_EVSE_PRICING, evse_pricing),
    ):
        assert roaming.as_cpo(operation, body)["Result"] is True


def test_the_admin_api_shows_the_pricing_an_operator_pushed(roaming: Roaming) -> None:
    _push(roaming)

    pricing = roaming.ok("GET", f"/api/operators/{OPERATOR}/pricing")
    evses = roaming.ok("GET", f"/api/operators/{OPERATOR}/evse-data")["evses"]

    products = pricing["pricing_products"]["*"]["PricingProductDataRecords"]
    assert [p["ProductID"] for p in products] == ["AC22"]
    assert pricing["evse_pricing"] == [
        {"EvseID": EVSES[0], "ProviderID": "*", "EvseIDProductList": ["AC22"]}
    ]
    assert {e["evse_id"]: e["status"] for e in evses}[EVSES[0]] == "Available"


def test_the_evse_data_and_pricing_tab_shows_what_the_operator_pushed(
    roaming: Roaming, roaming_page: Page, shoot: Shoot
) -> None:
    _push(roaming)

    roaming_page.goto(f"/portal/operators/{OPERATOR}/settings/authorization")
    roaming_page.get_by_role("link", name="EVSE data & pricing").click()

    roaming_page.wait_for_url(f"**{PAGE}")
    expect(roaming_page.locator("#evses tbody tr")).to_have_count(len(EVSES))
    row = roaming_page.locator("#evses tbody tr", has_text=EVSES[0])
    expect(row).to_contain_text("Available")
    expect(roaming_page.locator("table.pricing-products")).to_contain_text("AC22")
    expect(roaming_page.locator("table.pricing-products")).to_contain_text("0.39")
    expect(roaming_page.locator("#evse-pricing")).to_contain_text(EVSES[0])
    shoot(roaming_page, "evse-data-and-pricing")


def test_an_operator_that_pushed_nothing_says_so(roaming: Roaming, roaming_page: Page) -> None:
    roaming.ok("POST", "/api/operators", {"operator_id": "DE*NIL", "name": "Nothing pushed"})

    roaming_page.goto("/portal/operators/DE*NIL/evse-data")

    expect(roaming_page.locator("#evse-heading + p")).to_contain_text("has pushed no EVSE data")
    expect(roaming_page.locator("#evse-pricing")).to_have_count(0)


def test_the_pricing_of_an_unknown_operator_is_refused(roaming: Roaming) -> None:
    status, refusal = roaming.api("GET", "/api/operators/DE*ZZZ/pricing")

    assert status == 404 and refusal["issues"][0]["field"] == "operator_id"
