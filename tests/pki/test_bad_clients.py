"""Each certificate of the bad-client pack is wrong in exactly the way its name says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from mockpki import (
    BadClientCertificate,
    CertificateInfo,
    LeafCertificate,
    MockHubjectPKI,
    load_pem_chain,
)

INTERMEDIATE = "CN=Hubject Intermediate CA IT,OU=IT,O=Hubject GmbH (Mock),C=DE"


@pytest.fixture
def pack(bad_client_pack: list[BadClientCertificate]) -> list[BadClientCertificate]:
    return bad_client_pack


def _leaf(pack: list[BadClientCertificate], name: str) -> LeafCertificate:
    leaf = next(bad.leaf for bad in pack if bad.name == name)
    assert leaf is not None
    return leaf


def _info(pack: list[BadClientCertificate], name: str) -> CertificateInfo:
    return _leaf(pack, name).describe()


def _verify_client(pki: MockHubjectPKI, leaf: LeafCertificate, at: datetime) -> None:
    ee_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.SubjectAlternativeName, Criticality.AGNOSTIC, None
    )
    builder = (
        PolicyBuilder()
        .store(Store([pki.root.certificate]))
        .time(at)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee_policy)
    )
    intermediates = load_pem_chain(leaf.chain_pem)[1:]
    builder.build_client_verifier().verify(leaf.certificate, intermediates)


def _midpoint(info: CertificateInfo) -> datetime:
    return info.not_before + (info.not_after - info.not_before) / 2


def test_pack_lists_the_bad_certificates_in_order(pack: list[BadClientCertificate]) -> None:
    assert [bad.name for bad in pack] == [
        "no-certificate",
        "self-signed",
        "foreign-ca",
        "expired",
        "not-yet-valid",
        "server-only-eku",
    ]
    assert all(bad.description for bad in pack)


def test_no_certificate_has_no_leaf(pack: list[BadClientCertificate]) -> None:
    assert pack[0].name == "no-certificate"
    assert pack[0].leaf is None


def test_every_bad_certificate_names_the_operator_in_cn_and_ou(
    pack: list[BadClientCertificate],
) -> None:
    for bad in pack[1:]:
        assert bad.leaf is not None
        assert bad.leaf.describe().subject == "CN=DE*ABC,OU=DE*ABC", bad.name


def test_self_signed_certificate_is_its_own_issuer(pack: list[BadClientCertificate]) -> None:
    info = _info(pack, "self-signed")
    assert info.self_signed
    assert info.extended_key_usages == ("clientAuth",)


def test_foreign_ca_certificate_is_issued_by_another_ca(
    pki: MockHubjectPKI, pack: list[BadClientCertificate]
) -> None:
    leaf = _leaf(pack, "foreign-ca")
    assert leaf.describe().issuer.startswith("CN=Foreign Test CA,")
    assert not leaf.describe().self_signed
    with pytest.raises(VerificationError):
        _verify_client(pki, leaf, datetime.now(UTC))


def test_expired_certificate_ended_before_now_and_is_otherwise_valid(
    pki: MockHubjectPKI, pack: list[BadClientCertificate]
) -> None:
    leaf = _leaf(pack, "expired")
    info = leaf.describe()
    assert info.is_expired(datetime.now(UTC))
    assert info.issuer == INTERMEDIATE
    _verify_client(pki, leaf, _midpoint(info))


def test_not_yet_valid_certificate_starts_after_now_and_is_otherwise_valid(
    pki: MockHubjectPKI, pack: list[BadClientCertificate]
) -> None:
    leaf = _leaf(pack, "not-yet-valid")
    info = leaf.describe()
    assert info.is_not_yet_valid(datetime.now(UTC))
    assert info.issuer == INTERMEDIATE
    _verify_client(pki, leaf, _midpoint(info))


def test_server_only_eku_certificate_allows_server_auth_only(
    pki: MockHubjectPKI, pack: list[BadClientCertificate]
) -> None:
    leaf = _leaf(pack, "server-only-eku")
    assert leaf.describe().extended_key_usages == ("serverAuth",)
    assert leaf.describe().issuer == INTERMEDIATE
    with pytest.raises(VerificationError, match="EKU"):
        _verify_client(pki, leaf, datetime.now(UTC))
