"""Assemble and run the hub: storage, hub service, admin API and portal on one aiohttp app."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from OpenSSL import SSL

from httpguard import ConnectionLimits, GuardedTCPSite, PortGuard, authority, listen_problem
from mockpki.errors import PKIError
from simulator.admin_api import HUB_KEY, add_admin_routes
from simulator.admin_guard import (
    ADMIN_COOKIE,
    allowed_hosts,
    host_allowlist,
    token_guard,
    token_problem,
)
from simulator.hub import Hub, HubIdentity
from simulator.inbound.admin import INBOUND_KEY, add_inbound_admin_routes
from simulator.inbound.server import InboundServer, server_tls_from_pki_dir
from simulator.inbound.service import Inbound
from simulator.portal import add_portal
from simulator.sender import DEFAULT_CONNECTION_LIMIT, DEFAULT_MAX_ANSWER_BYTES
from simulator.storage import Storage, StorageError

__all__ = [
    "ADMIN_COOKIE",
    "HubOptions",
    "HubStartError",
    "RunningHub",
    "build_app",
    "running_hub",
    "start_problems",
]


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
    allowed_hosts: tuple[str, ...] = ()  # Host names the admin port answers beyond loopback
    limits: ConnectionLimits = field(default_factory=ConnectionLimits)  # every port's
    connection_limit: int = DEFAULT_CONNECTION_LIMIT  # requests in flight to CPOs at once
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES  # the largest CPO answer read


def requires_token(host: str) -> bool:
    """The admin API may go without a token only on a loopback address."""
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def build_app(
    hub: Hub,
    *,
    admin_token: str | None = None,
    inbound: Inbound | None = None,
    hosts: frozenset[str] | None = None,
    port_guard: PortGuard | None = None,
) -> web.Application:
    """The hub's web application: the JSON admin API under /api and the portal under /portal.

    ``hosts``: the Host names it answers (default: the loopback names); ``port_guard``: the
    connection limits of the port that serves it (:class:`httpguard.GuardedTCPSite`).
    """
    guards = [] if port_guard is None else [port_guard.middleware]
    guards.append(host_allowlist(hosts or allowed_hosts("127.0.0.1")))
    if admin_token:
        guards.append(token_guard(admin_token))
    app = web.Application(middlewares=guards)
    app[HUB_KEY] = hub
    app[INBOUND_KEY] = inbound or Inbound(hub)
    add_admin_routes(app)
    add_inbound_admin_routes(app)
    add_portal(app)
    return app


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


def start_problems(options: HubOptions) -> list[str]:
    """Why the hub cannot start with ``options`` (every reason at once), before it opens
    anything."""
    problems = []
    if requires_token(options.host) and not options.admin_token:
        problems.append(
            f"the admin API and portal would listen on {options.host}, which is not loopback; "
            "set an admin token (--admin-token or HUBSIM_ADMIN_TOKEN) or listen on 127.0.0.1"
        )
    if options.oicp_port is not None and options.oicp_port == options.port != 0:
        problems.append(
            f"--oicp-port {options.oicp_port} is the port of --port too: the admin API and "
            "the OICP listener need a port each"
        )
    problem = token_problem(options.admin_token) if options.admin_token is not None else None
    if problem is not None:
        problems.append(f"{problem} (--admin-token or HUBSIM_ADMIN_TOKEN)")
    return problems


@asynccontextmanager
async def running_hub(
    options: HubOptions, prepare: Prepare | None = None
) -> AsyncIterator[RunningHub]:
    """Open storage, start the admin API on the configured address, and clean up on exit.

    ``prepare`` runs before any socket listens, so whoever reaches the hub (its health
    route, ``hubsim wait``) finds it configured.
    """
    problems = start_problems(options)
    if problems:
        raise HubStartError("\n".join(problems))
    identity = HubIdentity.from_pki_dir(options.pki_dir)
    try:
        storage = await Storage.open(options.database, max_exchanges=options.max_exchanges)
    except StorageError as exc:  # a folder that does not exist, a file that is no database
        raise HubStartError(f"--db: {exc}") from None
    hub = Hub(
        storage,
        identity,
        connection_limit=options.connection_limit,
        max_answer_bytes=options.max_answer_bytes,
    )
    inbound = Inbound(hub, pki_dir=options.pki_dir)
    hosts = allowed_hosts(options.host, options.allowed_hosts)
    guard = PortGuard(options.limits, "the hub's admin port")
    app = build_app(
        hub, admin_token=options.admin_token, inbound=inbound, hosts=hosts, port_guard=guard
    )
    # Bodies are read as they came, never decompressed (see oicp.transfer).
    runner = web.AppRunner(
        app,
        access_log=None,
        auto_decompress=False,
        keepalive_timeout=options.limits.keepalive_timeout_s,
    )
    await runner.setup()
    oicp = None
    try:
        if prepare is not None:
            await prepare(hub, inbound)
        site = GuardedTCPSite(runner, options.host, options.port, guard)
        await _listen(("--port", "--host"), options.host, options.port, site.start())
        port = runner.addresses[0][1]
        oicp = await _start_oicp(inbound, options)
        url = f"http://{authority(options.host, port)}"
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
    server = InboundServer(
        inbound, tls, host=options.oicp_host, port=options.oicp_port, limits=options.limits
    )
    await _listen(
        ("--oicp-port", "--oicp-host"), options.oicp_host, options.oicp_port, server.start()
    )

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


async def _listen(
    options: tuple[str, str], host: str, port: int, starting: Awaitable[None]
) -> None:
    """Start listening; a port in use or a host not ours names the option to change."""
    try:
        await starting
    except OSError as exc:
        raise HubStartError(listen_problem(*options, host, port, exc)) from None


async def serve_forever() -> None:
    await asyncio.Event().wait()
