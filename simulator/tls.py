"""The one client-side TLS builder of the hub.

Every call the hub makes to a CPO goes through a context built here:

* the hub always presents its service certificate as the TLS client certificate
  (Hubject includes its certificate in all outgoing calls);
* "Hubject certificate": the CPO's server certificate must chain to the mock Hubject CA;
* "User certificate": the operator's active uploaded certificates are the only trust anchors
  (the HBS keeps no list of trusted CAs), and an uploaded leaf works as an anchor;
* both modes check the host name and refuse anything below TLS 1.2.

Contexts are cached per configuration: building one loads keys and certificates, which is
far too slow to do per request, and aiohttp pools connections per context.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from simulator.model import ServerCertification


@dataclass(frozen=True)
class ClientIdentity:
    """The hub's service certificate (leaf + chain) and its key, as files."""

    cert_chain: Path
    key: Path


@dataclass(frozen=True)
class ServerTrust:
    """What the hub trusts when it verifies a CPO's server certificate."""

    mode: ServerCertification
    anchors_pem: tuple[str, ...]  # Hubject CA chain, or the active uploaded certificates
    # User mode: the uploads that are not Active, as (SHA-256, "filename, Expired since …"),
    # so that a backend still serving one is told so rather than told to upload it.
    retired: tuple[tuple[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        return not any(pem.strip() for pem in self.anchors_pem)


def build_client_context(identity: ClientIdentity, trust: ServerTrust) -> ssl.SSLContext:
    """Build a verifying client context for one (identity, trust) configuration."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # starts with an empty trust store
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    if trust.mode is ServerCertification.USER:
        # An uploaded leaf is a pin, not a CA: let a partial chain end at it.
        ctx.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    for pem in trust.anchors_pem:
        ctx.load_verify_locations(cadata=pem)
    ctx.load_cert_chain(str(identity.cert_chain), str(identity.key))
    return ctx


def build_probe_context(identity: ClientIdentity | None) -> ssl.SSLContext:
    """A context that verifies nothing, used only to see which certificate an endpoint presents.

    The diagnosis of an untrusted server certificate names what was presented; the verifying
    handshake has failed by then, so a second, non-verifying handshake fetches it.
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if identity is not None:
        ctx.load_cert_chain(str(identity.cert_chain), str(identity.key))
    return ctx


def build_legacy_probe_context(identity: ClientIdentity | None = None) -> ssl.SSLContext:
    """A context that accepts any TLS version, to learn which version an endpoint speaks."""
    ctx = build_probe_context(identity)
    ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # old versions need the old cipher suites
    return ctx


def build_pinned_probe_context(
    identity: ClientIdentity | None, version: ssl.TLSVersion
) -> ssl.SSLContext:
    """A non-verifying probe context that speaks exactly ``version``.

    Pinned to TLS 1.2, a server judges the client certificate inside the handshake, where
    its refusal is an alert the client reads before it has sent anything.
    """
    ctx = build_probe_context(identity)
    ctx.minimum_version = ctx.maximum_version = version
    return ctx


class ClientContextCache:
    """One SSL context per configuration, reused for every request that shares it."""

    def __init__(self) -> None:
        self._contexts: dict[tuple[ClientIdentity, ServerTrust], ssl.SSLContext] = {}

    def get(self, identity: ClientIdentity, trust: ServerTrust) -> ssl.SSLContext:
        key = (identity, trust)
        ctx = self._contexts.get(key)
        if ctx is None:
            ctx = build_client_context(identity, trust)
            self._contexts[key] = ctx
        return ctx

    def clear(self) -> None:
        """Forget every context, e.g. after the hub's service certificate was renewed."""
        self._contexts.clear()

    def __len__(self) -> int:
        return len(self._contexts)
