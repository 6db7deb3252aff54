"""The "EVSE data & pricing" tab of an operator: what the CPO pushed to the hub.

The EVSE data records with their last status (eRoamingPushEvseData, eRoamingPushEvseStatus),
the pricing products per ProviderID (eRoamingPushPricingProductData, ``*`` for every EMP)
and the EVSE pricing (eRoamingPushEVSEPricing), as the admin API gives them
(``GET /api/operators/{id}/evse-data`` and ``/pricing``).
"""

from __future__ import annotations

from aiohttp import web

from simulator.admin_api import HUB_KEY
from simulator.portal.render import render_page


async def show_operator_data(request: web.Request) -> web.Response:
    """GET: the operator's pushed EVSE data, statuses and pricing."""
    hub = request.config_dict[HUB_KEY]
    operator = await hub.operator(request.match_info["operator_id"])
    store = hub.storage.evse
    return await render_page(
        request,
        "operator_data.html",
        title=f"EVSE data & pricing of {operator.operator_id}",
        active_tab="evse-data",
        operator=operator,
        evses=await store.list_evses(operator.operator_id),
        pricing_products=await store.pricing_products(operator.operator_id),
        evse_pricing=await store.evse_pricing(operator.operator_id),
    )


def add_operator_data_pages(portal: web.Application) -> None:
    """Register the page on the portal's sub-application."""
    portal.router.add_get("/operators/{operator_id}/evse-data", show_operator_data)
