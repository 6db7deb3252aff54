"""Certificate Management uploads: .pem/.crt, one certificate or a chain, never a key."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from simulator.certificates import CertificateUploadError, parse_certificate_upload
from simulator.model import CertificateStatus

if TYPE_CHECKING:
    from tests.hub_rules.conftest import CertFactory


def _refusal(data: bytes, filename: str) -> str:
    with pytest.raises(CertificateUploadError) as caught:
        parse_certificate_upload(data, filename)
    return str(caught.value)


def test_upload_accepts_one_certificate(certs: CertFactory, now: datetime) -> None:
    cert = certs.certificate(dns=("cpo.example.com",), ips=("127.0.0.1",))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (parsed,) = parse_certificate_upload(pem, "cpo.pem")
    der = cert.public_bytes(serialization.Encoding.DER)
    assert parsed.sha256 == ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())
    assert parsed.subject == "CN=cpo.example.com,O=Example CPO"
    assert parsed.issuer == "CN=Rules Test CA,O=Rules Test"
    assert parsed.sans == ("DNS:cpo.example.com", "IP:127.0.0.1")
    assert parsed.not_after == cert.not_valid_after_utc
    assert parsed.not_before.tzinfo is not None
    assert parsed.pem == pem.decode()
    assert parsed.status(now) is CertificateStatus.ACTIVE
    assert not parsed.is_ca


def test_upload_accepts_chain(certs: CertFactory) -> None:
    chain = certs.pem(dns=("cpo.example.com",)) + certs.ca_pem()
    leaf, ca = parse_certificate_upload(chain, "chain.crt")
    assert leaf.sans == ("DNS:cpo.example.com",)
    assert ca.subject == "CN=Rules Test CA,O=Rules Test"
    assert ca.is_ca


def test_upload_accepts_text_around_pem_blocks(certs: CertFactory) -> None:
    data = b"subject=CN=cpo.example.com\nissuer=CN=Rules Test CA\n" + certs.pem()
    assert len(parse_certificate_upload(data, "CPO.PEM")) == 1


def test_upload_accepts_der_certificate_in_crt(certs: CertFactory) -> None:
    der = certs.certificate().public_bytes(serialization.Encoding.DER)
    (parsed,) = parse_certificate_upload(der, "cpo.crt")
    assert parsed.pem.startswith("-----BEGIN CERTIFICATE-----")


def test_upload_refuses_der_certificate_in_pem(certs: CertFactory) -> None:
    der = certs.certificate().public_bytes(serialization.Encoding.DER)
    assert "not a PEM certificate" in _refusal(der, "cpo.pem")


def test_upload_refuses_private_key(certs: CertFactory) -> None:
    message = _refusal(certs.key_pem(), "cpo.pem")
    assert "contains a private key — never upload keys; upload only the certificate" in message


def test_upload_refuses_private_key_next_to_certificates(certs: CertFactory) -> None:
    cert, key = certs.issue()
    data = cert.public_bytes(serialization.Encoding.PEM) + certs.key_pem(key)
    assert "contains a private key" in _refusal(data, "bundle.pem")


def test_upload_refuses_traditional_rsa_key_header(certs: CertFactory) -> None:
    data = certs.pem() + b"-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"
    assert "contains a private key" in _refusal(data, "bundle.pem")


def test_upload_refuses_der_private_key_in_crt(certs: CertFactory) -> None:
    der_key = certs.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert "contains a private key" in _refusal(der_key, "cpo.crt")


def test_upload_refuses_non_certificate() -> None:
    message = _refusal(b"hello, this is not a certificate\n", "notes.crt")
    assert "does not contain a certificate" in message
    assert "-----BEGIN CERTIFICATE-----" in message


def test_upload_refuses_empty_file() -> None:
    assert "empty" in _refusal(b"  \n", "cpo.pem")


def test_upload_refuses_corrupt_pem(certs: CertFactory) -> None:
    body = base64.b64encode(b"\x30\x82garbage" * 20).decode()
    data = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n".encode()
    assert "corrupt PEM" in _refusal(data, "cpo.pem")


def test_upload_refuses_pem_without_end_line(certs: CertFactory) -> None:
    data = certs.pem().replace(b"-----END CERTIFICATE-----", b"")
    assert "-----BEGIN CERTIFICATE----- has no matching -----END CERTIFICATE----- line" in _refusal(
        data, "cpo.pem"
    )


def test_upload_is_all_or_nothing(certs: CertFactory) -> None:
    good = certs.pem()
    bad = good.replace(good.splitlines()[3], b"A" * 64)
    message = _refusal(good + bad, "chain.pem")
    assert "certificate 2 of 2 in chain.pem is corrupt" in message


def test_upload_refuses_p12_extension(certs: CertFactory) -> None:
    for filename in ("cpo.p12", "cpo.pfx", "cpo.key", "cpo.der", "cpo.txt"):
        message = _refusal(certs.pem(), filename)
        assert "only .pem and .crt files are accepted, as in Hubject's Certificate Management" in (
            message
        )
        assert filename in message


def test_upload_refuses_certificate_request(certs: CertFactory) -> None:
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cpo.example.com")]))
        .sign(certs.key, hashes.SHA256())
    )
    message = _refusal(csr.public_bytes(serialization.Encoding.PEM), "cpo.pem")
    assert "certificate signing request" in message


def test_upload_refuses_other_pem_blocks(certs: CertFactory) -> None:
    public_key = certs.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert "PUBLIC KEY block" in _refusal(certs.pem() + public_key, "cpo.pem")


def test_upload_of_expired_certificate_is_parsed_with_its_status(
    certs: CertFactory, now: datetime
) -> None:
    pem = certs.pem(not_before=now - timedelta(days=400), not_after=now - timedelta(days=1))
    (parsed,) = parse_certificate_upload(pem, "old.pem")
    assert parsed.status(now) is CertificateStatus.EXPIRED
    assert parsed.not_after.tzinfo is not None
    assert parsed.not_after.astimezone(UTC) < now


@pytest.mark.parametrize("inside", ["MIIBxx", "MIIBCgKCAQEAuV6E", "AAAA"])
def test_corrupt_pem_is_said_in_words_without_the_parser_dump(inside: str) -> None:
    pem = f"-----BEGIN CERTIFICATE-----\n{inside}\n-----END CERTIFICATE-----\n".encode()
    with pytest.raises(CertificateUploadError) as refused:
        parse_certificate_upload(pem, "ours.pem")
    message = str(refused.value)
    assert message.startswith("ours.pem is corrupt PEM (the text between its BEGIN and END")
    assert "ParseError" not in message and "https://" not in message
