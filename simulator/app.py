"""Assemble and run the hub: storage, hub service, admin API and portal on one aiohttp app."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Middleware
from OpenSSL import SSL

from mockpki.errors import PKIError
from simulator.admin_api import HUB_KEY, add_admin_routes
from simulator.hub import Hub, HubIdentity
from simulator.inbound.admin import INBOUND_KEY, add_inbound_admin_routes
from simulator.inbound.server import InboundServer, server_tls_from_pki_dir
from simulator.inbound.service import Inbound
from simulator.portal import add_portal
from simulator.portal.auth import token_required_response
from simulator.storage import Storage

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class HubStartError(Exception):
    """The hub cannot start as configured; the message says what to change."""


@dataclass(frozen=True)
class HubOptions:
    """How to run the hub."""

    pki_dir: Path
    database: str = ":memory:"
    host: str = "127.0.0.1"
    port: int = 0
    admin_token: str | None = None
    max_exchanges: int = 10000
    oicp_port: int | None = None  # the OICP listener (mTLS); None: do not listen
    oicp_host: str = "127.0.0.1"


def requires_token(host: str) -> bool:
    """The admin API may go without a token only on a loopback address."""
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def build_app(
    hub: Hub, *, admin_token: str | None = None, inbound: Inbound | None = None
) -> web.Application:
    """The hub's web application: the JSON admin API under /api and the portal under /portal."""
    app = web.Application(middlewares=[_token_guard(admin_token)] if admin_token else [])
    app[HUB_KEY] = hub
    app[INBOUND_KEY] = inbound or Inbound(hub)
    add_admin_routes(app)
    add_inbound_admin_routes(app)
    add_portal(app)
    return app


ADMIN_COOKIE = "hubsim_admin"
PUBLIC_PREFIX = "/portal/static/"
HEALTH_PATH = "/api/health"
"""Answers without the token: a healthcheck (compose, ``hubsim wait``) holds no secret."""


def _token_guard(token: str) -> Middleware:
    """Require the admin token: the API as a Bearer header, the portal also from a browser.

    A browser cannot send a header, so the portal accepts the token once as ``?token=`` and
    then keeps a session cookie (HttpOnly, SameSite=Strict) that proves it; the cookie holds
    a digest of the token, never the token itself.
    """
    session = hmac.new(token.encode(), b"hubsim portal session", hashlib.sha256).hexdigest()

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if _bearer_matches(request, token):
            return await handler(request)
        if request.path.startswith(PUBLIC_PREFIX) or request.path == HEALTH_PATH:
            return await handler(request)  # the portal's CSS and JS: they style the 401 page
        if request.path.startswith("/api"):
            return web.json_response(
                {"error": "admin token missing or wrong: send 'Authorization: Bearer <token>'"},
                status=401,
            )
        if _same(request.cookies.get(ADMIN_COOKIE, ""), session):
            return await handler(request)
        if _same(request.query.get("token", ""), token):
            return _remember_browser(request, session)
        return token_required_response(str(request.url.origin()))

    return guard


def _bearer_matches(request: web.Request, token: str) -> bool:
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return _same(given, token)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _remember_browser(request: web.Request, session: str) -> web.Response:
    """Set the session cookie and reload the page without the token in its address."""
    query = {name: value for name, value in request.query.items() if name != "token"}
    response = web.Response(
        status=303, headers={"Location": str(request.rel_url.with_query(query))}
    )
    response.set_cookie(ADMIN_COOKIE, session, path="/", httponly=True, samesite="Strict")
    return response


@dataclass
class RunningHub:
    """A started hub: its service object and the URL of its admin API."""

    hub: Hub
    url: str
    oicp_url: str | None = None  # the OICP listener, when options.oicp_port was set
    inbound: Inbound | None = None

    @property
    def portal_url(self) -> str:
        """The address of the HBS portal's landing page."""
        return f"{self.url}/portal/"


Prepare = Callable[[Hub, Inbound], Awaitable[None]]
"""Work to finish before the hub listens, e.g. applying its config file."""


@asynccontextmanager
async def running_hub(
    options: HubOptions, prepare: Prepare | None = None
) -> AsyncIterator[RunningHub]:
    """Open storage, start the admin API on the configured address, and clean up on exit.

    ``prepare`` runs before any socket listens, so whoever reaches the hub (its health
    route, ``hubsim wait``) finds it configured.
    """
    if requires_token(options.host) and not options.admin_token:
        raise HubStartError(
            f"the admin API and portal would listen on {options.host}, which is not loopback; "
            "set an admin token (--admin-token or HUBSIM_ADMIN_TOKEN) or listen on 127.0.0.1"
        )
    if options.oicp_port is not None and options.oicp_port == options.port != 0:
        raise HubStartError(
            f"--oicp-port {options.oicp_port} is the port of --port too: the admin API and "
            "the OICP listener need a port each"
        )
    identity = HubIdentity.from_pki_dir(options.pki_dir)
    storage = await Storage.open(options.database, max_exchanges=options.max_exchanges)
    hub = Hub(storage, identity)
    inbound = Inbound(hub, pki_dir=options.pki_dir)
    app = build_app(hub, admin_token=options.admin_token, inbound=inbound)
    # Bodies are read as they came, never decompressed (see oicp.transfer).
    runner = web.AppRunner(app, access_log=None, auto_decompress=False)
    await runner.setup()
    oicp = None
    try:
        if prepare is not None:
            await prepare(hub, inbound)
        site = web.TCPSite(runner, options.host, options.port)
        await _listen("--port", options.host, options.port, site.start())
        port = runner.addresses[0][1]
        oicp = await _start_oicp(inbound, options)
        url = f"http://{_url_host(options.host)}:{port}"
        yield RunningHub(hub=hub, url=url, oicp_url=inbound.oicp_url, inbound=inbound)
    finally:
        if oicp is not None:
            await oicp.stop()
        await runner.cleanup()
        await inbound.close()
        await hub.close()


async def _start_oicp(inbound: Inbound, options: HubOptions) -> InboundServer | None:
    """Start the OICP listener (mutual TLS, the hub's server certificate) if asked for."""
    if options.oicp_port is None:
        return None
    tls = server_tls_from_pki_dir(options.pki_dir)
    server = InboundServer(inbound, tls, host=options.oicp_host, port=options.oicp_port)
    await _listen("--oicp-port", options.oicp_host, options.oicp_port, server.start())

    async def reload(identity: HubIdentity) -> None:
        try:
            server.reload_tls(server_tls_from_pki_dir(identity.pki_dir))
        except SSL.Error as exc:
            raise PKIError(
                f"hub-server.pem and hub-server.key in {identity.pki_dir} do not load ({exc}); "
                f"renew them with: hubsim pki renew hub-server --dir {identity.pki_dir}"
            ) from exc

    inbound.hub.reload_listeners.append(reload)
    return server


async def _listen(option: str, host: str, port: int, starting: Awaitable[None]) -> None:
    """Start listening; a port in use or an address not ours names the option to change."""
    try:
        await starting
    except OSError as exc:
        reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
        raise HubStartError(
            f"{option} {port}: cannot listen on {_url_host(host)}:{port} ({reason}); stop what "
            f"listens there or give {option} another port"
        ) from None


async def serve_forever() -> None:
    await asyncio.Event().wait()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
