"""The mock CA is shaped like Hubject's real chain (reference notes, certificates.md 2.3)."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from mockpki import MockHubjectPKI, load_pem_chain


def _basic_constraints(cert: x509.Certificate) -> x509.BasicConstraints:
    return cert.extensions.get_extension_for_class(x509.BasicConstraints).value


ALL_CERTIFICATES = [
    "root",
    "intermediate",
    "hub_client",
    "hub_server",
    "cpo_server",
    "cpo_user_server",
    "cpo_client",
]


def _all_certificates(pki: MockHubjectPKI) -> dict[str, x509.Certificate]:
    leaves = ("hub_client", "hub_server", "cpo_server", "cpo_user_server", "cpo_client")
    found = {name: getattr(pki, name).certificate for name in leaves}
    return {"root": pki.root.certificate, "intermediate": pki.intermediate.certificate, **found}


def test_root_is_hubject_ca_with_pathlen_2(pki: MockHubjectPKI) -> None:
    root = x509.load_pem_x509_certificate(pki.root_cert_pem)
    assert root.subject.rfc4514_string() == "CN=Hubject CA,OU=CA,O=Hubject GmbH (Mock),C=DE"
    assert root.issuer == root.subject
    assert _basic_constraints(root) == x509.BasicConstraints(ca=True, path_length=2)


def test_intermediate_is_hubject_intermediate_ca_it_with_pathlen_1(pki: MockHubjectPKI) -> None:
    intermediate = x509.load_pem_x509_certificate(pki.intermediate_cert_pem)
    expected = "CN=Hubject Intermediate CA IT,OU=IT,O=Hubject GmbH (Mock),C=DE"
    assert intermediate.subject.rfc4514_string() == expected
    assert _basic_constraints(intermediate) == x509.BasicConstraints(ca=True, path_length=1)


def test_intermediate_is_signed_by_root(pki: MockHubjectPKI) -> None:
    intermediate = pki.intermediate.certificate
    intermediate.verify_directly_issued_by(pki.root.certificate)


def test_ca_basic_constraints_are_critical(pki: MockHubjectPKI) -> None:
    for ca in (pki.root.certificate, pki.intermediate.certificate):
        assert ca.extensions.get_extension_for_class(x509.BasicConstraints).critical


def test_ca_chain_pem_is_root_then_intermediate(pki: MockHubjectPKI) -> None:
    chain = load_pem_chain(pki.ca_chain_pem)
    assert chain == [pki.root.certificate, pki.intermediate.certificate]


@pytest.mark.parametrize("name", ALL_CERTIFICATES)
def test_every_certificate_is_rsa_2048_signed_with_sha256(pki: MockHubjectPKI, name: str) -> None:
    cert = _all_certificates(pki)[name]
    public_key = cert.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    assert public_key.key_size == 2048
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)


def test_leaves_are_not_cas(pki: MockHubjectPKI) -> None:
    certificates = _all_certificates(pki)
    leaves = [cert for name, cert in certificates.items() if name not in ("root", "intermediate")]
    assert all(not _basic_constraints(cert).ca for cert in leaves)
