"""The operations a CPO sends to Hubject's HBS, and the paths it sends them to.

OICP 2.3 CPO, 02_CPO_Services_and_Operations, the operations marked "To SEND"; the paths
are those of 06_CPO_Code_Snippets and the OpenAPI (OICP 2.3 digest §1.3), relative to
``https://service[-qa].hubject.com``. ``{operatorID}`` is the sending CPO's OperatorID,
written with a literal ``*`` (``DE*ABC``) like every ID in an OICP path.

PullAuthenticationData is OICP 2.2 (``auth-api-docs-2.1``): it is gone from 2.3, but the
portal still offers its service type, so the mock serves it (digest §1.3, §10.13).

These are kept apart from :class:`oicp.operations.Operation`, whose four members are the
operations Hubject sends *to* a CPO; code that lists those must not grow new members.
"""

from __future__ import annotations

import enum
from urllib.parse import quote


class CPOOperation(enum.Enum):
    """A CPO-to-hub operation; the value is its OICP wire name."""

    AUTHORIZE_START = "eRoamingAuthorizeStart"
    AUTHORIZE_STOP = "eRoamingAuthorizeStop"
    PUSH_EVSE_DATA = "eRoamingPushEvseData"
    PUSH_EVSE_STATUS = "eRoamingPushEvseStatus"
    CHARGING_NOTIFICATION = "eRoamingChargingNotifications"
    CHARGE_DETAIL_RECORD = "eRoamingChargeDetailRecord"
    PUSH_PRICING_PRODUCT_DATA = "eRoamingPushPricingProductData"
    PUSH_EVSE_PRICING = "eRoamingPushEVSEPricing"
    PULL_AUTHENTICATION_DATA = "eRoamingPullAuthenticationData"

    @property
    def path_template(self) -> str:
        """The path with ``{id}`` where the OperatorID goes (none for notifications)."""
        return _PATHS[self]

    @property
    def has_operator_in_path(self) -> bool:
        """False only for charging notifications, whose OperatorID is in the body."""
        return "{id}" in _PATHS[self]


_OPERATORS = "/api/oicp/{service}/operators/{{id}}/{action}"

_PATHS: dict[CPOOperation, str] = {
    CPOOperation.AUTHORIZE_START: _OPERATORS.format(
        service="charging/v21", action="authorize/start"
    ),
    CPOOperation.AUTHORIZE_STOP: _OPERATORS.format(service="charging/v21", action="authorize/stop"),
    CPOOperation.PUSH_EVSE_DATA: _OPERATORS.format(service="evsepush/v23", action="data-records"),
    CPOOperation.PUSH_EVSE_STATUS: _OPERATORS.format(
        service="evsepush/v21", action="status-records"
    ),
    CPOOperation.CHARGING_NOTIFICATION: "/api/oicp/notificationmgmt/v11/charging-notifications",
    CPOOperation.CHARGE_DETAIL_RECORD: _OPERATORS.format(
        service="cdrmgmt/v22", action="charge-detail-record"
    ),
    CPOOperation.PUSH_PRICING_PRODUCT_DATA: _OPERATORS.format(
        service="dynamicpricing/v10", action="pricing-products"
    ),
    CPOOperation.PUSH_EVSE_PRICING: _OPERATORS.format(
        service="dynamicpricing/v10", action="evse-pricing"
    ),
    CPOOperation.PULL_AUTHENTICATION_DATA: _OPERATORS.format(
        service="authdata/v21", action="pull-request"
    ),
}


def cpo_to_hub_path(operation: CPOOperation, operator_id: str | None = None) -> str:
    """The path a CPO posts ``operation`` to, with its OperatorID filled in.

    Raises ValueError when the path needs an OperatorID and none (or an empty one) is given.
    """
    template = operation.path_template
    if not operation.has_operator_in_path:
        return template
    if not operator_id:
        raise ValueError(f"{operation.value} needs the CPO's OperatorID in its path, e.g. 'DE*ABC'")
    return template.format(id=quote(operator_id, safe="*"))


# Where the body names the sending operator, per operation (None: only in the path).
_BODY_OPERATOR: dict[CPOOperation, tuple[str, ...] | None] = {
    CPOOperation.AUTHORIZE_START: ("OperatorID",),
    CPOOperation.AUTHORIZE_STOP: ("OperatorID",),
    CPOOperation.PUSH_EVSE_DATA: ("OperatorEvseData", "OperatorID"),
    CPOOperation.PUSH_EVSE_STATUS: ("OperatorEvseStatus", "OperatorID"),
    CPOOperation.CHARGING_NOTIFICATION: ("OperatorID",),
    CPOOperation.CHARGE_DETAIL_RECORD: None,
    CPOOperation.PUSH_PRICING_PRODUCT_DATA: ("PricingProductData", "OperatorID"),
    CPOOperation.PUSH_EVSE_PRICING: None,
    CPOOperation.PULL_AUTHENTICATION_DATA: ("OperatorID",),
}


def body_operator_id(operation: CPOOperation, body: object) -> object | None:
    """The OperatorID a decoded body of ``operation`` names, as sent (any JSON value), or
    None where the operation's body names none or the body has no such member."""
    keys = _BODY_OPERATOR[operation]
    value: object = body
    for key in keys or ():
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value if keys else None


__all__ = ["CPOOperation", "body_operator_id", "cpo_to_hub_path"]
