"""Helpers for the stub CPO's tests: request bodies and a hub-like HTTPS client.

The client behaves like Hubject's HBS: it presents the hub's client certificate, trusts
``hubject-ca.pem`` and posts OICP bodies to the stub's URL plus the OICP path.
"""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from cpo_stub import CPOStub
from mockpki import PKIFiles
from oicp.identifiers import new_session_id
from oicp.operations import Operation
from oicp.paths import hub_to_cpo_path

PROVIDER_ID = "DE*ICE"
EVCO_ID = "DE-ICE-C12345678-X"
EVSE = "DE*ABC*E1"
OTHER_EVSE = "DE*ABC*E2"


def client_context(pki_files: PKIFiles, *, with_client_cert: bool = True) -> ssl.SSLContext:
    """What the hub uses towards a CPO: trust hubject-ca.pem, present the hub's certificate."""
    context = ssl.create_default_context(cafile=str(pki_files.hubject_ca))
    if with_client_cert:
        context.load_cert_chain(pki_files.hub_client_cert, pki_files.hub_client_key)
    return context


def start_body(evse_id: str = EVSE, session_id: str | None = None, **extra: Any) -> dict[str, Any]:
    """An eRoamingAuthorizeRemoteStart body as Hubject forwards it."""
    body: dict[str, Any] = {
        "SessionID": session_id or new_session_id(),
        "CPOPartnerSessionID": None,
        "EMPPartnerSessionID": "emp-1",
        "ProviderID": PROVIDER_ID,
        "EvseID": evse_id,
        "Identification": {"RemoteIdentification": {"EvcoID": EVCO_ID}},
        "PartnerProductID": None,
    }
    return body | extra


def stop_body(evse_id: str = EVSE, session_id: str | None = None, **extra: Any) -> dict[str, Any]:
    """An eRoamingAuthorizeRemoteStop / ReservationStop body."""
    body: dict[str, Any] = {
        "SessionID": session_id or new_session_id(),
        "CPOPartnerSessionID": None,
        "EMPPartnerSessionID": "emp-1",
        "ProviderID": PROVIDER_ID,
        "EvseID": evse_id,
    }
    return body | extra


def reservation_body(
    evse_id: str = EVSE, session_id: str | None = None, **extra: Any
) -> dict[str, Any]:
    """An eRoamingAuthorizeRemoteReservationStart body with a 15-minute Duration."""
    return start_body(evse_id, session_id, Duration=15) | extra


BODIES = {
    Operation.AUTHORIZE_REMOTE_START: start_body,
    Operation.AUTHORIZE_REMOTE_STOP: stop_body,
    Operation.AUTHORIZE_REMOTE_RESERVATION_START: reservation_body,
    Operation.AUTHORIZE_REMOTE_RESERVATION_STOP: stop_body,
}


@dataclass
class Reply:
    """One HTTP answer from the stub."""

    status: int
    content_type: str
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


class Hub:
    """A hub-like client of one stub: posts OICP bodies the way the HBS does."""

    def __init__(self, stub: CPOStub, session: aiohttp.ClientSession, context: ssl.SSLContext):
        self.stub = stub
        self.session = session
        self.context = context

    def url(
        self,
        operation: Operation,
        *,
        prefix: str = "/oicp",
        provider_id: str = PROVIDER_ID,
        style: str = "hubject",
    ) -> str:
        return self.stub.url + prefix + hub_to_cpo_path(operation, provider_id, style)

    async def send(self, method: str, url: str, data: str | bytes | None = None) -> Reply:
        headers = {"Content-Type": "application/json;charset=UTF-8"}
        # encoded=True: send the path exactly as written (yarl would turn %2A into *).
        async with self.session.request(
            method, URL(url, encoded=True), data=data, headers=headers, ssl=self.context
        ) as response:
            text = await response.text()
            return Reply(response.status, response.headers.get("Content-Type", ""), text)

    async def post(self, operation: Operation, body: object, **url_options: str) -> Reply:
        return await self.send("POST", self.url(operation, **url_options), json.dumps(body))

    async def ack(self, operation: Operation, body: object, **url_options: str) -> Any:
        """Post and return the acknowledgement (asserting HTTP 200)."""
        reply = await self.post(operation, body, **url_options)
        assert reply.status == 200, reply.text
        return reply.json()

    async def remote_start(self, evse_id: str = EVSE, session_id: str | None = None) -> Any:
        return await self.ack(Operation.AUTHORIZE_REMOTE_START, start_body(evse_id, session_id))

    async def remote_stop(self, evse_id: str = EVSE, session_id: str | None = None) -> Any:
        return await self.ack(Operation.AUTHORIZE_REMOTE_STOP, stop_body(evse_id, session_id))

    async def reserve(self, evse_id: str = EVSE, session_id: str | None = None) -> Any:
        body = reservation_body(evse_id, session_id)
        return await self.ack(Operation.AUTHORIZE_REMOTE_RESERVATION_START, body)

    async def cancel_reservation(self, evse_id: str = EVSE, session_id: str | None = None) -> Any:
        body = stop_body(evse_id, session_id)
        return await self.ack(Operation.AUTHORIZE_REMOTE_RESERVATION_STOP, body)
