"""Certificate Management: parsing uploads and deciding which hosts a certificate covers.

In "User certificate" mode the hub trusts only what the CPO uploaded in Certificate Management
(certificates.md §3.3-3.4): the certificate its HTTPS endpoint presents, or the CA that issued it.
Hubject accepts only ``.pem`` and ``.crt`` files and never a private key, so neither do we.

Host coverage follows what Python's ``ssl`` module (OpenSSL with partial wildcards disabled and
``hostname_checks_common_name`` on) accepts during the handshake, so that the portal's warnings
agree with what the sender will later see.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import PurePath
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtensionOID, NameOID

from simulator.model import CertificateStatus, ServerCertification, UploadedCertificate
from simulator.tls import ServerTrust

__all__ = [
    "CertificateUploadError",
    "ParsedCertificate",
    "active_certificates_for_host",
    "certificate_covers_host",
    "certificate_is_ca",
    "parse_certificate_upload",
    "urls_covered",
]

# Hubject's Certificate Management accepts only these (certificates.md §3.3). A name without an
# extension is accepted too, for certificates pasted as text or piped into the CLI.
ACCEPTED_EXTENSIONS = (".pem", ".crt")

# The BEGIN and END lines of PEM blocks. The scan pairs them in one pass: a pattern spanning a
# whole block (BEGIN, anything, END) searches to the end of the upload for every unmatched
# BEGIN line, which is quadratic in an upload of many of them (issue 14).
_PEM_MARKER = re.compile(rb"-----(BEGIN|END) ([A-Z0-9 ]+)-----")


class CertificateUploadError(ValueError):
    """An upload was refused; the message says why and what to upload instead."""


@dataclass(frozen=True)
class ParsedCertificate:
    """One certificate from an upload, with what Certificate Management shows about it."""

    pem: str
    subject: str  # RFC 4514, e.g. "CN=cpo.example.com,O=Example CPO"
    issuer: str
    sans: tuple[str, ...]  # "DNS:localhost", "IP:127.0.0.1", …
    sha256: str  # colon-separated upper-case hex of the DER encoding
    not_before: datetime  # aware, UTC
    not_after: datetime  # aware, UTC
    is_ca: bool = False

    def status(self, now: datetime) -> CertificateStatus:
        """Active, Expired or Not yet valid at ``now``, as Certificate Management shows it."""
        if now < self.not_before:
            return CertificateStatus.NOT_YET_VALID
        if now > self.not_after:
            return CertificateStatus.EXPIRED
        return CertificateStatus.ACTIVE


# --- parsing uploads -------------------------------------------------------------------------


def parse_certificate_upload(data: bytes, filename: str) -> list[ParsedCertificate]:
    """Parse an uploaded ``.pem``/``.crt``: one certificate or a chain, all or nothing.

    Raises :class:`CertificateUploadError` for a wrong extension, an empty file, anything holding
    a private key, a certificate signing request, text that is no certificate, or corrupt PEM.
    """
    name = filename or "the upload"
    _check_extension(filename)
    if not data.strip():
        raise CertificateUploadError(
            f"{name} is empty: upload a .pem or .crt file holding the certificate "
            "your endpoint presents (or the CA that issued it)"
        )
    if b"PRIVATE KEY" in data:
        raise _private_key_error(name)
    if b"-----BEGIN" in data:
        return _parse_pem(data, name)
    return [_parse_der(data, name)]


def _check_extension(filename: str) -> None:
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix and suffix not in ACCEPTED_EXTENSIONS:
        # A .key file is the private key: the certificate is its sibling, not a conversion.
        how = (
            "upload the certificate that goes with this key (its .pem or .crt), never the key"
            if suffix == ".key"
            else "export the certificate alone as PEM "
            "(e.g. openssl x509 -in cert.der -inform der -out cert.pem)"
        )
        raise CertificateUploadError(
            f"{filename!r} has the extension {suffix!r}: only .pem and .crt files are accepted, "
            f"as in Hubject's Certificate Management; {how}"
        )


def _private_key_error(name: str) -> CertificateUploadError:
    return CertificateUploadError(
        f"{name} contains a private key — never upload keys; upload only the certificate "
        "(the -----BEGIN CERTIFICATE----- blocks) and keep the key on your server"
    )


def _parse_pem(data: bytes, name: str) -> list[ParsedCertificate]:
    blocks = _pem_blocks(data, name)
    for label, _ in blocks:
        _check_pem_label(label, name)
    return [
        _load_pem_block(block, index, len(blocks), name)
        for index, (_, block) in enumerate(blocks, start=1)
    ]


def _pem_blocks(data: bytes, name: str) -> list[tuple[str, bytes]]:
    """Each PEM block's label and bytes, BEGIN to END line; refuses unpaired lines."""
    blocks: list[tuple[str, bytes]] = []
    starts: set[int] = set()
    opened: re.Match[bytes] | None = None
    for marker in _PEM_MARKER.finditer(data):
        kind, label = marker.group(1), marker.group(2)
        if kind == b"BEGIN" and opened is None:
            opened = marker
        elif kind == b"END" and opened is not None and label == opened.group(2):
            blocks.append((label.decode("ascii"), data[opened.start() : marker.end()]))
            starts.add(opened.start())
            opened = None
        else:
            raise _corrupt_pem(name, data, opened, marker)
    if opened is not None:
        raise _corrupt_pem(name, data, opened, None)
    if len(blocks) != data.count(b"-----BEGIN"):
        raise _unreadable_begin(name, data, starts)
    return blocks


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _corrupt_pem(
    name: str, data: bytes, opened: re.Match[bytes] | None, found: re.Match[bytes] | None
) -> CertificateUploadError:
    """An unpaired line: the BEGIN left open, or an END (``found``) that follows no BEGIN."""
    if opened is not None:
        label = opened.group(2).decode("ascii")
        what = f"-----BEGIN {label}----- has no matching -----END {label}----- line"
        offset = opened.start()
    else:
        assert found is not None
        label = found.group(2).decode("ascii")
        what = f"-----END {label}----- follows no -----BEGIN {label}----- line"
        offset = found.start()
    return CertificateUploadError(
        f"{name} holds corrupt PEM: on its line {_line_of(data, offset)}, {what}; "
        "export the certificate again"
    )


def _unreadable_begin(name: str, data: bytes, known: set[int]) -> CertificateUploadError:
    offset = data.find(b"-----BEGIN")
    while offset in known:
        offset = data.find(b"-----BEGIN", offset + 1)
    return CertificateUploadError(
        f"{name} holds corrupt PEM: its line {_line_of(data, offset)} starts a -----BEGIN line "
        "without a label of capitals, digits and spaces and the closing '-----' "
        "(e.g. -----BEGIN CERTIFICATE-----); export the certificate again"
    )


def _check_pem_label(label: str, name: str) -> None:
    if label == "CERTIFICATE":
        return
    if "REQUEST" in label:
        raise CertificateUploadError(
            f"{name} holds a certificate signing request ({label}), not a certificate: "
            "upload the certificate that was issued from it"
        )
    raise CertificateUploadError(
        f"{name} holds a {label} block: upload only certificates "
        "(-----BEGIN CERTIFICATE----- blocks), one or a chain"
    )


def _corrupt_block() -> str:
    # cryptography's own words end in a Rust parser's debug dump or a FAQ link; what the user
    # needs is only that the block between the BEGIN and END lines is not a certificate.
    return "the text between its BEGIN and END lines is not a readable certificate"


def _load_pem_block(block: bytes, index: int, count: int, name: str) -> ParsedCertificate:
    try:
        cert = x509.load_pem_x509_certificate(block)
    except ValueError:
        where = f"certificate {index} of {count} in {name}" if count > 1 else name
        raise CertificateUploadError(
            f"{where} is corrupt PEM ({_corrupt_block()}); export the certificate again"
        ) from None
    return _describe(cert)


def _parse_der(data: bytes, name: str) -> ParsedCertificate:
    if name.lower().endswith(".pem"):
        raise CertificateUploadError(
            f"{name} is not a PEM certificate: it has no -----BEGIN CERTIFICATE----- line; "
            "upload the certificate your endpoint presents, in PEM"
        )
    try:
        return _describe(x509.load_der_x509_certificate(data))
    except ValueError:
        pass
    if _is_der_private_key(data):
        raise _private_key_error(name)
    raise CertificateUploadError(
        f"{name} does not contain a certificate: expected PEM text starting with "
        "-----BEGIN CERTIFICATE----- (or one DER certificate in a .crt file)"
    )


def _is_der_private_key(data: bytes) -> bool:
    try:
        serialization.load_der_private_key(data, password=None)
    except TypeError:
        return True  # an encrypted key: it needs a password, so it is a key
    except (ValueError, UnsupportedAlgorithm):
        return False
    return True


def _describe(cert: x509.Certificate) -> ParsedCertificate:
    return ParsedCertificate(
        pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        sans=_sans(cert),
        sha256=_fingerprint(cert.fingerprint(hashes.SHA256())),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        is_ca=_is_ca(cert),
    )


def _fingerprint(digest: bytes) -> str:
    return ":".join(f"{byte:02X}" for byte in digest)


def _sans(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    sans = [f"DNS:{n}" for n in names.get_values_for_type(x509.DNSName)]
    sans += [f"IP:{ip}" for ip in names.get_values_for_type(x509.IPAddress)]
    sans += [f"URI:{uri}" for uri in names.get_values_for_type(x509.UniformResourceIdentifier)]
    sans += [f"email:{mail}" for mail in names.get_values_for_type(x509.RFC822Name)]
    return tuple(sans)


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        ext = cert.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS)
    except x509.ExtensionNotFound:
        return False
    value = ext.value
    return isinstance(value, x509.BasicConstraints) and value.ca


# --- host coverage ----------------------------------------------------------------------------


def certificate_covers_host(cert: ParsedCertificate | UploadedCertificate, host: str) -> bool:
    """Whether the certificate's names cover ``host``, as a TLS host name check would decide.

    IP hosts match only ``IP:`` SANs. Names match ``DNS:`` SANs, where ``*.example.com`` covers
    exactly one label; the subject CN is used only when there is no DNS SAN at all.
    """
    host = host.strip().rstrip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    ip = _ip_or_none(host)
    if ip is not None:
        return any(_ip_or_none(san[3:]) == ip for san in cert.sans if san.startswith("IP:"))
    dns_names = [san[4:] for san in cert.sans if san.startswith("DNS:")]
    if not dns_names:
        dns_names = _common_names(cert.subject)
    return any(_name_matches(pattern, host) for pattern in dns_names)


def _ip_or_none(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _name_matches(pattern: str, host: str) -> bool:
    pattern = pattern.rstrip(".").lower()
    if not pattern.startswith("*."):
        return pattern == host
    # OpenSSL (as Python configures it) accepts a wildcard only as a whole left-most label, with
    # at least two labels after it, and lets it stand for exactly one label.
    suffix = pattern[2:]
    if "*" in suffix or suffix.count(".") < 1:
        return False
    label, _, rest = host.partition(".")
    return bool(label) and rest == suffix


@lru_cache(maxsize=256)
def _common_names(subject: str) -> list[str]:
    try:
        name = x509.Name.from_rfc4514_string(subject)
    except ValueError:
        return []
    return [str(attr.value) for attr in name.get_attributes_for_oid(NameOID.COMMON_NAME)]


def certificate_is_ca(cert: ParsedCertificate | UploadedCertificate) -> bool:
    """Whether the certificate is a CA (basic constraints CA:TRUE).

    An uploaded CA can vouch for whatever certificate the endpoint presents, so it does not
    need to cover the Service URL's host itself; the handshake checks the host name then.
    """
    if isinstance(cert, ParsedCertificate):
        return cert.is_ca
    return _pem_is_ca(cert.pem)


@lru_cache(maxsize=256)
def _pem_is_ca(pem: str) -> bool:
    try:
        return _is_ca(x509.load_pem_x509_certificate(pem.encode("ascii")))
    except (ValueError, UnicodeEncodeError):
        return False


def active_certificates_for_host(
    certificates: Sequence[UploadedCertificate], host: str, now: datetime
) -> list[UploadedCertificate]:
    """The Active uploads the hub could verify ``host`` with: those covering it, and CAs."""
    return [
        cert
        for cert in certificates
        if cert.status(now) is CertificateStatus.ACTIVE and _could_vouch_for(cert, host)
    ]


def user_trust(certificates: Sequence[UploadedCertificate], now: datetime) -> ServerTrust:
    """What the hub trusts in User certificate mode: the Active uploads, and the others
    remembered by fingerprint so that the diagnosis can say one is being served."""
    active = sorted(c.pem for c in certificates if c.status(now) is CertificateStatus.ACTIVE)
    retired = tuple(
        (c.sha256, f"{c.filename} ({_status_words(c, now)})")
        for c in certificates
        if c.status(now) is not CertificateStatus.ACTIVE
    )
    return ServerTrust(ServerCertification.USER, tuple(active), retired)


def _status_words(cert: UploadedCertificate, now: datetime) -> str:
    if cert.status(now) is CertificateStatus.EXPIRED:
        return f"Expired since {cert.not_after:%Y-%m-%d %H:%M} UTC"
    return f"Not yet valid, until {cert.not_before:%Y-%m-%d %H:%M} UTC"


def _could_vouch_for(cert: ParsedCertificate | UploadedCertificate, host: str) -> bool:
    return certificate_covers_host(cert, host) or certificate_is_ca(cert)


def urls_covered(cert: ParsedCertificate | UploadedCertificate, urls: Sequence[str]) -> list[str]:
    """The URLs among ``urls`` the hub could verify with the certificate: those whose host its
    own names cover (SAN, or CN), and every one for a CA, which vouches for what it issued.

    The same rule decides whether an upload silences the "no Active certificate covers"
    warning (:func:`active_certificates_for_host`), so the list and the warning agree.
    """
    covered = []
    for url in urls:
        host = _host_of(url)
        if host is not None and _could_vouch_for(cert, host):
            covered.append(url)
    return covered


def _host_of(url: str) -> str | None:
    try:
        return urlsplit(url.strip()).hostname
    except ValueError:
        return None
