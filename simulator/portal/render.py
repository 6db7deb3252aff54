"""Rendering the portal's pages: one Jinja2 environment, package templates, no CDN.

Every page goes through :func:`render_page`, which adds what the layout needs (the CSRF token
for forms, the operators for the picker) and the headers that keep the pages self-contained.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from simulator.admin_api import HUB_KEY
from simulator.model import ServerCertification, ServiceType
from simulator.portal import urls

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CSRF_FIELD = "csrf_token"
CSRF_TOKEN_KEY = web.RequestKey("portal_csrf_token", str)

# The pages load only their own CSS and JS; forms post only to the hub itself.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@cache
def environment() -> Environment:
    """The portal's Jinja2 environment (templates are package data of simulator.portal)."""
    env = Environment(
        loader=PackageLoader("simulator.portal", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = format_when
    env.filters["when_ms"] = format_when_ms
    env.filters["duration"] = format_duration
    env.filters["pretty_json"] = pretty_json
    env.filters["pretty_body"] = pretty_body
    env.filters["yes_no"] = yes_no
    env.filters["certification_label"] = certification_label
    env.globals.update(
        urls=urls,
        service_types=list(ServiceType),
        csrf_field=CSRF_FIELD,
    )
    return env


def render_html(template: str, **context: Any) -> str:
    """Render one template to text (no request needed: used for the token page too)."""
    context.setdefault("operators", [])
    context.setdefault("operator", None)
    context.setdefault("csrf_token", "")
    context.setdefault("active_tab", "")
    return environment().get_template(template).render(**context)


def html_response(text: str, *, status: int = 200) -> web.Response:
    return web.Response(
        text=text, status=status, content_type="text/html", headers=SECURITY_HEADERS
    )


async def render_page(
    request: web.Request, template: str, *, status: int = 200, **context: Any
) -> web.Response:
    """Render a page of the portal with the layout's context filled in."""
    hub = request.config_dict[HUB_KEY]
    context.setdefault("operators", await hub.storage.list_operators())
    context["csrf_token"] = request.get(CSRF_TOKEN_KEY, "")
    return html_response(render_html(template, **context), status=status)


# --- filters --------------------------------------------------------------------------------


def format_when(moment: datetime | None) -> str:
    """``2025-03-01 14:05:09 UTC``: the portal shows every time in UTC."""
    if moment is None:
        return "-"
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def format_when_ms(moment: datetime | None) -> str:
    """``2025-03-01 14:05:09.123 UTC``: the timeline and the Process Monitor show milliseconds."""
    if moment is None:
        return "-"
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d} UTC"


def format_duration(milliseconds: float | None) -> str:
    """``12.3 ms`` or ``2.041 s``."""
    if milliseconds is None:
        return "-"
    if milliseconds < 1000:
        return f"{milliseconds:.1f} ms"
    return f"{milliseconds / 1000:.3f} s"


def pretty_json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def pretty_body(body: str | None) -> str:
    """A response body, re-indented when it is JSON and shown as received otherwise."""
    if body is None:
        return "(no response body)"
    try:
        return pretty_json(json.loads(body))
    except ValueError:
        return body


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def certification_label(slug: str) -> str:
    """``user`` -> ``User certificate``; anything unknown is shown as it was typed."""
    try:
        return ServerCertification.from_text(slug).value
    except ValueError:
        return slug
