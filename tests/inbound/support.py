"""Helpers of the inbound tests: an OICP client with a chosen certificate, partners, bodies."""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from mockpki import MockHubjectPKI
from mockpki.ca import LeafCertificate
from oicp.evse_data import minimal_evse_record
from simulator.hub import Hub
from simulator.inbound.service import Inbound
from simulator.model import Operator, ServiceType
from simulator.partner_model import EMP, Contract

OPERATOR = "DE*ABC"  # the CPO of the mock PKI (cpo-client.pem: CN = OU = DE*ABC)
EMP_ID = "DE-ICE"
EVCO_ID = "DE-ICE-C12345678-X"
EVSE = "DE*ABC*E0001"
UID = "7568290FFF765F"


class ManualClock:
    """A clock the tests move by hand: rate limits without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Reply:
    """What the hub answered."""

    status: int
    text: str
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def code(self) -> str:
        """StatusCode.Code of an acknowledgement or fault."""
        return str(self.json["StatusCode"]["Code"])


class OICPClient:
    """Posts OICP bodies to the hub with a chosen client certificate, over real TLS."""

    def __init__(self, base_url: str, pki: MockHubjectPKI) -> None:
        self.base_url = base_url
        self._pki = pki
        self._session = aiohttp.ClientSession()
        self._contexts: dict[int, ssl.SSLContext] = {}

    async def close(self) -> None:
        await self._session.close()

    def _context(self, leaf: LeafCertificate | None) -> ssl.SSLContext:
        key = id(leaf)
        if key not in self._contexts:
            context = ssl.create_default_context()
            self._pki.configure_trust(context)
            if leaf is not None:
                leaf.configure_cert(context)
            self._contexts[key] = context
        return self._contexts[key]

    async def post(self, path: str, body: object, leaf: LeafCertificate | None) -> Reply:
        url = URL(self.base_url + path, encoded=True)
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        headers = {"Content-Type": "application/json"}
        async with self._session.post(
            url, data=data, headers=headers, ssl=self._context(leaf)
        ) as response:
            return Reply(response.status, await response.text(), dict(response.headers))


async def add_operator(hub: Hub, stub_url: str | None, *, timeout_s: float = 10.0) -> None:
    """The CPO DE*ABC, its Authorization and Reservation service types online at ``stub_url``."""
    await hub.put_operator(Operator(OPERATOR, name="ABC Charging", timeout_s=timeout_s))
    if stub_url is None:
        return
    for service_type in (ServiceType.AUTHORIZATION, ServiceType.RESERVATION):
        await hub.save_settings(
            OPERATOR, service_type, {"online_request": True, "service_url": stub_url}
        )


async def add_emp(inbound: Inbound, *services: ServiceType, **fields: Any) -> EMP:
    """The EMP DE-ICE with contracts with DE*ABC for ``services``."""
    emp = await inbound.partners.put_emp(EMP(EMP_ID, name="ICE Mobility", **fields))
    contracts = [Contract(EMP_ID, OPERATOR, s) for s in services]
    await inbound.partners.set_contracts(EMP_ID, contracts)
    return emp


def evse_data_push(*records: dict[str, Any], action: str = "fullLoad") -> dict[str, Any]:
    return {
        "ActionType": action,
        "OperatorEvseData": {
            "OperatorID": OPERATOR,
            "OperatorName": "ABC Charging",
            "EvseDataRecord": list(records),
        },
    }


def evse_record(evse_id: str = EVSE, *, compatible: bool = True) -> dict[str, Any]:
    return minimal_evse_record(evse_id, is_hubject_compatible=compatible)


def remote_start_body(evse_id: str = EVSE, provider_id: str = EMP_ID) -> dict[str, Any]:
    return {
        "ProviderID": provider_id,
        "EvseID": evse_id,
        "Identification": {"RemoteIdentification": {"EvcoID": EVCO_ID}},
        "EMPPartnerSessionID": "emp-session-1",
    }


def remote_stop_body(
    session_id: str, evse_id: str = EVSE, provider_id: str = EMP_ID
) -> dict[str, Any]:
    return {"ProviderID": provider_id, "EvseID": evse_id, "SessionID": session_id}
