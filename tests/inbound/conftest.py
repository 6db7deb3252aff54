"""Fixtures for the hub's inbound side: a running OICP listener, partners, and real clients.

Everything is real: the hub's TLS front on a socket, client certificates from the mock
Hubject CA (or a foreign one), SQLite in memory, the CPO stub as the CPO backend.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cpo_stub import CPOStub
from mockpki import MockHubjectPKI, PKIFiles
from mockpki.ca import LeafCertificate, foreign_ca
from simulator.hub import Hub, HubIdentity
from simulator.inbound.server import InboundServer, server_tls_from_pki_dir
from simulator.inbound.service import Inbound
from simulator.storage import Storage
from tests.inbound.support import EMP_ID, OPERATOR, ManualClock, OICPClient


@pytest.fixture(scope="session")
def pki() -> MockHubjectPKI:
    return MockHubjectPKI.create(host="localhost", operator_id=OPERATOR)


@pytest.fixture(scope="session")
def pki_files(pki: MockHubjectPKI, tmp_path_factory: pytest.TempPathFactory) -> PKIFiles:
    return pki.write(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def certificates(pki: MockHubjectPKI) -> dict[str, LeafCertificate | None]:
    """Client certificates by name: partners of the hub, strangers, and none at all."""
    return {
        "cpo": pki.cpo_client,
        "emp": pki.issue_client_cert(EMP_ID, organizational_unit=EMP_ID),
        "other-emp": pki.issue_client_cert("DE-XYZ", organizational_unit="DE-XYZ"),
        "other-cpo": pki.issue_client_cert("DE*XYZ", organizational_unit="DE*XYZ"),
        "foreign": foreign_ca().issue_client_cert(OPERATOR, organizational_unit=OPERATOR),
        "none": None,
    }


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def hub(pki_files: PKIFiles) -> AsyncIterator[Hub]:
    storage = await Storage.open(":memory:")
    hub = Hub(storage, HubIdentity.from_pki_dir(pki_files.directory))
    yield hub
    await hub.close()


@pytest.fixture
async def inbound(hub: Hub, pki_files: PKIFiles, clock: ManualClock) -> AsyncIterator[Inbound]:
    inbound = Inbound(hub, pki_dir=pki_files.directory, clock=clock)
    yield inbound
    await inbound.close()


@pytest.fixture
async def server(inbound: Inbound, pki_files: PKIFiles) -> AsyncIterator[InboundServer]:
    async with InboundServer(inbound, server_tls_from_pki_dir(pki_files.directory)) as server:
        yield server


@pytest.fixture
async def stub(pki_files: PKIFiles) -> AsyncIterator[CPOStub]:
    async with CPOStub.from_pki_dir(pki_files.directory) as stub:
        yield stub


@pytest.fixture
async def client(server: InboundServer, pki: MockHubjectPKI) -> AsyncIterator[OICPClient]:
    client = OICPClient(server.url, pki)
    yield client
    await client.close()
