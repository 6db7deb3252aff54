"""Certificate building blocks on top of ``cryptography``: keys, names, extensions, signing.

Everything here is RSA 2048 with SHA-256, like the real Hubject chain
(see the reference notes on the Hubject CA, certificates.md section 2.3).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mockpki.errors import PKIError

KEY_SIZE = 2048
PUBLIC_EXPONENT = 65537
# Certificates start a day in the past so that a peer whose clock lags a little still accepts them.
CLOCK_SKEW = timedelta(days=1)
# Hubject's guide: user certificates are valid for two years, its CA for ten and twenty.
LEAF_LIFETIME = timedelta(days=730)
INTERMEDIATE_LIFETIME = timedelta(days=3652)
ROOT_LIFETIME = timedelta(days=7305)
# CAs start a year back, so that certificates dated in the past (an expired partner certificate)
# were issued while their CA was valid and fail for their own dates only.
CA_BACKDATE = timedelta(days=365)

# Names that mean "this machine": a certificate for one of them covers the others too,
# so that https://localhost:… and https://127.0.0.1:… both work.
_LOOPBACK_NAMES = ("localhost", "127.0.0.1")

EKU_CHOICES = ("client", "server", "both")
_EKU_OIDS = {
    "client": (ExtendedKeyUsageOID.CLIENT_AUTH,),
    "server": (ExtendedKeyUsageOID.SERVER_AUTH,),
    "both": (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH),
}

Extension = tuple[x509.ExtensionType, bool]


def new_key() -> rsa.RSAPrivateKey:
    """A fresh RSA 2048 key (the size Hubject uses)."""
    return rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=KEY_SIZE)


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Treat a naive datetime as UTC (like trustme does) and convert aware ones to UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def validity(
    not_before: datetime | None, not_after: datetime | None, lifetime: timedelta
) -> tuple[datetime, datetime]:
    """Fill in missing validity bounds around the given ones, and check that they are in order."""
    now = utc_now()
    start = as_utc(not_before) if not_before is not None else None
    end = as_utc(not_after) if not_after is not None else None
    if start is None:
        start = now - CLOCK_SKEW if end is None else min(now - CLOCK_SKEW, end - CLOCK_SKEW)
    if end is None:
        end = max(now, start) + lifetime
    if end <= start:
        raise PKIError(
            f"not_after {end.isoformat()} is not later than not_before {start.isoformat()}: "
            "pass a validity period that ends after it starts"
        )
    return start, end


def ca_validity(lifetime: timedelta) -> tuple[datetime, datetime]:
    """The validity of a new CA certificate: from a year ago, for ``lifetime``."""
    start = utc_now() - CA_BACKDATE
    return start, start + lifetime


def make_name(
    common_name: str,
    *,
    organizational_unit: str | None = None,
    organization: str | None = None,
    country: str | None = None,
) -> x509.Name:
    """A subject name in the usual order C, O, OU, CN, leaving out the parts not given."""
    parts = [
        (NameOID.COUNTRY_NAME, country),
        (NameOID.ORGANIZATION_NAME, organization),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, organizational_unit),
        (NameOID.COMMON_NAME, common_name),
    ]
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in parts if value])


def host_names(host: str, extra_hosts: Iterable[str] = ()) -> list[x509.GeneralName]:
    """Subject alternative names covering ``host`` (first), then ``extra_hosts``.

    A loopback host brings in its sibling (``localhost`` <-> ``127.0.0.1``).
    """
    wanted = [host, *extra_hosts]
    if any(name in _LOOPBACK_NAMES for name in wanted):
        wanted.extend(_LOOPBACK_NAMES)
    unique = list(dict.fromkeys(wanted))
    return [_general_name(name) for name in unique]


def _general_name(host: str) -> x509.GeneralName:
    if _is_ip(host):
        return x509.IPAddress(ipaddress.ip_address(host))
    if host and host.isascii() and not any(c in host for c in "/:@ "):
        return x509.DNSName(host)
    raise PKIError(
        f"host {host!r} is not a DNS name or IP address: pass a bare host such as "
        "'localhost' or 'cpo.example.com' (IDNA-encode non-ASCII names)"
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def extended_key_usage(eku: str) -> x509.ExtendedKeyUsage:
    """The EKU extension for ``"client"``, ``"server"`` or ``"both"``."""
    if eku not in _EKU_OIDS:
        choices = ", ".join(repr(c) for c in EKU_CHOICES)
        raise PKIError(f"unknown extended key usage {eku!r}: use one of {choices}")
    return x509.ExtendedKeyUsage(list(_EKU_OIDS[eku]))


def leaf_extensions(eku: str, names: Sequence[x509.GeneralName]) -> list[Extension]:
    """Extensions of an end-entity certificate: not a CA, TLS key usages, the EKU, the SAN."""
    extensions: list[Extension] = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_leaf_key_usage(), True),
        (extended_key_usage(eku), False),
    ]
    if names:
        extensions.append((x509.SubjectAlternativeName(list(names)), False))
    return extensions


def ca_extensions(path_length: int | None, *, is_root: bool) -> list[Extension]:
    """Extensions of a CA certificate, with the key usages of the real Hubject CA certificates."""
    key_usage = _ca_key_usage(digital_signature=not is_root)
    return [
        (x509.BasicConstraints(ca=True, path_length=path_length), True),
        (key_usage, True),
    ]


def _leaf_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _ca_key_usage(*, digital_signature: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def sign_certificate(
    subject: x509.Name,
    public_key: rsa.RSAPublicKey,
    issuer: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    period: tuple[datetime, datetime],
    extensions: Sequence[Extension],
) -> x509.Certificate:
    """Sign a certificate with SHA-256, adding the subject and authority key identifiers."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(period[0])
        .not_valid_after(period[1])
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer_key, hashes.SHA256())


def certificate_pem(certificate: x509.Certificate) -> bytes:
    """The PEM encoding of one certificate."""
    return certificate.public_bytes(serialization.Encoding.PEM)


def key_pem(key: rsa.RSAPrivateKey) -> bytes:
    """The unencrypted PKCS#8 PEM encoding of a private key."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_rsa_key(data: bytes, source: str) -> rsa.RSAPrivateKey:
    """Parse an unencrypted PEM RSA private key; ``source`` names it in errors."""
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise PKIError(
            f"{source} does not hold an unencrypted PEM private key ({error}): "
            "recreate the PKI with `hubsim pki init`"
        ) from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise PKIError(f"{source} holds a {type(key).__name__}, not an RSA key: use an RSA key")
    return key
