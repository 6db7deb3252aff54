"""Fixtures for the check's tests: a mock PKI, real HTTPS endpoints, and a background loop.

The CLI tests call ``hubsim.cli.main``, which runs its own event loop; the endpoints they
check therefore run on a second loop in a background thread (:class:`Background`).
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp import web

from mockpki import MockHubjectPKI, PKIFiles
from mockpki.ca import LeafCertificate
from simulator.check import CheckOptions, CheckReport, check_one_shot
from simulator.model import ServiceType
from simulator.oneshot import ServerCertChoice

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
T = TypeVar("T")


@pytest.fixture(scope="session")
def pki() -> MockHubjectPKI:
    return MockHubjectPKI.create(host="localhost", operator_id="DE*ABC")


@pytest.fixture(scope="session")
def pki_files(pki: MockHubjectPKI, tmp_path_factory: pytest.TempPathFactory) -> PKIFiles:
    return pki.write(tmp_path_factory.mktemp("pki"))


def ack(
    result: bool = True,
    code: str = "000",
    session_id: str | None = None,
    **extra: object,
) -> dict[str, object]:
    """An eRoamingAcknowledgement body."""
    body: dict[str, object] = {
        "Result": result,
        "StatusCode": {"Code": code, "Description": None, "AdditionalInfo": None},
        "SessionID": session_id,
        "CPOPartnerSessionID": None,
        "EMPPartnerSessionID": None,
    }
    return body | extra


async def echo_ack(request: web.Request) -> web.Response:
    """A well-behaved CPO: Result true, the SessionID echoed."""
    body = await request.json()
    return web.json_response(ack(session_id=body.get("SessionID")))


def answering(build: Callable[[dict[str, Any]], dict[str, object]]) -> Handler:
    """A handler answering HTTP 200 JSON with ``build(request body)``."""

    async def handle(request: web.Request) -> web.Response:
        return web.json_response(build(await request.json()))

    return handle


def raw_handler(body: bytes, status: int = 200, content_type: str = "application/json") -> Handler:
    async def handle(request: web.Request) -> web.Response:
        return web.Response(body=body, status=status, content_type=content_type)

    return handle


@dataclass
class Endpoint:
    """A running test endpoint: its base URL and the bodies it received."""

    url: str
    bodies: list[dict[str, Any]] = field(default_factory=list)


@asynccontextmanager
async def serve(
    leaf: LeafCertificate | None,
    handler: Handler = echo_ack,
    *,
    client_ca: bytes | None = None,
    verify_mode: ssl.VerifyMode | None = None,
    maximum_version: ssl.TLSVersion | None = None,
) -> AsyncIterator[Endpoint]:
    """Serve ``handler`` on 127.0.0.1 (URL host 'localhost'); ``leaf`` None means plain HTTP.

    ``client_ca`` makes the endpoint require a client certificate from that CA (unless
    ``verify_mode`` says otherwise); without it the endpoint asks for none.
    """
    seen = Endpoint(url="")

    async def recording(request: web.Request) -> web.StreamResponse:
        if request.can_read_body:
            seen.bodies.append(json.loads(await request.read() or b"{}"))
        return await handler(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recording)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    ctx = server_context(leaf, client_ca, verify_mode, maximum_version) if leaf else None
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ctx)
    await site.start()
    port = runner.addresses[0][1]
    seen.url = f"{'https' if leaf else 'http'}://localhost:{port}"
    try:
        yield seen
    finally:
        await runner.cleanup()


def server_context(
    leaf: LeafCertificate,
    client_ca: bytes | None,
    verify_mode: ssl.VerifyMode | None,
    maximum_version: ssl.TLSVersion | None = None,
) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if maximum_version is not None:  # an old-TLS-only server, as some still are
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        ctx.maximum_version = maximum_version
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    leaf.configure_cert(ctx)
    if client_ca is not None:
        ctx.load_verify_locations(cadata=client_ca.decode())
        ctx.verify_mode = ssl.CERT_REQUIRED
    if verify_mode is not None:
        ctx.verify_mode = verify_mode
    return ctx


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def one_shot(
    url: str,
    pki_files: PKIFiles,
    *,
    server_cert: str = "hubject",
    service: ServiceType = ServiceType.AUTHORIZATION,
    timeout_s: float | None = None,
    reservation: bool = True,
    strict: bool = False,
) -> CheckReport:
    """Run a one-shot check of ``url`` with the session PKI."""
    options = CheckOptions(timeout_s=timeout_s, reservation=reservation, strict=strict)
    return await check_one_shot(
        url, ServerCertChoice.parse(server_cert), pki_files.directory, service, options
    )


def statuses(report: CheckReport) -> dict[str, str]:
    """Layer key -> status value, for compact assertions."""
    return {layer.key: layer.status.value for layer in report.layers}


class Background:
    """An event loop on a thread, for servers that a synchronous ``main()`` call talks to."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._exits: list[AbstractAsyncContextManager[Any]] = []
        self._thread.start()

    def run(self, coro: Awaitable[T]) -> T:
        """Run ``coro`` on the background loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(_wrap(coro), self.loop).result(timeout=60)

    def enter(self, manager: AbstractAsyncContextManager[T]) -> T:
        """Enter ``manager`` on the background loop; it is exited at teardown."""
        value = self.run(manager.__aenter__())
        self._exits.append(manager)
        return value

    def close(self) -> None:
        for manager in reversed(self._exits):
            self.run(manager.__aexit__(None, None, None))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


async def _wrap(coro: Awaitable[T]) -> T:
    return await coro


@pytest.fixture
def background() -> Iterator[Background]:
    bg = Background()
    try:
        yield bg
    finally:
        bg.close()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
