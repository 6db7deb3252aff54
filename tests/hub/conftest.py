"""Fixtures for the hub's tests: one mock PKI per session, and small real HTTPS endpoints."""

from __future__ import annotations

import json
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from mockpki import MockHubjectPKI, PKIFiles
from mockpki.ca import LeafCertificate
from simulator.hub import HubIdentity

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture(scope="session")
def pki() -> MockHubjectPKI:
    return MockHubjectPKI.create(host="localhost")


@pytest.fixture(scope="session")
def pki_files(pki: MockHubjectPKI, tmp_path_factory: pytest.TempPathFactory) -> PKIFiles:
    return pki.write(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def identity(pki_files: PKIFiles) -> HubIdentity:
    return HubIdentity.from_pki_dir(pki_files.directory)


def ack(result: bool = True, code: str = "000", session_id: str | None = None) -> dict[str, object]:
    return {
        "Result": result,
        "StatusCode": {"Code": code, "Description": None, "AdditionalInfo": None},
        "SessionID": session_id,
        "CPOPartnerSessionID": "cpo-1" if result else None,
        "EMPPartnerSessionID": None,
    }


async def echo_ack(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response(ack(session_id=body.get("SessionID")))


@dataclass
class Endpoint:
    """A running HTTPS (or plain HTTP) endpoint and what it saw."""

    url: str
    paths: list[str] = field(default_factory=list)
    peers: list[tuple[str, int]] = field(default_factory=list)


@asynccontextmanager
async def endpoint(
    tmp_path: Path,
    leaf: LeafCertificate | None,
    handler: Handler = echo_ack,
    *,
    client_ca: bytes | None = None,
    maximum_version: ssl.TLSVersion | None = None,
) -> AsyncIterator[Endpoint]:
    """Serve ``handler`` on 127.0.0.1 with ``leaf`` (None: plain HTTP); URL uses 'localhost'."""
    seen = Endpoint(url="")

    async def recording(request: web.Request) -> web.StreamResponse:
        seen.paths.append(request.raw_path)
        seen.peers.append(request.transport.get_extra_info("peername")[:2])  # type: ignore[union-attr]
        return await handler(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recording)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    ctx = _server_context(tmp_path, leaf, client_ca, maximum_version) if leaf else None
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ctx)
    await site.start()
    port = runner.addresses[0][1]
    seen.url = f"{'https' if leaf else 'http'}://localhost:{port}"
    try:
        yield seen
    finally:
        await runner.cleanup()


def _server_context(
    tmp_path: Path,
    leaf: LeafCertificate,
    client_ca: bytes | None,
    maximum_version: ssl.TLSVersion | None,
) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    if maximum_version is not None:
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        ctx.maximum_version = maximum_version
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # an old-TLS-only server, as some still are
    leaf.configure_cert(ctx)
    if client_ca is not None:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cadata=client_ca.decode())
    return ctx


def json_handler(body: object, status: int = 200) -> Handler:
    async def handle(request: web.Request) -> web.Response:
        return web.Response(text=json.dumps(body), status=status, content_type="application/json")

    return handle
