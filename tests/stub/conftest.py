"""Fixtures for the stub CPO's tests: a real mock PKI, a running stub and a hub-like client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from cpo_stub import CPOStub
from mockpki import MockHubjectPKI, PKIFiles
from tests.stub.support import Hub, client_context


@pytest.fixture(scope="session")
def pki() -> MockHubjectPKI:
    """One PKI per session (RSA key generation is slow); host ``localhost``."""
    return MockHubjectPKI.create(host="localhost", operator_id="DE*ABC")


@pytest.fixture(scope="session")
def pki_files(pki: MockHubjectPKI, tmp_path_factory: pytest.TempPathFactory) -> PKIFiles:
    """The session PKI on disk; tests must not modify these files."""
    return pki.write(tmp_path_factory.mktemp("pki"))


@pytest.fixture
async def stub(pki_files: PKIFiles) -> AsyncIterator[CPOStub]:
    """A running stub with the Hubject-issued server certificate and a control port."""
    async with CPOStub.from_pki_dir(pki_files.directory, control_port=0) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def hub(stub: CPOStub, http: aiohttp.ClientSession, pki_files: PKIFiles) -> Hub:
    """A client that presents the hub's certificate to the running stub."""
    return Hub(stub, http, client_context(pki_files))


@pytest.fixture
def control_url(stub: CPOStub) -> str:
    assert stub.control_url is not None
    return stub.control_url
