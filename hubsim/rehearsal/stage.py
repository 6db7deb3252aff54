"""The hub side of a rehearsal: a hub in this process, configured like a CPO's account.

The backends run in their own processes (:mod:`hubsim.rehearsal.backends`); the hub runs
here, with an in-memory database, one operator and its Authorization service type. It reads
the rehearsal's PKI folder like ``hubsim hub serve`` does, and picks up a renewal the way a
running hub does: :meth:`simulator.hub.Hub.reload_certificates`.
"""

from __future__ import annotations

import itertools
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from mockpki.ca import LeafCertificate
from mockpki.files import PKIFiles
from mockpki.inspect import CertificateInfo
from oicp import Operation
from oicp.paths import hub_to_cpo_path, join_service_url
from simulator.exchange import Exchange
from simulator.failure_probes import presented_certificate
from simulator.hub import Hub, HubIdentity
from simulator.model import Operator, ServiceType, UploadedCertificate
from simulator.requests import SendParams, prepare_request
from simulator.sender import Sender
from simulator.storage import Storage
from simulator.tls import ClientIdentity

OPERATOR_ID = "DE*ABC"
PROVIDER_ID = "DE*ICE"
# The stub keeps EVSE state (a second start on a busy EVSE answers 602): every remote start
# of a rehearsal goes to an EVSE of its own.
_EVSE_NUMBERS = itertools.count(1)


def next_evse_id() -> str:
    return f"DE*ABC*E{next(_EVSE_NUMBERS):04d}"


_START = Operation.AUTHORIZE_REMOTE_START


@dataclass(frozen=True)
class Sent:
    """One remote start as the hub saw it: the outcome and the hub's own sentence."""

    outcome: str
    detail: str
    http_status: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "accepted"

    @classmethod
    def of(cls, exchange: Exchange) -> Sent:
        return cls(exchange.outcome.value, exchange.detail, exchange.http_status)


class RehearsalHub:
    """A hub with operator DE*ABC; send remote starts, upload certificates, reload."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    @classmethod
    async def open(cls, pki_dir: Path) -> RehearsalHub:
        storage = await Storage.open(":memory:")
        hub = Hub(storage, HubIdentity.from_pki_dir(pki_dir))
        await hub.put_operator(Operator(operator_id=OPERATOR_ID, name="Rehearsal CPO"))
        return cls(hub)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.hub.close()

    async def point_at(self, url: str, mode: str) -> None:
        """Save Authorization online with this Service URL in ``mode`` (hubject or user)."""
        settings = {"online_request": True, "service_url": url, "server_certification": mode}
        await self.hub.save_settings(OPERATOR_ID, ServiceType.AUTHORIZATION, settings)

    async def upload(self, path: Path) -> UploadedCertificate:
        stored = await self.hub.upload_certificates(OPERATOR_ID, path.read_bytes(), path.name)
        return stored[0]

    async def delete(self, cert: UploadedCertificate) -> None:
        assert cert.cert_id is not None
        await self.hub.storage.delete_certificate(OPERATOR_ID, cert.cert_id)

    async def certificates(self) -> list[UploadedCertificate]:
        return await self.hub.storage.list_certificates(OPERATOR_ID)

    async def remote_start(self) -> Sent:
        params = SendParams(evse_id=next_evse_id(), provider_id=PROVIDER_ID)
        return Sent.of(await self.hub.send(OPERATOR_ID, _START, params))

    async def reload(self) -> HubIdentity:
        return await self.hub.reload_certificates()

    async def presented(self, port: int) -> CertificateInfo | None:
        """The certificate the backend serves now, read without verifying it."""
        return await presented_certificate("localhost", port, self.hub.identity.client)


async def start_presenting(url: str, hub: RehearsalHub, identity: ClientIdentity) -> Sent:
    """A remote start to ``url`` (Hubject certificate mode) presenting another client
    certificate than the hub's: the previous one, or a probe, to learn what a backend trusts."""
    path = hub_to_cpo_path(_START, PROVIDER_ID)
    target = hub.hub.hubject_target(join_service_url(url, path))
    request, body = prepare_request(
        _START, SendParams(evse_id=next_evse_id(), provider_id=PROVIDER_ID)
    )
    async with Sender(identity) as sender:
        return Sent.of(await sender.send(target, request, body=body))


def identity_of(leaf: LeafCertificate, directory: Path) -> ClientIdentity:
    """``leaf`` written to ``directory`` as a client identity the sender can present."""
    folder = Path(tempfile.mkdtemp(prefix="probe-", dir=directory))
    cert, key = folder / "probe.pem", folder / "probe.key"
    leaf.write(cert, key)
    return ClientIdentity(cert_chain=cert, key=key)


def previous_hub_identity(files: PKIFiles) -> ClientIdentity:
    """The service certificate a renewal replaced (hub-client.previous.pem and .key)."""
    return ClientIdentity(
        cert_chain=files.previous(files.hub_client_cert), key=files.previous(files.hub_client_key)
    )
