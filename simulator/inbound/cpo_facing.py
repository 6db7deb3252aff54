"""The CPO-facing endpoints: what a CPO backend sends to Hubject (OICP 2.3 digest §1.3).

Every request goes through the same steps before its operation's logic runs:

1. the client certificate (NGINX's 400 pages, :mod:`simulator.inbound.gate`);
2. the OperatorID in the path and in the body must be one the certificate stands for,
   else 017 with HTTP 401 (OICP 2.3, 01_CPO_Communication_Paradigms, Security);
3. the operator must be configured at the hub, else 300 with HTTP 404;
4. the body must be valid OICP, else HTTP 400 with a FaultBody listing every problem.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from oicp.cpo_operations import CPOOperation
from oicp.limits import body_limit
from oicp.wire import JSONObject
from simulator.inbound.bodies import EvseDataRows, checked_message
from simulator.inbound.gate import check_identity
from simulator.inbound.replies import (
    acknowledgement,
    oicp_json,
    partner_not_found,
    read_body,
)
from simulator.inbound.service import Inbound

Route = Callable[[web.Request], Awaitable[web.StreamResponse]]
Perform = Callable[[Inbound, str, Any], Awaitable[web.StreamResponse]]


def cpo_path(operation: CPOOperation) -> str:
    """The aiohttp route of ``operation``: its OICP path with ``{operator_id}``."""
    return operation.path_template.format(id="{operator_id}")


def add_cpo_routes(app: web.Application, inbound: Inbound) -> None:
    """Register the nine CPO-facing operations on ``app``."""
    for operation, perform in _OPERATIONS.items():
        app.router.add_post(cpo_path(operation), _handler(operation, perform, inbound))


def _handler(operation: CPOOperation, perform: Perform, inbound: Inbound) -> Route:
    async def handle(request: web.Request) -> web.StreamResponse:
        path_id, message = await _read_message(request, operation, inbound)
        operator_id = path_id or message.operator_id
        if await inbound.hub.storage.get_operator(operator_id) is None:
            raise partner_not_found(
                f"OperatorID {operator_id} is not a partner of the hub; create the operator "
                "first (POST /api/operators or the config file)"
            )
        return await perform(inbound, operator_id, message)

    return handle


async def _read_message(
    request: web.Request, operation: CPOOperation, inbound: Inbound
) -> tuple[str | None, Any]:
    """The path's OperatorID and the parsed message, checked in this order: JSON, the 017
    checks, the schema (large bodies are decoded by a worker process, ``bodies``)."""
    raw = await read_body(request, body_limit(operation))
    prepared = await inbound.bodies.prepare(operation, raw)
    path_id = request.match_info.get("operator_id")

    def check_operator_ids(body_ids: tuple[object, ...]) -> None:
        """The path's and the body's OperatorID against the certificate (017)."""
        if path_id is not None:
            check_identity(request, path_id, "the OperatorID in the path")
        for body_id in body_ids:
            check_identity(request, body_id, "the OperatorID in the body")

    return path_id, checked_message(prepared, check_operator_ids)


def _json(body: JSONObject) -> web.Response:
    return oicp_json(body)


async def _authorize_start(inbound: Inbound, operator_id: str, message: Any) -> web.Response:
    answer = await inbound.authorization.start(message)
    return _json(answer.to_wire(explicit_nulls=True))


async def _authorize_stop(inbound: Inbound, operator_id: str, message: Any) -> web.Response:
    answer = await inbound.authorization.stop(message)
    return _json(answer.to_wire(explicit_nulls=True))


async def _evse_data(inbound: Inbound, operator_id: str, message: Any) -> web.Response:
    push: EvseDataRows = message
    return acknowledgement(await inbound.evse.push_data(operator_id, push.action_type, push.rows))


async def _evse_status(inbound: Inbound, operator_id: str, message: Any) -> web.Response:
    return acknowledgement(await inbound.evse.push_status(operator_id, message))


async def _notification(inbound: Inbound, operator_id: str, message: Any) -> web.Response:
    return acknowledgement(await inbound.charging.notification(operator_id, message))


async def _cdr(inbound: Inbound, operator_id: str, message: Any) -> web.Response:
    return acknowledgement(await inbound.charging.cdr(operator_id, message))


async def _pricing_products(inbound: Inbound, operator_id: str, message: Any) -> web.Response:
    return acknowledgement(await inbound.evse.push_pricing_products(operator_id, message))


async def _evse_pricing(inbound: Inbound, operator_id: str, message: Any) -> web.Response:
    return acknowledgement(await inbound.evse.push_evse_pricing(operator_id, message))


async def _pull(inbound: Inbound, operator_id: str, message: Any) -> web.Response:
    data = await inbound.pull.pull(operator_id)
    return _json(data.to_wire(explicit_nulls=True))


_OPERATIONS: dict[CPOOperation, Perform] = {
    CPOOperation.AUTHORIZE_START: _authorize_start,
    CPOOperation.AUTHORIZE_STOP: _authorize_stop,
    CPOOperation.PUSH_EVSE_DATA: _evse_data,
    CPOOperation.PUSH_EVSE_STATUS: _evse_status,
    CPOOperation.CHARGING_NOTIFICATION: _notification,
    CPOOperation.CHARGE_DETAIL_RECORD: _cdr,
    CPOOperation.PUSH_PRICING_PRODUCT_DATA: _pricing_products,
    CPOOperation.PUSH_EVSE_PRICING: _evse_pricing,
    CPOOperation.PULL_AUTHENTICATION_DATA: _pull,
}
