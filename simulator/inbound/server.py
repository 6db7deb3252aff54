"""The hub's OICP listener: the inbound application behind the TLS front.

    server = InboundServer(inbound, ServerTLS.from_pki_dir(pki_dir), port=0)
    await server.start()     # inbound.oicp_url is now e.g. https://localhost:40123
    ...
    await server.stop()

It serves the EMP-facing and the CPO-facing OICP paths on one HTTPS port, like
``service-qa.hubject.com``. The admin API and the portal stay on their own plain-HTTP port.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from httpguard import ConnectionLimits, PortGuard, authority
from mockpki.files import PKIFiles
from oicp.cpo_operations import CPOOperation
from oicp.limits import FULL_LOAD_MAX_BODY_BYTES
from oicp.operations import Operation
from simulator.exchange import ExchangeDirection
from simulator.inbound.cpo_facing import add_cpo_routes, cpo_path
from simulator.inbound.emp_facing import add_emp_routes, emp_path
from simulator.inbound.gate import certificate_gate
from simulator.inbound.monitor import Route, exchange_recorder, set_routes
from simulator.inbound.replies import oicp_errors, replies
from simulator.inbound.service import Inbound
from simulator.inbound.tls_front import ServerTLS, TLSFrontSite
from simulator.requests import service_type_of

STOP_GRACE_S = 2.0


def server_tls_from_pki_dir(pki_dir: Path) -> ServerTLS:
    """The hub's server certificate (``hub-server.pem``) and the mock Hubject CA."""
    files = PKIFiles(Path(pki_dir))
    return ServerTLS(
        cert_chain=files.hub_server_cert, key=files.hub_server_key, client_ca=files.hubject_ca
    )


def build_inbound_app(inbound: Inbound, guard: PortGuard | None = None) -> web.Application:
    """The OICP application: the connection guard of the port (first: it learns when a
    request's header is complete), the Process Monitor's recorder (so that it also sees the
    front door's refusals and aiohttp's own, answered in OICP JSON below it), the
    certificate gate, then the EMP- and CPO-facing routes."""
    recorder = exchange_recorder(inbound.monitor)
    first = [] if guard is None else [guard.middleware]
    app = web.Application(
        middlewares=[*first, recorder, oicp_errors, certificate_gate, replies],
        client_max_size=FULL_LOAD_MAX_BODY_BYTES,  # each route reads up to its own limit
    )
    add_emp_routes(app, inbound.remote, inbound.partners, inbound.bodies)
    add_cpo_routes(app, inbound)
    set_routes(app, _monitor_routes())
    return app


def _monitor_routes() -> dict[str, Route]:
    routes = {
        emp_path(op): Route(op.value, ExchangeDirection.EMP_TO_HUB, service_type_of(op).value)
        for op in Operation
    }
    for cpo_op in CPOOperation:
        routes[cpo_path(cpo_op)] = Route(cpo_op.value, ExchangeDirection.CPO_TO_HUB)
    return routes


def _url(host: str, port: int) -> str:
    # The hub's server certificate names "localhost" and 127.0.0.1 (mockpki's loopback rule).
    # A listener on every address (a container's 0.0.0.0) is reached at localhost too, as the
    # hub's own simulated EMPs reach it.
    shown = "localhost" if host in ("127.0.0.1", "localhost", "0.0.0.0", "::", "") else host
    return f"https://{authority(shown, port)}"


class InboundServer:
    """Runs :func:`build_inbound_app` behind a :class:`TLSFrontSite`."""

    def __init__(
        self,
        inbound: Inbound,
        tls: ServerTLS,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        limits: ConnectionLimits | None = None,
    ) -> None:
        self._inbound = inbound
        self._guard = PortGuard(limits or ConnectionLimits(), "the hub's OICP port")
        self._tls = tls
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._site: TLSFrontSite | None = None

    @property
    def url(self) -> str:
        if self._site is None:
            raise RuntimeError("the OICP listener has no URL until start() has run")
        return _url(self._host, self._site.port)

    async def start(self) -> None:
        self._runner = web.AppRunner(
            build_inbound_app(self._inbound, self._guard),
            access_log=None,
            shutdown_timeout=STOP_GRACE_S,
            auto_decompress=False,  # bodies are read as they came (see oicp.transfer)
            keepalive_timeout=self._guard.limits.keepalive_timeout_s,
        )
        await self._runner.setup()
        server = self._runner.server
        assert server is not None  # set by setup()
        self._site = TLSFrontSite(server, self._host, self._port, self._tls, self._guard)
        await self._site.start()
        self._inbound.oicp_url = self.url

    def reload_tls(self, tls: ServerTLS) -> None:
        """New connections get ``tls``; established ones keep the certificate they got."""
        self._tls = tls
        if self._site is not None:
            self._site.reload(tls)

    async def stop(self) -> None:
        site, runner = self._site, self._runner
        self._site = self._runner = None
        self._inbound.oicp_url = None
        if site is not None:
            await site.stop()
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> InboundServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
