"""Fixtures for the storage tests: a fresh in-memory storage, real certificates, exchanges."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from simulator.exchange import Exchange, Outcome
from simulator.model import Operator
from simulator.storage import NewCertificate, Storage

OPERATOR_ID = "DE*ABC"

ExchangeFactory = Callable[..., Exchange]
CertificateFactory = Callable[[str], NewCertificate]


@pytest.fixture
async def storage() -> AsyncIterator[Storage]:
    """An in-memory storage with the operator ``DE*ABC`` already created."""
    opened = await Storage.open(":memory:")
    await opened.upsert_operator(Operator(OPERATOR_ID, name="Example CPO"))
    yield opened
    await opened.close()


def _to_new_certificate(pem: str, filename: str) -> NewCertificate:
    parsed = x509.load_pem_x509_certificate(pem.encode())
    try:
        names = parsed.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        sans = tuple(names.value.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        sans = ()
    return NewCertificate(
        pem=pem,
        filename=filename,
        subject=str(parsed.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value),
        sans=sans,
        sha256=parsed.fingerprint(hashes.SHA256()).hex(":").upper(),
        not_before=parsed.not_valid_before_utc,
        not_after=parsed.not_valid_after_utc,
    )


@pytest.fixture
def new_certificate() -> CertificateFactory:
    """Issue a real certificate for a host name, as Certificate Management would store it."""
    ca = trustme.CA()

    def issue(host: str) -> NewCertificate:
        leaf = ca.issue_cert(host, common_name=host)
        return _to_new_certificate(leaf.cert_chain_pems[0].bytes().decode(), f"{host}.pem")

    return issue


@pytest.fixture
def make_exchange() -> ExchangeFactory:
    """Build an exchange; keyword arguments override the defaults."""

    base = Exchange(
        operation="eRoamingAuthorizeRemoteStart",
        url="https://cpo.example/oicp/charging/v21/providers/DE*ABC/authorize-remote/start",
        request_body={"ProviderID": "DE*ABC", "EvseID": "DE*ABC*E1"},
        outcome=Outcome.ACCEPTED,
        detail="The CPO accepted the request.",
        started_at=datetime(2025, 6, 1, 12, 0, tzinfo=UTC),
        elapsed_ms=12.5,
        operator_id=OPERATOR_ID,
        service_type="Authorization",
        server_certification="hubject",
        http_status=200,
    )

    def build(**overrides: Any) -> Exchange:
        return replace(base, **overrides)

    return build
