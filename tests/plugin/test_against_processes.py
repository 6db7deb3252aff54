"""The pytest plugin's hub against backends in their own processes: ``hubsim stub serve``
and nginx (ssl_verify_client on) in front of an application."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hubsim.pytest_plugin import Hubsim
from hubsim.scenario.stage import StagePKI
from mockpki import MockHubjectPKI
from tests.backends import Answer, BackendSpec, Materials
from tests.backends.pool import BackendPool

_BACKENDS = {"stub": BackendSpec(), "nginx": BackendSpec(answer=Answer.ECHO)}


@pytest.fixture(scope="session")
def process_backends(
    hubsim_pki: StagePKI, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BackendPool]:
    # The backends use the plugin's own PKI, so that the hub and they trust each other.
    pki = MockHubjectPKI.load(hubsim_pki.files.directory)
    pool = BackendPool(Materials.create(pki, Path(tmp_path_factory.mktemp("plugin-backends"))))
    yield pool
    pool.close()


@pytest.mark.parametrize("stack", sorted(_BACKENDS))
class TestAgainstABackendInItsOwnProcess:
    async def test_remote_start_is_accepted(
        self, stack: str, hubsim: Hubsim, process_backends: BackendPool
    ) -> None:
        backend = process_backends.get(stack, _BACKENDS[stack])
        await hubsim.hub.configure(service_url=backend.url + "/cpo")
        exchange = await hubsim.send("remote-start", "DE*ABC*E0101")
        assert exchange.outcome.value == "accepted", exchange.detail
        assert exchange.tls is not None and exchange.tls.protocol == "TLSv1.3"

    @pytest.mark.parametrize("bad", ["foreign-ca", "self-signed", "expired"])
    async def test_a_bad_client_certificate_is_refused(
        self, stack: str, bad: str, hubsim: Hubsim, process_backends: BackendPool
    ) -> None:
        backend = process_backends.get(stack, _BACKENDS[stack])
        await hubsim.hub.configure(service_url=backend.url + "/cpo")
        exchange = await hubsim.send("remote-start", "DE*ABC*E0102", client_certificate=bad)
        assert exchange.outcome.value == "client_cert_refused", exchange.detail
