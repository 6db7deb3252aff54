"""Every leaf chains to the mock root, checked by cryptography's web-PKI verifier.

Only the root is a trust anchor; the intermediate comes from the leaf's chain, as in a handshake.
The client certificates carry no SAN (CN/OU only), so the client policy lets SAN be absent;
servers are checked with the unchanged web-PKI policy.
"""

from __future__ import annotations

import ipaddress

import pytest
from cryptography import x509
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from mockpki import LeafCertificate, MockHubjectPKI, load_pem_chain


def _server_builder(pki: MockHubjectPKI) -> PolicyBuilder:
    return PolicyBuilder().store(Store([pki.root.certificate]))


def _client_builder(pki: MockHubjectPKI) -> PolicyBuilder:
    ee_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.SubjectAlternativeName, Criticality.AGNOSTIC, None
    )
    return (
        PolicyBuilder()
        .store(Store([pki.root.certificate]))
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee_policy)
    )


def _verify_server(pki: MockHubjectPKI, leaf: LeafCertificate, host: str) -> list[x509.Certificate]:
    subject: x509.DNSName | x509.IPAddress
    try:
        subject = x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        subject = x509.DNSName(host)
    verifier = _server_builder(pki).build_server_verifier(subject)
    return verifier.verify(leaf.certificate, load_pem_chain(leaf.chain_pem)[1:])


def _verify_client(pki: MockHubjectPKI, leaf: LeafCertificate) -> list[x509.Certificate]:
    verifier = _client_builder(pki).build_client_verifier()
    return verifier.verify(leaf.certificate, load_pem_chain(leaf.chain_pem)[1:]).chain


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_cpo_server_cert_chains_to_root_for_both_loopback_names(
    pki: MockHubjectPKI, host: str
) -> None:
    chain = _verify_server(pki, pki.cpo_server, host)
    assert chain[-1] == pki.root.certificate
    assert chain[1] == pki.intermediate.certificate


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_hub_server_cert_chains_to_root_for_both_loopback_names(
    pki: MockHubjectPKI, host: str
) -> None:
    assert _verify_server(pki, pki.hub_server, host)[-1] == pki.root.certificate


def test_hub_client_cert_chains_to_root_as_client(pki: MockHubjectPKI) -> None:
    assert _verify_client(pki, pki.hub_client)[-1] == pki.root.certificate


def test_cpo_client_cert_chains_to_root_as_client(pki: MockHubjectPKI) -> None:
    assert _verify_client(pki, pki.cpo_client)[-1] == pki.root.certificate


def test_server_cert_does_not_cover_another_host(pki: MockHubjectPKI) -> None:
    with pytest.raises(VerificationError):
        _verify_server(pki, pki.cpo_server, "cpo.example.com")


def test_server_cert_is_refused_as_client_cert(pki: MockHubjectPKI) -> None:
    with pytest.raises(VerificationError, match="EKU"):
        _verify_client(pki, pki.cpo_server)


def test_leaf_without_its_intermediate_does_not_chain(pki: MockHubjectPKI) -> None:
    verifier = _client_builder(pki).build_client_verifier()
    with pytest.raises(VerificationError):
        verifier.verify(pki.cpo_client.certificate, [])


def test_user_server_cert_does_not_chain_to_the_mock_root(pki: MockHubjectPKI) -> None:
    with pytest.raises(VerificationError):
        _verify_server(pki, pki.cpo_user_server, "localhost")


def test_issued_server_cert_verifies_for_its_extra_hosts(pki: MockHubjectPKI) -> None:
    leaf = pki.issue_server_cert("cpo.example.com", extra_hosts=["10.0.0.7"])
    assert _verify_server(pki, leaf, "10.0.0.7")[-1] == pki.root.certificate
