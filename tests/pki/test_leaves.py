"""Each leaf of the PKI carries the identity and key usage its role needs."""

from __future__ import annotations

from mockpki import MockHubjectPKI, describe_certificate, load_pem_chain

INTERMEDIATE = "CN=Hubject Intermediate CA IT,OU=IT,O=Hubject GmbH (Mock),C=DE"


def test_hub_client_cert_is_a_client_certificate_issued_by_the_intermediate(
    pki: MockHubjectPKI,
) -> None:
    info = pki.hub_client.describe()
    assert info.extended_key_usages == ("clientAuth",)
    assert info.issuer == INTERMEDIATE


def test_cpo_client_cert_names_the_operator_id_in_cn_and_ou(pki: MockHubjectPKI) -> None:
    info = pki.cpo_client.describe()
    assert info.subject == "CN=DE*ABC,OU=DE*ABC"
    assert info.extended_key_usages == ("clientAuth",)
    assert info.issuer == INTERMEDIATE


def test_cpo_server_cert_covers_localhost_and_127_0_0_1(pki: MockHubjectPKI) -> None:
    info = pki.cpo_server.describe()
    assert info.sans == ("DNS:localhost", "IP:127.0.0.1")
    assert info.extended_key_usages == ("serverAuth",)
    assert info.issuer == INTERMEDIATE


def test_hub_server_cert_covers_the_host_for_server_auth(pki: MockHubjectPKI) -> None:
    info = pki.hub_server.describe()
    assert info.sans == ("DNS:localhost", "IP:127.0.0.1")
    assert info.extended_key_usages == ("serverAuth",)


def test_user_server_cert_is_self_signed_and_covers_the_host(pki: MockHubjectPKI) -> None:
    info = pki.cpo_user_server.describe()
    assert info.self_signed
    assert info.subject == info.issuer == "CN=localhost"
    assert info.sans == ("DNS:localhost", "IP:127.0.0.1")
    assert info.extended_key_usages == ("serverAuth",)


def test_issued_leaf_chain_is_leaf_then_intermediate(pki: MockHubjectPKI) -> None:
    for leaf in (pki.hub_client, pki.hub_server, pki.cpo_server, pki.cpo_client):
        chain = load_pem_chain(leaf.chain_pem)
        assert chain == [leaf.certificate, pki.intermediate.certificate]


def test_self_signed_leaf_chain_is_the_leaf_alone(pki: MockHubjectPKI) -> None:
    assert pki.cpo_user_server.chain_pem == pki.cpo_user_server.cert_pem


def test_server_cert_for_a_named_host_has_no_loopback_names(pki: MockHubjectPKI) -> None:
    leaf = pki.issue_server_cert("cpo.example.com", extra_hosts=["api.cpo.example.com"])
    assert leaf.describe().sans == ("DNS:cpo.example.com", "DNS:api.cpo.example.com")
    assert leaf.describe().common_name == "cpo.example.com"


def test_server_cert_for_127_0_0_1_also_covers_localhost(pki: MockHubjectPKI) -> None:
    leaf = pki.issue_server_cert("127.0.0.1")
    assert describe_certificate(leaf.certificate).sans == ("IP:127.0.0.1", "DNS:localhost")


def test_client_cert_eku_both_allows_client_and_server_auth(pki: MockHubjectPKI) -> None:
    leaf = pki.issue_client_cert("DE*XYZ", eku="both")
    assert set(leaf.describe().extended_key_usages) == {"clientAuth", "serverAuth"}
