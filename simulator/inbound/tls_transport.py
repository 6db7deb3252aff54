"""The transport aiohttp's request handler sees behind the TLS front, and what it exposes.

aiohttp's protocol writes responses with ``transport.write``, pauses reading under load and
closes the connection with ``transport.close``; :class:`DecryptedTransport` routes each of
these through the TLS front (encrypting, or sending close_notify) and answers
``get_extra_info`` like an SSL transport would, plus :data:`CLIENT_CERTIFICATE`.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography import x509
from cryptography.x509.oid import NameOID

from mockpki.inspect import CertificateInfo, describe_der

Buffer = bytes | bytearray | memoryview

CLIENT_CERTIFICATE = "hubsim_client_certificate"
"""The ``get_extra_info`` key of the :class:`ClientCertificate` of a connection."""


@dataclass(frozen=True)
class VerifyError:
    """One certificate verification error OpenSSL reported during the handshake."""

    code: int
    depth: int
    message: str

    def __str__(self) -> str:
        return f"{self.message} (X509 error {self.code} at depth {self.depth})"


@dataclass(frozen=True)
class ClientCertificate:
    """What the TLS front learned about a connection's client certificate.

    ``der`` is the leaf the client sent (None when it sent none), ``verify_errors`` every
    error of its verification against the mock Hubject CA (empty when it chains correctly).
    """

    der: bytes | None
    verify_errors: tuple[VerifyError, ...]
    protocol: str = ""

    @property
    def presented(self) -> bool:
        return self.der is not None

    @property
    def verified(self) -> bool:
        return self.der is not None and not self.verify_errors

    def info(self) -> CertificateInfo | None:
        """Subject, issuer, fingerprint … of the leaf, or None without one."""
        return None if self.der is None else describe_der(self.der)

    def partner_ids(self) -> frozenset[str]:
        """The IDs the certificate stands for: its subject's CN and OU values.

        A mock convention: the mock PKI issues partner certificates with CN = OU = the
        OperatorID or ProviderID (``hubsim pki init``), since Hubject's own subject layout
        is not published (certificates digest §2.5).
        """
        if self.der is None:
            return frozenset()
        return _partner_ids(self.der)


# Parsing the certificate took about 6% of the hub's main thread on every EMP request; the
# same few partner certificates come back on every connection.
@functools.lru_cache(maxsize=256)
def _partner_ids(der: bytes) -> frozenset[str]:
    subject = x509.load_der_x509_certificate(der).subject
    values = [
        attribute.value
        for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME)
        for attribute in subject.get_attributes_for_oid(oid)
    ]
    return frozenset(str(v) for v in values)


class Front(Protocol):
    """What the transport needs from the TLS front."""

    def send(self, data: bytes) -> None: ...

    def close(self) -> None: ...


class DecryptedTransport(asyncio.Transport):
    """The plaintext side of one TLS connection, as aiohttp's protocol uses it."""

    def __init__(self, front: Front, raw: asyncio.Transport, client: ClientCertificate) -> None:
        super().__init__(extra={CLIENT_CERTIFICATE: client})
        self._front = front
        self._raw = raw
        self._closing = False
        self._protocol: asyncio.BaseProtocol | None = None

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        if name == CLIENT_CERTIFICATE:
            return super().get_extra_info(name, default)
        if name == "sslcontext":
            return True  # aiohttp only tests it for truth: request.secure, scheme "https"
        if name in ("ssl_object", "peercert", "cipher", "compression"):
            return default  # not a stdlib SSL transport: read CLIENT_CERTIFICATE instead
        return self._raw.get_extra_info(name, default)

    def write(self, data: Buffer) -> None:
        if not self._closing:
            self._front.send(bytes(data))

    def writelines(self, list_of_data: Iterable[Buffer]) -> None:
        self.write(b"".join(bytes(d) for d in list_of_data))

    def can_write_eof(self) -> bool:
        return False

    def write_eof(self) -> None:
        raise NotImplementedError("TLS connections cannot half-close; close() them")

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            self._front.close()

    def abort(self) -> None:
        self._closing = True
        self._raw.abort()

    def is_closing(self) -> bool:
        return self._closing or self._raw.is_closing()

    def pause_reading(self) -> None:
        self._raw.pause_reading()

    def resume_reading(self) -> None:
        self._raw.resume_reading()

    def is_reading(self) -> bool:
        return self._raw.is_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._raw.set_write_buffer_limits(high, low)

    def get_write_buffer_size(self) -> int:
        return self._raw.get_write_buffer_size()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._protocol = protocol

    def get_protocol(self) -> asyncio.BaseProtocol:
        assert self._protocol is not None
        return self._protocol
