"""Well-behaved and badly behaved clients of the hub's and the stub's ports.

Every bad client returns once the server has closed its connection: it waits for EOF
(or a reset), never for a time.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from mockpki import MockHubjectPKI
from mockpki.ca import LeafCertificate
from oicp.cpo_operations import CPOOperation, cpo_to_hub_path
from oicp.evse_data import minimal_evse_record

OPERATOR = "DE*ABC"
EVSE_DATA_PATH = cpo_to_hub_path(CPOOperation.PUSH_EVSE_DATA, OPERATOR)
REMOTE_START_PATH = "/api/oicp/charging/v21/providers/DE-ICE/authorize-remote/start"


@dataclass(frozen=True)
class Port:
    """Where a server listens, and the TLS a client needs there (None: plain HTTP)."""

    host: str
    port: int
    tls: ssl.SSLContext | None

    @classmethod
    def of(cls, url: str, tls: ssl.SSLContext | None = None) -> Port:
        parts = urlsplit(url)
        assert parts.hostname is not None and parts.port is not None
        return cls(parts.hostname, parts.port, tls)


def client_tls(pki: MockHubjectPKI, leaf: LeafCertificate) -> ssl.SSLContext:
    context = ssl.create_default_context()
    pki.configure_trust(context)
    leaf.configure_cert(context)
    return context


async def until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server still sends, once it has closed the connection."""
    try:
        return await reader.read()
    except (ConnectionError, ssl.SSLError):
        return b""


async def _open(
    port: Port, *, tls: bool = True
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    context = port.tls if tls else None
    server_hostname = "localhost" if context is not None else None
    return await asyncio.open_connection(
        port.host, port.port, ssl=context, server_hostname=server_hostname
    )


async def _hold(port: Port, first: bytes, *, tls: bool = True) -> bytes:
    reader, writer = await _open(port, tls=tls)
    if first:
        writer.write(first)
        await writer.drain()
    try:
        return await until_closed(reader)
    finally:
        writer.close()


async def idle_tcp(port: Port) -> bytes:
    """Connects and sends nothing, not even a TLS handshake."""
    return await _hold(port, b"", tls=False)


async def idle_after_handshake(port: Port) -> bytes:
    """Completes the TLS handshake (if the port has TLS), then sends nothing."""
    return await _hold(port, b"")


async def slow_header(port: Port) -> bytes:
    """Sends half a request header and stops."""
    return await _hold(port, b"POST " + EVSE_DATA_PATH.encode() + b" HTTP/1.1\r\nHost: a\r\n")


async def slow_body(port: Port, path: str) -> bytes:
    """Sends a whole header announcing 1000 bytes of body, then 10 of them, and stops."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\n\r\n"
    )
    return await _hold(port, head.encode() + b'{"Action":')


async def idle_after_a_request(port: Port) -> bytes:
    """Asks for one answer on a keep-alive connection, reads it, then sends nothing."""
    reader, writer = await _open(port)
    writer.write(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    try:
        return head + await until_closed(reader)
    finally:
        writer.close()


def full_load_bytes(records: list[dict[str, object]]) -> bytes:
    """A PushEvseData fullLoad of ``records`` for OPERATOR, as the bytes a CPO sends."""
    push = {
        "ActionType": "fullLoad",
        "OperatorEvseData": {
            "OperatorID": OPERATOR,
            "OperatorName": "ABC",
            "EvseDataRecord": records,
        },
    }
    return json.dumps(push).encode()


def evse_data_push() -> dict[str, object]:
    return {
        "ActionType": "fullLoad",
        "OperatorEvseData": {
            "OperatorID": OPERATOR,
            "OperatorName": "ABC Charging",
            "EvseDataRecord": [minimal_evse_record(f"{OPERATOR}*E0001")],
        },
    }


def remote_start() -> dict[str, object]:
    return {
        "ProviderID": "DE-ICE",
        "EvseID": f"{OPERATOR}*E0001",
        "Identification": {"RemoteIdentification": {"EvcoID": "DE-ICE-C12345678-X"}},
        "SessionID": str(uuid.uuid4()),
    }


GoodCall = Callable[[aiohttp.ClientSession], Awaitable[int]]


def good_call(method: str, url: str, tls: ssl.SSLContext | None, body: object = None) -> GoodCall:
    """A request that must be answered; returns the HTTP status."""

    async def call(session: aiohttp.ClientSession) -> int:
        async with session.request(method, url, json=body, ssl=tls or False) as response:
            await response.read()
            return response.status

    return call


def full_evse_record(evse_id: str) -> dict[str, object]:
    """An EVSE data record with the optional members filled in too, about as large as the
    official example's (1.9 KB): what a real fullLoad carries."""
    return {
        **minimal_evse_record(evse_id, name="Charging station at the town hall car park"),
        "lastUpdate": "2024-05-01T08:00:00+02:00",
        "ChargingPoolID": "DE*ABC*P1234567",
        "ChargingStationId": "DE*ABC*S1234567",
        "HardwareManufacturer": "Example Charger Works GmbH",
        "ChargingStationImage": "https://cpo.example/images/stations/DE-ABC-S1234567.jpg",
        "SubOperatorName": "Example Municipal Utilities",
        "Address": {
            "Country": "DEU",
            "City": "Berlin",
            "Street": "Rathausstrasse",
            "PostalCode": "10178",
            "HouseNum": "15",
            "Floor": "0",
            "Region": "Berlin",
            "ParkingFacility": True,
            "ParkingSpot": "P1",
            "TimeZone": "UTC+01:00",
        },
        "Plugs": ["Type 2 Outlet", "CCS Combo 2 Plug (Cable Attached)"],
        "DynamicPowerLevel": True,
        "ChargingFacilities": [
            {"PowerType": "AC_3_PHASE", "Power": 22, "Voltage": 400, "Amperage": 32},
            {"PowerType": "DC", "Power": 50, "Voltage": 500, "Amperage": 99},
        ],
        "EnergySource": [
            {"Energy": "Solar", "Percentage": 40},
            {"Energy": "Wind", "Percentage": 60},
        ],
        "EnvironmentalImpact": {"CO2Emission": 0, "NuclearWasteImposition": 0},
        "MaxCapacity": 150,
        "AuthenticationModes": ["REMOTE", "NFC RFID Classic", "NFC RFID DESFire", "PnC"],
        "PaymentOptions": ["Contract", "Direct"],
        "ValueAddedServices": ["Reservation", "DynamicPricing", "ParkingSensors"],
        "AccessibilityLocation": "ParkingLot",
        "AdditionalInfo": [
            {"lang": "en", "value": "Entrance from the north side; the car park closes at night."},
            {"lang": "de", "value": "Zufahrt von der Nordseite; das Parkhaus schliesst nachts."},
        ],
        "ChargingStationLocationReference": [
            {"lang": "en", "value": "Level 0, next to the lifts"},
        ],
        "GeoChargingPointEntrance": {"Google": {"Coordinates": "52.520100 13.405000"}},
        "ClearinghouseID": "DE-CLR",
    }
