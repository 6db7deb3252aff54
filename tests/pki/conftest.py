"""Fixtures for the PKI tests: one generated PKI per session, because RSA key generation is slow."""

from __future__ import annotations

import pytest

from mockpki import BadClientCertificate, MockHubjectPKI, PKIFiles, bad_client_certificates


@pytest.fixture(scope="session")
def pki() -> MockHubjectPKI:
    """The PKI for host ``localhost`` and OperatorID ``DE*ABC``."""
    return MockHubjectPKI.create(host="localhost", operator_id="DE*ABC")


@pytest.fixture(scope="session")
def pki_files(pki: MockHubjectPKI, tmp_path_factory: pytest.TempPathFactory) -> PKIFiles:
    """The session PKI written to a directory. Tests must not modify these files."""
    return pki.write(tmp_path_factory.mktemp("pki") / "certs")


@pytest.fixture(scope="session")
def bad_client_pack(pki: MockHubjectPKI) -> list[BadClientCertificate]:
    """The bad-client pack for ``DE*ABC``, in its published order."""
    return bad_client_certificates(pki, "DE*ABC")
