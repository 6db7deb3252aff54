"""Admin API routes of the inbound side: EMPs, contracts, sub-operators, EVSE data, sessions.

Registered next to :func:`simulator.admin_api.add_admin_routes` on the admin application,
whose middleware turns every :class:`~simulator.hub.HubError` into ``{"error", "issues"}``.

- ``GET/POST /api/emps``, ``GET/DELETE /api/emps/{provider_id}``;
- ``GET/PUT /api/emps/{provider_id}/contracts``;
- ``POST /api/emps/{provider_id}/send/{operation}``: the simulated EMP sends a remote
  start/stop or reservation start/stop through the hub's OICP listener, over mutual TLS;
- ``GET/PUT /api/operators/{operator_id}/sub-operators``;
- ``GET /api/operators/{operator_id}/evse-data``: the EVSE data and statuses the CPO pushed;
- ``GET /api/operators/{operator_id}/pricing``: the pricing products and EVSE pricing it pushed;
- ``GET /api/sessions``, ``GET /api/sessions/{session_id}`` (session, timeline, CDR);
- ``GET /api/oicp``: where the OICP listener is.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from aiohttp import web

from oicp.messages import (
    AuthorizeRemoteReservationStart,
    AuthorizeRemoteStart,
    RemoteRequest,
)
from oicp.operations import Operation
from simulator.api_bodies import list_limit, read_json_object, send_from_json
from simulator.api_query import takes_query
from simulator.hub import HubError
from simulator.inbound.service import Inbound
from simulator.model import FieldIssue
from simulator.partners.emp_client import EMPCall
from simulator.partners.forms import emp_from_json, read_contracts
from simulator.partners.service import sub_operator_issues
from simulator.requests import build_request
from simulator.suggest import unknown_name

INBOUND_KEY = web.AppKey("inbound", Inbound)
_SUBS = ("sub_operator_ids",)


def add_inbound_admin_routes(app: web.Application) -> None:
    """Register the routes on an application that holds an :class:`Inbound` under INBOUND_KEY."""
    api = InboundAdminAPI()
    r = app.router
    r.add_get("/api/oicp", api.oicp)
    r.add_get("/api/emps", api.list_emps)
    r.add_post("/api/emps", api.put_emp)
    r.add_get("/api/emps/{provider_id}", api.get_emp)
    r.add_delete("/api/emps/{provider_id}", api.delete_emp)
    r.add_get("/api/emps/{provider_id}/contracts", api.get_contracts)
    r.add_put("/api/emps/{provider_id}/contracts", api.put_contracts)
    r.add_post("/api/emps/{provider_id}/send/{operation}", api.send)
    r.add_get("/api/operators/{operator_id}/sub-operators", api.get_sub_operators)
    r.add_put("/api/operators/{operator_id}/sub-operators", api.put_sub_operators)
    r.add_get("/api/operators/{operator_id}/evse-data", api.evse_data)
    r.add_get("/api/operators/{operator_id}/pricing", api.pricing)
    r.add_get("/api/sessions", api.list_sessions)
    r.add_get("/api/sessions/{session_id}", api.get_session)


def _bad(field: str, value: object, message: str, status: int = 400) -> HubError:
    return HubError([FieldIssue(field, value, message)], status=status)


class InboundAdminAPI:
    """Thin handlers over :class:`Inbound`."""

    async def oicp(self, request: web.Request) -> web.Response:
        return web.json_response({"url": request.app[INBOUND_KEY].oicp_url})

    async def list_emps(self, request: web.Request) -> web.Response:
        emps = await request.app[INBOUND_KEY].partners.emps()
        return web.json_response({"emps": [e.to_json() for e in emps]})

    async def put_emp(self, request: web.Request) -> web.Response:
        emp = emp_from_json(await read_json_object(request))
        saved = await request.app[INBOUND_KEY].partners.put_emp(emp)
        return web.json_response(saved.to_json(), status=201)

    async def get_emp(self, request: web.Request) -> web.Response:
        emp = await request.app[INBOUND_KEY].partners.emp(request.match_info["provider_id"])
        return web.json_response(emp.to_json())

    async def delete_emp(self, request: web.Request) -> web.Response:
        provider_id = request.match_info["provider_id"]
        await request.app[INBOUND_KEY].partners.delete_emp(provider_id)
        return web.json_response({"deleted": provider_id})

    async def get_contracts(self, request: web.Request) -> web.Response:
        partners = request.app[INBOUND_KEY].partners
        emp = await partners.emp(request.match_info["provider_id"])
        found = await partners.contracts(provider_id=emp.provider_id)
        return web.json_response({"contracts": [c.to_json() for c in found]})

    async def put_contracts(self, request: web.Request) -> web.Response:
        provider_id = request.match_info["provider_id"]
        partners = request.app[INBOUND_KEY].partners
        await partners.emp(provider_id)  # an unknown EMP is a 404 before any body problem
        indexed, issues = read_contracts(provider_id, await read_json_object(request))
        issues += await partners.contract_problems(indexed)
        if issues:
            raise HubError(issues)
        saved = await partners.set_contracts(provider_id, [c for _, c in indexed])
        return web.json_response({"contracts": [c.to_json() for c in saved]})

    async def send(self, request: web.Request) -> web.Response:
        inbound = request.app[INBOUND_KEY]
        provider_id = request.match_info["provider_id"]
        await inbound.partners.emp(provider_id)
        operation = _operation(request.match_info["operation"])
        data = {**await read_json_object(request), "provider_id": provider_id}
        params, _ = send_from_json(operation, data, wire_profile=False)  # the EMP's own shape
        message = build_request(operation, params)
        if isinstance(message, AuthorizeRemoteStart | AuthorizeRemoteReservationStart):
            # An EMP sends no SessionID with a start: Hubject generates it (OICP 2.3 §5).
            message = dataclasses.replace(message, session_id=None)
        call = await _send(inbound, message)
        answer = call.response_body if isinstance(call.response_body, dict) else {}
        return web.json_response({**call.to_json(), "session_id": answer.get("SessionID")})

    async def get_sub_operators(self, request: web.Request) -> web.Response:
        inbound = request.app[INBOUND_KEY]
        operator = await inbound.hub.operator(request.match_info["operator_id"])
        subs = await inbound.partners.sub_operators(operator.operator_id)
        return web.json_response({"sub_operator_ids": subs})

    async def put_sub_operators(self, request: web.Request) -> web.Response:
        inbound = request.app[INBOUND_KEY]
        operator = await inbound.hub.operator(request.match_info["operator_id"])
        data = await read_json_object(request)
        issues = [
            FieldIssue(name, data[name], unknown_name("field", name, _SUBS, "the body's fields"))
            for name in data
            if name not in _SUBS
        ]
        ids = data.get("sub_operator_ids")
        if not isinstance(ids, list):
            message = "must be a list of OperatorIDs, e.g. ['DE*SUB']"
            raise HubError([*issues, FieldIssue("sub_operator_ids", ids, message)])
        issues += sub_operator_issues(operator.operator_id, ids)
        if issues:
            raise HubError(issues)
        await inbound.partners.set_sub_operators(operator.operator_id, ids)
        return web.json_response({"sub_operator_ids": sorted(ids)})

    async def evse_data(self, request: web.Request) -> web.Response:
        inbound = request.app[INBOUND_KEY]
        operator = await inbound.hub.operator(request.match_info["operator_id"])
        evses = await inbound.hub.storage.evse.list_evses(operator.operator_id)
        return web.json_response({"evses": [e.to_json() for e in evses]})

    async def pricing(self, request: web.Request) -> web.Response:
        inbound = request.app[INBOUND_KEY]
        operator = await inbound.hub.operator(request.match_info["operator_id"])
        return web.json_response(await pricing_json(inbound, operator.operator_id))

    @takes_query("limit", "operator_id", "provider_id")
    async def list_sessions(self, request: web.Request) -> web.Response:
        q = request.query
        sessions = await request.app[INBOUND_KEY].hub.storage.sessions.list_sessions(
            limit=list_limit(q.get("limit")),
            operator_id=q.get("operator_id"),
            provider_id=q.get("provider_id"),
        )
        return web.json_response({"sessions": [s.to_json() for s in sessions]})

    async def get_session(self, request: web.Request) -> web.Response:
        return web.json_response(
            await session_json(request.app[INBOUND_KEY], request.match_info["session_id"])
        )


async def pricing_json(inbound: Inbound, operator_id: str) -> dict[str, Any]:
    """What the operator pushed with eRoamingPushPricingProductData and eRoamingPushEVSEPricing:
    the PricingProductData per ProviderID (``*`` for every EMP) and the EVSE pricing rows."""
    store = inbound.hub.storage.evse
    return {
        "operator_id": operator_id,
        "pricing_products": await store.pricing_products(operator_id),
        "evse_pricing": [
            {
                "EvseID": row.evse_id,
                "ProviderID": row.provider_id,
                "EvseIDProductList": list(row.product_ids),
            }
            for row in await store.evse_pricing(operator_id)
        ],
    }


async def session_json(inbound: Inbound, session_id: str) -> dict[str, Any]:
    """A session with its timeline and CDR; HubError 404 for an unknown SessionID."""
    store = inbound.hub.storage.sessions
    session = await store.get(session_id)
    if session is None:
        raise _bad("session_id", session_id, "no session with this SessionID", status=404)
    cdr = await store.get_cdr(session_id)
    return {
        "session": session.to_json(),
        "timeline": [e.to_json() for e in await store.timeline(session_id)],
        "cdr": None if cdr is None else cdr.record,
    }


async def _send(inbound: Inbound, message: RemoteRequest) -> EMPCall:
    if inbound.emp_client is None:
        raise _bad("pki_dir", None, "the hub has no PKI folder, so its EMPs have no certificates")
    if inbound.oicp_url is None:
        raise _bad(
            "oicp_port",
            None,
            "the hub's OICP listener is not running: start the hub with --oicp-port PORT",
            status=409,
        )
    return await inbound.emp_client.send(inbound.oicp_url, message)


def _operation(text: str) -> Operation:
    try:
        return Operation.from_slug(text)
    except ValueError as exc:
        raise _bad("operation", text, str(exc), status=404) from None
