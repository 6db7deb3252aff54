"""The bad-certificate pack: clients the endpoint must refuse, each one tried for real.

The pack comes from :func:`mockpki.bad_client_certificates`, issued from the PKI folder's
CA keys with the hub's service name as subject: no certificate, self-signed, issued by a
foreign CA, expired, not yet valid, and server-only extended key usage. Each is presented
with a probe context from :mod:`simulator.tls` on a harmless request (a stop for a
SessionID that does not exist).

A bad client counts as *accepted* when an HTTP answer other than 4xx comes back, or when no
refusal arrives before the timeout (with TLS 1.3 a refusal arrives right after the client's
handshake, as an alert or a reset on the first read). It counts as *refused* on a TLS alert,
a reset, a closed connection or an HTTP 4xx answer (as NGINX's 400 "No required SSL
certificate was sent").
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass
from pathlib import Path

from mockpki import BadClientCertificate, MockHubjectPKI, PKIError, bad_client_certificates
from mockpki.inspect import describe_certificate, load_pem_chain
from oicp import RemoteRequest
from simulator.check.calls import Call, CheckClient
from simulator.tls import ClientIdentity, build_probe_context

# Issued packs by (PKI folder, name), with when they were issued: the expired and not-yet-valid
# certificates sit 30 days from their issue time, so a long-running hub renews its pack daily.
_PACKS: dict[tuple[Path, str], tuple[float, tuple[BadClientCertificate, ...]]] = {}
_PACK_LIFETIME_S = 24 * 3600.0
_FALLBACK_NAME = "service-qa.hubject.com"


@dataclass(frozen=True)
class PackVerdict:
    """How the endpoint treated one bad client."""

    name: str
    description: str
    accepted: bool
    observed: str  # "HTTP 200", "ClientOSError: … TLSV13_ALERT_CERTIFICATE_REQUIRED …"

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "description": self.description,
            "accepted": self.accepted,
            "observed": self.observed,
        }


class PackUnavailable(Exception):
    """The pack cannot be issued (the PKI folder lacks the CA keys)."""


async def load_pack(
    pki_dir: Path | None, identity: ClientIdentity
) -> tuple[BadClientCertificate, ...]:
    """The pack for the hub's service name, issued once per PKI folder (key generation is slow)."""
    if pki_dir is None:
        raise PackUnavailable("no PKI folder is known")
    name = service_name(identity)
    key = (pki_dir.resolve(), name)
    issued = _PACKS.get(key)
    if issued is None or time.monotonic() - issued[0] > _PACK_LIFETIME_S:
        issued = (time.monotonic(), await asyncio.to_thread(_issue, pki_dir, name))
        _PACKS[key] = issued
    return issued[1]


def _issue(pki_dir: Path, name: str) -> tuple[BadClientCertificate, ...]:
    try:
        pki = MockHubjectPKI.load(pki_dir)
    except (PKIError, OSError) as exc:
        raise PackUnavailable(str(exc)) from None
    return tuple(bad_client_certificates(pki, name))


def service_name(identity: ClientIdentity) -> str:
    """The common name of the hub's service certificate (what the bad clients pretend to be)."""
    try:
        leaf = load_pem_chain(identity.cert_chain.read_bytes())[0]
    except (OSError, PKIError):
        return _FALLBACK_NAME
    return describe_certificate(leaf).common_name or _FALLBACK_NAME


def pack_context(bad: BadClientCertificate) -> ssl.SSLContext:
    """A non-verifying client context presenting ``bad`` (or no certificate at all)."""
    ctx = build_probe_context(None)
    if bad.leaf is not None:
        bad.leaf.configure_cert(ctx)
    return ctx


async def try_pack(
    client: CheckClient,
    pack: tuple[BadClientCertificate, ...],
    base: Call,
    request: RemoteRequest,
) -> list[PackVerdict]:
    """Present every bad client at once on ``request``; one verdict each, in pack order."""
    return list(await asyncio.gather(*(_try_one(client, bad, base, request) for bad in pack)))


async def _try_one(
    client: CheckClient, bad: BadClientCertificate, base: Call, request: RemoteRequest
) -> PackVerdict:
    call = Call(base.url, pack_context(bad), base.timeout_s, base.mode_label, base.expected)
    try:
        answer = await client.post(call, request.to_wire(explicit_nulls=True))
    except TimeoutError:  # aiohttp's timeouts are TimeoutError too
        seen = f"no refusal within {base.timeout_s:g} s: the connection stayed open"
        return PackVerdict(bad.name, bad.description, True, seen)
    except Exception as exc:  # any refusal: an alert, a reset, a closed connection
        return PackVerdict(bad.name, bad.description, False, _short(exc))
    accepted = not 400 <= answer.status < 500
    return PackVerdict(bad.name, bad.description, accepted, f"HTTP {answer.status}")


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 200 else text[:199] + "…"
