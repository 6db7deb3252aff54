"""The portal's routes, mounted under /portal as a sub-application of the hub's app.

The sub-application has its own middlewares: error pages (outermost) and CSRF protection,
so they apply to the pages only and the JSON admin API keeps its own behaviour.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from aiohttp import web

from simulator.portal import certificate_pages, operator_pages, settings_pages, urls
from simulator.portal.csrf import csrf_protection
from simulator.portal.errors import PageError, error_pages
from simulator.portal.monitor_pages import add_monitor_pages
from simulator.portal.operator_data_pages import add_operator_data_pages
from simulator.portal.session_pages import add_session_pages

# The only files served from simulator/portal/static, with their content types.
STATIC_FILES = {"portal.css": "text/css", "portal.js": "text/javascript"}
OPERATOR = "/operators/{operator_id}"


def add_portal(app: web.Application) -> None:
    """Mount the HBS pages under /portal and send / there."""
    portal = web.Application(middlewares=[error_pages, csrf_protection()])
    _add_routes(portal)
    add_session_pages(portal)
    add_monitor_pages(portal)
    add_operator_data_pages(portal)
    app.router.add_get("/", _to_portal)
    app.router.add_get(urls.PREFIX, _to_portal)  # before the sub-app, which would 404 it
    app.add_subapp(urls.PREFIX, portal)


def _add_routes(portal: web.Application) -> None:
    add_get, add_post = portal.router.add_get, portal.router.add_post
    add_get("/", operator_pages.show_operators)
    add_get("/operators", operator_pages.show_operators)
    add_post("/operators", operator_pages.create_operator)
    add_get(OPERATOR, _to_settings)
    add_get(OPERATOR + "/settings", settings_pages.choose_service_type)
    add_get(OPERATOR + "/settings/{service_type}", settings_pages.show_settings)
    add_post(OPERATOR + "/settings/{service_type}", settings_pages.save_settings)
    add_post(OPERATOR + "/test/{service_type}", settings_pages.test_configuration)
    add_get(OPERATOR + "/certificates", certificate_pages.show_certificates)
    add_post(OPERATOR + "/certificates", certificate_pages.upload_certificate)
    add_post(OPERATOR + "/certificates/{cert_id}/delete", certificate_pages.delete_certificate)
    add_get("/static/{name}", _static)


async def _to_portal(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther(urls.operators_url())


async def _to_settings(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther(urls.settings_url(request.match_info["operator_id"]))


async def _static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in STATIC_FILES:
        raise PageError(404, "Not found", f"The portal has no file {name!r}.")
    return web.Response(
        body=_static_bytes(name),
        content_type=STATIC_FILES[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


@cache
def _static_bytes(name: str) -> bytes:
    return resources.files("simulator.portal").joinpath("static", name).read_bytes()
