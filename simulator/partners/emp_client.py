"""A simulated EMP that calls the hub's EMP-facing endpoints over real mutual TLS.

It makes an EMP send a remote start/stop or reservation "through the hub", as a real EMP
backend would: with a client certificate the mock Hubject CA issued for its ProviderID
(CN = OU = ProviderID, the mock convention), to the hub's OICP URL, verifying the hub's
server certificate against the mock Hubject CA.
"""

from __future__ import annotations

import asyncio
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from yarl import URL

from httpguard import exact_timeout
from mockpki import MockHubjectPKI, PKIFiles
from mockpki.ca import LeafCertificate
from oicp import jsontext
from oicp.messages import RemoteRequest
from oicp.paths import hub_to_cpo_path, join_service_url
from simulator.exchange import EXCHANGE_HEADER

TIMEOUT_S = 70.0
"""Longer than the hub's own 60 s limit for a CPO, so the hub's 310 arrives first."""


@dataclass(frozen=True)
class EMPCall:
    """What the hub answered a simulated EMP."""

    url: str
    request_body: dict[str, object]
    http_status: int
    response_text: str
    response_body: object  # parsed JSON, None when the answer was not JSON
    exchange_id: int | None = None  # the hub's call to the CPO that the answer reports

    def to_json(self) -> dict[str, object]:
        return {
            "exchange_id": self.exchange_id,
            "url": self.url,
            "request_body": self.request_body,
            "http_status": self.http_status,
            "response_body": self.response_body,
            "response_text": None if self.response_body is not None else self.response_text,
        }


class EMPClient:
    """Sends EMP requests to the hub; one client certificate per ProviderID, made on demand."""

    def __init__(self, pki_dir: Path) -> None:
        self._files = PKIFiles(Path(pki_dir))
        self._pki: MockHubjectPKI | None = None
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, hub_url: str, request: RemoteRequest) -> EMPCall:
        """Post ``request`` as EMP ``request.provider_id`` to the hub at ``hub_url``."""
        context = await self._context(request.provider_id)
        url = join_service_url(hub_url, hub_to_cpo_path(request.operation, request.provider_id))
        body = request.to_wire()
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        timeout = exact_timeout(TIMEOUT_S)
        async with self._session.post(
            URL(url, encoded=True), json=body, ssl=context, timeout=timeout, allow_redirects=False
        ) as response:
            text = await response.text()
            forwarded = response.headers.get(EXCHANGE_HEADER, "")
        exchange_id = int(forwarded) if forwarded.isascii() and forwarded.isdigit() else None
        return EMPCall(url, body, response.status, text, _json_or_none(text), exchange_id)

    async def _context(self, provider_id: str) -> ssl.SSLContext:
        async with self._lock:
            context = self._contexts.get(provider_id)
            if context is None:
                # Issuing makes an RSA key: keep it off the event loop.
                leaf = await asyncio.to_thread(self._issue, provider_id)
                context = _client_context(leaf, self._files.hubject_ca)
                self._contexts[provider_id] = context
            return context

    def _issue(self, provider_id: str) -> LeafCertificate:
        if self._pki is None:
            self._pki = MockHubjectPKI.load(self._files.directory)
        return self._pki.issue_client_cert(provider_id, organizational_unit=provider_id)


def _client_context(leaf: LeafCertificate, hubject_ca: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(hubject_ca))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    with tempfile.TemporaryDirectory(prefix="hubsim-emp-") as scratch:
        cert, key = Path(scratch) / "cert.pem", Path(scratch) / "key.pem"
        leaf.write(cert, key)
        context.load_cert_chain(cert, key)
    return context


def _json_or_none(text: str) -> object:
    try:
        return jsontext.loads(text)
    except ValueError:
        return None
