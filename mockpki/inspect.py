"""Describe certificates for people: subject, issuer, names, fingerprint, validity.

Used by the PKI's own tests and by the hub and the CPO stub to show uploaded, presented
and issued certificates. Works on any X.509 certificate, not only the mock PKI's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mockpki.errors import PKIError

_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING: "codeSigning",
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "emailProtection",
    ExtendedKeyUsageOID.TIME_STAMPING: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSPSigning",
}


@dataclass(frozen=True)
class CertificateInfo:
    """What a person needs to recognise a certificate.

    ``subject`` and ``issuer`` are RFC 4514 strings (``CN=DE*ABC,OU=DE*ABC``), ``sans`` are
    written like OpenSSL does (``DNS:localhost``, ``IP:127.0.0.1``), ``sha256`` is the
    fingerprint of the DER encoding as colon-separated upper-case hex, times are aware UTC.
    """

    subject: str
    issuer: str
    sans: tuple[str, ...]
    sha256: str
    not_before: datetime
    not_after: datetime
    is_ca: bool
    self_signed: bool
    common_name: str | None = None
    serial_number: str = ""
    extended_key_usages: tuple[str, ...] = ()

    def is_expired(self, at: datetime) -> bool:
        """True when the certificate's validity ended before ``at`` (an aware datetime)."""
        return at > self.not_after

    def is_not_yet_valid(self, at: datetime) -> bool:
        """True when the certificate's validity starts after ``at`` (an aware datetime)."""
        return at < self.not_before


def describe_certificate(cert: x509.Certificate) -> CertificateInfo:
    """Describe one parsed certificate."""
    return CertificateInfo(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        sans=subject_alternative_names(cert),
        sha256=sha256_fingerprint(cert),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        is_ca=_is_ca(cert),
        self_signed=is_self_signed(cert),
        common_name=common_name(cert),
        serial_number=format(cert.serial_number, "X"),
        extended_key_usages=extended_key_usages(cert),
    )


def describe_der(der: bytes) -> CertificateInfo:
    """Describe a DER-encoded certificate (e.g. ``SSLObject.getpeercert(binary_form=True)``)."""
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError as error:
        raise PKIError(f"the {len(der)} bytes given are not a DER certificate: {error}") from error
    return describe_certificate(cert)


def load_pem_chain(data: bytes) -> list[x509.Certificate]:
    """Parse every certificate of a PEM file, in file order (leaf first for a chain).

    Raises :class:`PKIError` when ``data`` holds no PEM certificate or a malformed one.
    """
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise PKIError(
            "no PEM certificate found (expected a '-----BEGIN CERTIFICATE-----' block): "
            "pass a PEM file holding one certificate or a chain"
        )
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError as error:
        raise PKIError(f"malformed PEM certificate: {error}") from error


def sha256_fingerprint(cert: x509.Certificate) -> str:
    """The SHA-256 fingerprint as OpenSSL prints it: ``AB:CD:…``."""
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def common_name(cert: x509.Certificate) -> str | None:
    """The subject's (last) common name, or None when it has none."""
    values = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not values:
        return None
    value = values[-1].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def subject_alternative_names(cert: x509.Certificate) -> tuple[str, ...]:
    """The SAN entries written like OpenSSL does, or () when there is no SAN extension."""
    try:
        extension = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return ()
    return tuple(_format_general_name(name) for name in extension.value)


def _format_general_name(name: x509.GeneralName) -> str:
    if isinstance(name, x509.DNSName):
        return f"DNS:{name.value}"
    if isinstance(name, x509.IPAddress):
        return f"IP:{name.value}"
    if isinstance(name, x509.RFC822Name):
        return f"email:{name.value}"
    if isinstance(name, x509.UniformResourceIdentifier):
        return f"URI:{name.value}"
    if isinstance(name, x509.DirectoryName):
        return f"DirName:{name.value.rfc4514_string()}"
    return str(name)


def extended_key_usages(cert: x509.Certificate) -> tuple[str, ...]:
    """The EKU purposes by their usual short names (dotted OIDs for unusual ones)."""
    try:
        extension = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        return ()
    return tuple(_EKU_NAMES.get(oid, oid.dotted_string) for oid in extension.value)


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        extension = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        return False
    return extension.value.ca


def is_self_signed(cert: x509.Certificate) -> bool:
    """True when the certificate names itself as issuer and its own key verifies its signature."""
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
