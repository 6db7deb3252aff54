"""The landing page: every operator, and a form to create one.

The Process Monitor lives in :mod:`simulator.portal.monitor_pages`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from simulator.admin_api import HUB_KEY
from simulator.api_bodies import operator_from_json
from simulator.hub import Hub, HubError
from simulator.model import FieldIssue, Operator, ReservationPathStyle, ServiceType, WireProfile
from simulator.portal import urls
from simulator.portal.render import render_page
from simulator.portal.views import Issues

OPERATOR_FIELDS = ("operator_id", "name", "reservation_path_style", "timeout_s", "wire_profile")


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
        "wire_profile": form.get("wire_profile", WireProfile.HBS.value),
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
        form=form
        or {"reservation_path_style": "hubject", "timeout_s": "10", "wire_profile": "hbs"},
        issues=issues or Issues.of([], [], OPERATOR_FIELDS),
        path_styles=list(ReservationPathStyle),
        wire_profiles=list(WireProfile),
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


def _hub(request: web.Request) -> Hub:
    return request.config_dict[HUB_KEY]
