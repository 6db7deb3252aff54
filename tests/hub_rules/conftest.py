"""Real certificates for the hub-rule tests, made with ``cryptography``.

A small local CA issues leaves with exactly the names a test asks for: SAN DNS names, SAN IPs, a
CN without any SAN, chosen validity windows, or CA certificates.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from simulator.certificates import ParsedCertificate, parse_certificate_upload
from simulator.model import UploadedCertificate

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
OPERATOR_ID = "DE*ABC"
# Valid at NOW and on the real clock too, for the tests that make real TLS handshakes.
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


def _name(common_name: str | None, organization: str = "Example CPO") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization)]
    if common_name is not None:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


class CertFactory:
    """Issues certificates from one local CA; everything stays in memory."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name("Rules Test CA", "Rules Test")
        self.ca = self._build(ca_name, ca_name, self.key.public_key(), ca=True, sans=())
        self._next_id = 0

    def _build(
        self,
        subject: x509.Name,
        issuer: x509.Name,
        public_key: ec.EllipticCurvePublicKey,
        *,
        ca: bool,
        sans: Sequence[x509.GeneralName],
        not_before: datetime = NOW - timedelta(days=30),
        not_after: datetime = FAR_FUTURE,
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return builder.sign(self.key, hashes.SHA256())

    def issue(
        self,
        *,
        cn: str | None = "cpo.example.com",
        dns: Sequence[str] = ("cpo.example.com",),
        ips: Sequence[str] = (),
        not_before: datetime = NOW - timedelta(days=30),
        not_after: datetime = FAR_FUTURE,
        ca: bool = False,
    ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        """A certificate signed by the local CA, with its private key."""
        sans: list[x509.GeneralName] = [x509.DNSName(name) for name in dns]
        sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
        key = ec.generate_private_key(ec.SECP256R1())
        cert = self._build(
            _name(cn),
            self.ca.subject,
            key.public_key(),
            ca=ca,
            sans=sans,
            not_before=not_before,
            not_after=not_after,
        )
        return cert, key

    def certificate(self, **kwargs: object) -> x509.Certificate:
        """:meth:`issue` without the key."""
        return self.issue(**kwargs)[0]  # type: ignore[arg-type]

    def pem(self, **kwargs: object) -> bytes:
        """The PEM of :meth:`issue` with the same keyword arguments."""
        return self.certificate(**kwargs).public_bytes(serialization.Encoding.PEM)

    def ca_pem(self) -> bytes:
        return self.ca.public_bytes(serialization.Encoding.PEM)

    def key_pem(self, key: ec.EllipticCurvePrivateKey | None = None) -> bytes:
        """A private key in PKCS#8 PEM (the CA's unless another is given)."""
        return (key or self.key).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def parsed(self, **kwargs: object) -> ParsedCertificate:
        (parsed,) = parse_certificate_upload(self.pem(**kwargs), "cert.pem")
        return parsed

    def uploaded(self, pem: bytes | None = None, **kwargs: object) -> UploadedCertificate:
        """An Active-or-not upload as Certificate Management stores it."""
        (parsed,) = parse_certificate_upload(pem or self.pem(**kwargs), "cert.pem")
        self._next_id += 1
        return UploadedCertificate(
            operator_id=OPERATOR_ID,
            cert_id=self._next_id,
            pem=parsed.pem,
            filename="cert.pem",
            subject=parsed.subject,
            sans=parsed.sans,
            sha256=parsed.sha256,
            not_before=parsed.not_before,
            not_after=parsed.not_after,
            uploaded_at=NOW,
        )


@pytest.fixture(scope="session")
def certs() -> CertFactory:
    return CertFactory()


@pytest.fixture
def now() -> datetime:
    return NOW
