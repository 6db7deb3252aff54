"""EVSE data, EVSE status and dynamic pricing pushed by a CPO, checked and stored.

"The hub rejects EvseIDs that do not match the sender's OperatorID or sub-operator IDs"
with 018 "Inconsistent EvseID." (OICP 2.3 CPO, eRoamingPushEvseData and
eRoamingPushEVSEPricing; digest §2.8). Hubject also reports duplicated EvseIDs with 018
(integration guide, OICP status codes). A refused push stores nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from oicp import status
from oicp.evse_data import PushEvseStatus
from oicp.messages import Acknowledgement, StatusCode
from oicp.pricing import PushEVSEPricing, PushPricingProductData
from simulator.inbound.replies import negative
from simulator.partners.service import Partners
from simulator.storage import EvseRow, EvseStore, PricingRow


def accepted(info: str | None = None) -> Acknowledgement:
    """Result true, 000: what Hubject answers a successful push (observed, digest §2.5)."""
    return Acknowledgement(True, StatusCode.for_code(status.SUCCESS, info))


class EvsePush:
    """Applies the four data pushes of a CPO."""

    def __init__(self, partners: Partners, store: EvseStore) -> None:
        self._partners = partners
        self._store = store

    async def evse_id_problem(self, operator_id: str, evse_ids: Sequence[str]) -> str | None:
        """Why these EvseIDs may not be pushed by ``operator_id`` (018), or None."""
        foreign = await self._partners.foreign_evses(operator_id, evse_ids)
        if foreign:
            subs = await self._partners.sub_operators(operator_id)
            owners = ", ".join([operator_id, *subs])
            return (
                f"EvseID {', '.join(foreign)} does not belong to {owners}; push only EVSEs "
                "of your OperatorID or of a sub-operator configured for you"
            )
        repeated = sorted(e for e, n in Counter(evse_ids).items() if n > 1)
        if repeated:
            return f"EvseID {', '.join(repeated)} appears more than once in one push"
        return None

    async def push_data(
        self, operator_id: str, action_type: str, rows: Sequence[EvseRow]
    ) -> Acknowledgement:
        """Apply a checked PushEvseData (as rows: ``simulator.inbound.bodies``)."""
        problem = await self.evse_id_problem(operator_id, [r.evse_id for r in rows])
        if problem is not None:
            return negative(status.INCONSISTENT_EVSE_ID, problem)
        await self._store.push_data(operator_id, action_type, rows)
        return accepted()

    async def push_status(self, operator_id: str, push: PushEvseStatus) -> Acknowledgement:
        problem = await self.evse_id_problem(operator_id, [r.evse_id for r in push.records])
        if problem is not None:
            return negative(status.INCONSISTENT_EVSE_ID, problem)
        pairs = [(r.evse_id, r.evse_status) for r in push.records]
        await self._store.push_status(operator_id, push.action_type, pairs)
        return accepted()

    async def push_pricing_products(
        self, operator_id: str, push: PushPricingProductData
    ) -> Acknowledgement:
        await self._store.push_pricing_products(
            operator_id, push.provider_id, push.action_type, push.data
        )
        return accepted()

    async def push_evse_pricing(self, operator_id: str, push: PushEVSEPricing) -> Acknowledgement:
        evse_ids = [r.evse_id for r in push.records]
        foreign = await self._partners.foreign_evses(operator_id, evse_ids)
        if foreign:
            return negative(
                status.INCONSISTENT_EVSE_ID,
                f"EvseID {', '.join(foreign)} does not belong to {operator_id} or its "
                "sub-operators",
            )
        rows = [PricingRow(r.evse_id, r.provider_id, r.product_ids) for r in push.records]
        await self._store.push_evse_pricing(operator_id, push.action_type, rows)
        return accepted()
