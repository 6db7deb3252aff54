"""describe_certificate shows any certificate the way OpenSSL users expect."""

from __future__ import annotations

from datetime import UTC

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from mockpki import MockHubjectPKI, PKIError, describe_certificate, describe_der, load_pem_chain


def test_sha256_is_colon_separated_upper_case_hex(pki: MockHubjectPKI) -> None:
    cert = pki.cpo_server.certificate
    info = describe_certificate(cert)
    assert info.sha256 == ":".join(f"{byte:02X}" for byte in cert.fingerprint(hashes.SHA256()))


def test_describe_der_matches_describe_certificate(pki: MockHubjectPKI) -> None:
    cert = pki.hub_server.certificate
    assert describe_der(cert.public_bytes(Encoding.DER)) == describe_certificate(cert)


def test_validity_times_are_aware_utc(pki: MockHubjectPKI) -> None:
    info = pki.cpo_client.describe()
    assert info.not_before.tzinfo == UTC
    assert info.not_after.tzinfo == UTC


def test_ca_certificates_are_described_as_cas(pki: MockHubjectPKI) -> None:
    root = describe_certificate(pki.root.certificate)
    intermediate = describe_certificate(pki.intermediate.certificate)
    assert (root.is_ca, root.self_signed) == (True, True)
    assert (intermediate.is_ca, intermediate.self_signed) == (True, False)
    assert root.sans == ()


def test_load_pem_chain_keeps_file_order(pki: MockHubjectPKI) -> None:
    chain = load_pem_chain(pki.cpo_server.chain_pem + pki.root_cert_pem)
    assert chain == [pki.cpo_server.certificate, pki.intermediate.certificate, pki.root.certificate]


def test_load_pem_chain_refuses_data_without_certificates(pki: MockHubjectPKI) -> None:
    with pytest.raises(PKIError, match="no PEM certificate found"):
        load_pem_chain(pki.cpo_server.key_pem)


def test_describe_der_refuses_bytes_that_are_not_a_certificate() -> None:
    with pytest.raises(PKIError, match="the 4 bytes given are not a DER certificate"):
        describe_der(b"\x00\x01\x02\x03")
