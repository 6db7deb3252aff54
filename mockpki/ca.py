"""A small certificate authority and the leaf certificates it issues.

:class:`CertificateAuthority` is the engine behind the mock Hubject CA and behind the
"foreign" CA that tests use for certificates Hubject did not sign. :class:`LeafCertificate`
is the value every issuing helper returns: PEM bytes that can go to memory or to files.
"""

from __future__ import annotations

import ssl
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from mockpki import _x509
from mockpki.errors import PKIError
from mockpki.files import write_public, write_secret
from mockpki.inspect import CertificateInfo, describe_certificate, load_pem_chain


@dataclass(frozen=True)
class LeafCertificate:
    """An end-entity certificate with its key.

    ``cert_pem`` is the leaf alone, ``chain_pem`` the leaf followed by the intermediates
    a peer needs to reach the root (equal to ``cert_pem`` for self-signed and root-issued
    leaves), ``key_pem`` the unencrypted PKCS#8 private key.
    """

    cert_pem: bytes
    chain_pem: bytes
    key_pem: bytes

    @property
    def certificate(self) -> x509.Certificate:
        """The parsed leaf certificate."""
        return x509.load_pem_x509_certificate(self.cert_pem)

    def describe(self) -> CertificateInfo:
        """Subject, issuer, names, fingerprint and validity of the leaf."""
        return describe_certificate(self.certificate)

    def write(self, cert_path: Path, key_path: Path) -> None:
        """Write the chain (leaf first) to ``cert_path``, the key (mode 0o600) to ``key_path``."""
        write_public(cert_path, self.chain_pem)
        write_secret(key_path, self.key_pem)

    def configure_cert(self, context: ssl.SSLContext) -> None:
        """Make ``context`` present this certificate and its chain (server or client side)."""
        with tempfile.TemporaryDirectory(prefix="mockpki-") as directory:
            cert_path, key_path = Path(directory) / "cert.pem", Path(directory) / "key.pem"
            self.write(cert_path, key_path)
            context.load_cert_chain(cert_path, key_path)


def _leaf(
    certificate: x509.Certificate, key: rsa.RSAPrivateKey, chain: Sequence[x509.Certificate]
) -> LeafCertificate:
    cert_pem = _x509.certificate_pem(certificate)
    chain_pem = cert_pem + b"".join(_x509.certificate_pem(c) for c in chain)
    return LeafCertificate(cert_pem=cert_pem, chain_pem=chain_pem, key_pem=_x509.key_pem(key))


class CertificateAuthority:
    """A CA holding its certificate and key in memory, able to issue leaves and child CAs.

    ``parents`` are the CA certificates between this one and the root, nearest first and
    without the root: what a leaf's chain needs after this CA's own certificate.
    """

    def __init__(
        self,
        certificate: x509.Certificate,
        private_key: rsa.RSAPrivateKey,
        parents: Sequence[x509.Certificate] = (),
    ) -> None:
        if private_key.public_key().public_numbers() != _public_numbers(certificate):
            raise PKIError(
                f"the CA key does not belong to {certificate.subject.rfc4514_string()}: "
                "pass the key that was written with that certificate"
            )
        self.certificate = certificate
        self.private_key = private_key
        self.parents = tuple(parents)

    @classmethod
    def create_root(
        cls,
        subject: x509.Name,
        *,
        path_length: int | None = None,
        lifetime: timedelta | None = None,
    ) -> CertificateAuthority:
        """A new self-signed root CA with a fresh RSA 2048 key."""
        key = _x509.new_key()
        period = _x509.ca_validity(lifetime or _x509.ROOT_LIFETIME)
        extensions = _x509.ca_extensions(path_length, is_root=True)
        cert = _x509.sign_certificate(subject, key.public_key(), subject, key, period, extensions)
        return cls(cert, key)

    @classmethod
    def from_pem(
        cls, cert_pem: bytes, key_pem: bytes, parents_pem: bytes = b""
    ) -> CertificateAuthority:
        """Rebuild a CA from its PEM certificate and key (and its parents, nearest first)."""
        certificate = load_pem_chain(cert_pem)[0]
        parents = load_pem_chain(parents_pem) if parents_pem.strip() else []
        key = _x509.load_rsa_key(key_pem, "the CA key")
        return cls(certificate, key, parents)

    def create_intermediate(
        self,
        subject: x509.Name,
        *,
        path_length: int | None = None,
        lifetime: timedelta | None = None,
    ) -> CertificateAuthority:
        """A new CA signed by this one, with a fresh RSA 2048 key."""
        key = _x509.new_key()
        period = _x509.ca_validity(lifetime or _x509.INTERMEDIATE_LIFETIME)
        extensions = _x509.ca_extensions(path_length, is_root=False)
        cert = self._sign(subject, key, period, extensions)
        return CertificateAuthority(cert, key, self._chain_for_leaves())

    @property
    def name(self) -> str:
        """The CA's common name (``Hubject Intermediate CA IT``)."""
        values = self.certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        return str(values[0].value) if values else self.certificate.subject.rfc4514_string()

    @property
    def cert_pem(self) -> bytes:
        """This CA's certificate alone, PEM."""
        return _x509.certificate_pem(self.certificate)

    @property
    def key_pem(self) -> bytes:
        """This CA's private key, unencrypted PKCS#8 PEM."""
        return _x509.key_pem(self.private_key)

    def issue_server_cert(
        self,
        host: str,
        *,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        extra_hosts: Sequence[str] = (),
    ) -> LeafCertificate:
        """A TLS server certificate (EKU serverAuth) with CN ``host`` and SANs for every host.

        A loopback host also covers its sibling: ``localhost`` brings ``127.0.0.1`` and back.
        """
        names = _x509.host_names(host, extra_hosts)
        subject = _x509.make_name(host)
        extensions = _x509.leaf_extensions("server", names)
        return self._issue(subject, (not_before, not_after), extensions)

    def issue_client_cert(
        self,
        common_name: str,
        *,
        organizational_unit: str | None = None,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        eku: str = "client",
        organization: str | None = None,
    ) -> LeafCertificate:
        """A TLS client certificate with subject (O, OU,) CN and no SAN.

        ``eku`` is ``"client"`` (clientAuth), ``"server"`` (serverAuth only: a certificate a
        strict server must refuse as client identity) or ``"both"``.
        """
        subject = _x509.make_name(
            common_name, organizational_unit=organizational_unit, organization=organization
        )
        extensions = _x509.leaf_extensions(eku, ())
        return self._issue(subject, (not_before, not_after), extensions)

    def configure_trust(self, context: ssl.SSLContext) -> None:
        """Make ``context`` trust this CA (and its parents, so a partial chain also verifies)."""
        context.load_verify_locations(cadata=self.chain_pem.decode("ascii"))

    @property
    def chain_pem(self) -> bytes:
        """This CA's certificate followed by its parents (without the root), PEM."""
        return b"".join(_x509.certificate_pem(c) for c in (self.certificate, *self.parents))

    def to_trustme(self) -> trustme.CA:
        """This CA as a ``trustme.CA`` (e.g. for ``configure_trust`` on a pyOpenSSL context).

        trustme treats it as a root: leaves it issues carry no intermediates in their chain.
        """
        return trustme.CA.from_pem(self.cert_pem, self.key_pem)

    def _issue(
        self,
        subject: x509.Name,
        bounds: tuple[datetime | None, datetime | None],
        extensions: list[_x509.Extension],
    ) -> LeafCertificate:
        key = _x509.new_key()
        period = _x509.validity(bounds[0], bounds[1], _x509.LEAF_LIFETIME)
        cert = self._sign(subject, key, period, extensions)
        return _leaf(cert, key, self._chain_for_leaves())

    def _sign(
        self,
        subject: x509.Name,
        key: rsa.RSAPrivateKey,
        period: tuple[datetime, datetime],
        extensions: list[_x509.Extension],
    ) -> x509.Certificate:
        issuer = self.certificate.subject
        return _x509.sign_certificate(
            subject, key.public_key(), issuer, self.private_key, period, extensions
        )

    def _is_root(self) -> bool:
        return self.certificate.issuer == self.certificate.subject

    def _chain_for_leaves(self) -> tuple[x509.Certificate, ...]:
        # A peer already trusts the root: sending it is useless, so chains carry intermediates only.
        return () if self._is_root() else (self.certificate, *self.parents)


def _public_numbers(certificate: x509.Certificate) -> rsa.RSAPublicNumbers | None:
    public_key = certificate.public_key()
    return public_key.public_numbers() if isinstance(public_key, rsa.RSAPublicKey) else None


def self_signed_server_cert(
    host: str,
    *,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    extra_hosts: Sequence[str] = (),
    common_name: str | None = None,
    subject_alt_names: bool = True,
) -> LeafCertificate:
    """A self-signed server certificate for ``host`` (what a CPO uploads as "User certificate").

    CN is ``host`` (or ``common_name``); the SANs cover ``host``, ``extra_hosts`` and the
    loopback sibling, unless ``subject_alt_names`` is False (a CN-only certificate).
    """
    names = _x509.host_names(host, extra_hosts) if subject_alt_names else []
    extensions = _x509.leaf_extensions("server", names)
    subject = _x509.make_name(common_name or host)
    return _self_signed(subject, (not_before, not_after), extensions)


def self_signed_client_cert(
    common_name: str, *, organizational_unit: str | None = None
) -> LeafCertificate:
    """A self-signed client certificate (EKU clientAuth) with the given CN (and OU)."""
    subject = _x509.make_name(common_name, organizational_unit=organizational_unit)
    return _self_signed(subject, (None, None), _x509.leaf_extensions("client", ()))


def _self_signed(
    subject: x509.Name,
    bounds: tuple[datetime | None, datetime | None],
    extensions: list[_x509.Extension],
) -> LeafCertificate:
    key = _x509.new_key()
    period = _x509.validity(bounds[0], bounds[1], _x509.LEAF_LIFETIME)
    cert = _x509.sign_certificate(subject, key.public_key(), subject, key, period, extensions)
    return _leaf(cert, key, ())


FOREIGN_CA_NAME = "Foreign Test CA"


def foreign_ca() -> CertificateAuthority:
    """A root CA that is not the mock Hubject CA, for "issued by a foreign CA" tests."""
    subject = _x509.make_name(FOREIGN_CA_NAME, organization="Foreign Test Org (Mock)", country="DE")
    return CertificateAuthority.create_root(subject, path_length=1)
