"""The landing page (every operator, and a form to create one) and the exchange log.

The exchange log is the mock's Process Monitor: every request the hub sent to a CPO with its
response, timing, TLS facts and diagnosis, filterable by operator, service type and outcome.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from simulator.admin_api import HUB_KEY, operator_from_json
from simulator.exchange import Outcome
from simulator.hub import Hub, HubError
from simulator.model import FieldIssue, Operator, ReservationPathStyle, ServiceType
from simulator.portal import urls
from simulator.portal.render import render_page
from simulator.portal.views import Issues

OPERATOR_FIELDS = ("operator_id", "name", "reservation_path_style", "timeout_s")
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class OperatorSummary:
    """One line of the landing page: the operator and its service types at a glance."""

    operator: Operator
    services: tuple[tuple[ServiceType, str], ...]  # (service type, "Online · URL" / "Offline")
    certificate_count: int


async def show_operators(request: web.Request) -> web.Response:
    """GET: the operators; with ?operator_id= (the picker) go to that operator's settings."""
    chosen = request.query.get("operator_id", "")
    if chosen:
        operator = await _hub(request).operator(chosen)
        raise web.HTTPSeeOther(urls.settings_url(operator.operator_id))
    return await _operators_page(request)


async def create_operator(request: web.Request) -> web.Response:
    """POST: create an operator, or show the form again with each refusal next to its field."""
    form = {name: str(value) for name, value in (await request.post()).items()}
    hub = _hub(request)
    try:
        operator = await _create(hub, form)
    except HubError as err:
        issues = Issues.of(err.issues, [], OPERATOR_FIELDS)
        return await _operators_page(request, form=form, issues=issues, status=422)
    raise web.HTTPSeeOther(urls.settings_url(operator.operator_id))


async def _create(hub: Hub, form: Mapping[str, str]) -> Operator:
    operator_id = form.get("operator_id", "").strip()
    if await hub.storage.get_operator(operator_id) is not None:
        message = f"{operator_id} exists already: open it from the list of operators"
        raise HubError([FieldIssue("operator_id", operator_id, message)], status=409)
    timeout: object = form.get("timeout_s", "").strip() or 10.0
    with contextlib.suppress(ValueError):  # if not, operator_from_json says what is wrong
        timeout = float(str(timeout))
    data = {
        "operator_id": operator_id,
        "name": form.get("name", "").strip(),
        "reservation_path_style": form.get("reservation_path_style", "hubject"),
        "timeout_s": timeout,
    }
    return await hub.put_operator(operator_from_json(data))


async def _operators_page(
    request: web.Request,
    *,
    form: Mapping[str, str] | None = None,
    issues: Issues | None = None,
    status: int = 200,
) -> web.Response:
    hub = _hub(request)
    operators = await hub.storage.list_operators()
    return await render_page(
        request,
        "operators.html",
        status=status,
        title="Operators",
        operators=operators,
        active_tab="operators",
        summaries=[await _summary(hub, op) for op in operators],
        form=form or {"reservation_path_style": "hubject", "timeout_s": "10"},
        issues=issues or Issues.of([], [], OPERATOR_FIELDS),
        path_styles=list(ReservationPathStyle),
    )


async def _summary(hub: Hub, operator: Operator) -> OperatorSummary:
    current = await hub.storage.all_current_settings(operator.operator_id)
    certificates = await hub.storage.list_certificates(operator.operator_id)
    services = []
    for service_type in ServiceType:
        revision = current.get(service_type)
        settings = revision.settings if revision else None
        if settings is None or not settings.online_request:
            services.append((service_type, "Offline"))
        else:
            services.append((service_type, f"Online · {settings.service_url or 'no URL'}"))
    return OperatorSummary(operator, tuple(services), len(certificates))


# --- exchange log -----------------------------------------------------------------------------


async def show_exchanges(request: web.Request) -> web.Response:
    """GET: the exchange log, newest first, filtered by the query's fields."""
    hub = _hub(request)
    query = request.query
    filters = {name: query.get(name) or None for name in ("operator_id", "service_type", "outcome")}
    limit, problem = _limit(query.get("limit", ""))
    await hub.storage.flush()
    exchanges = []
    if problem is None:
        try:
            exchanges = await hub.storage.list_exchanges(
                operator_id=filters["operator_id"],
                service_type=filters["service_type"],
                outcome=filters["outcome"],
                limit=limit,
            )
        except ValueError as exc:
            problem = str(exc)
    operator = await hub.storage.get_operator(filters["operator_id"] or "")
    return await render_page(
        request,
        "exchanges.html",
        status=400 if problem else 200,
        title="Exchange log",
        operator=operator,
        active_tab="exchanges",
        exchanges=exchanges,
        filters=filters,
        limit=limit,
        problem=problem,
        outcomes=[outcome.value for outcome in Outcome],
    )


def _limit(text: str) -> tuple[int, str | None]:
    if not text:
        return DEFAULT_LIMIT, None
    if text.isdigit() and 1 <= int(text) <= MAX_LIMIT:
        return int(text), None
    return DEFAULT_LIMIT, f"Show {text!r} entries: give a whole number from 1 to {MAX_LIMIT}"


def _hub(request: web.Request) -> Hub:
    return request.config_dict[HUB_KEY]
