"""The stub as a real CPO backend: it reports the sessions it accepted back to the hub.

Switched on by giving :class:`CPOStub` a :class:`BackendConfig`. Then, like a CPO's backend
after a real charge point reacted (OICP 2.3 CPO, eRoamingChargingNotifications and
eRoamingChargeDetailRecord):

- after an accepted remote start: ChargingNotification ``Start``, then ``Progress``;
- after an accepted remote stop: ChargingNotification ``End``, then the CDR with the same
  SessionID;
- after an accepted reservation stop: the CDR ("After the eRoamingAuthorizeRemoteReservation
  Stop the CPO MUST provide a CDR", OICP 2.3 CPO, eRoamingReservation).

It calls the hub's CPO-facing endpoints over mutual TLS with the CPO's client certificate
(``cpo-client.pem``), one request at a time and in order, as OICP wants data pushes sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import aiohttp
from cryptography import x509
from cryptography.x509.oid import NameOID
from yarl import URL

from cpo_stub.recording import StubRecord
from httpguard import exact_timeout
from mockpki.files import PKIFiles
from oicp import jsontext
from oicp.cdr import ChargeDetailRecord
from oicp.cpo_operations import cpo_to_hub_path
from oicp.errors import OICPError
from oicp.identification import Identification, RemoteIdentification, identification_from_wire
from oicp.notifications import END, PROGRESS, START, ChargingNotification
from oicp.operations import Operation
from oicp.paths import join_service_url

PemSource = Path | str | bytes

UNKNOWN_EVCO_ID = "DE-8EO-CAET5E4XY-3"
"""Stands in for an Identification the backend could not read (never expected)."""


@dataclass(frozen=True)
class BackendConfig:
    """Where the hub is and who the stub is when it calls it.

    ``hub_url`` is the hub's OICP base URL (``https://localhost:8444``); ``client_cert`` and
    ``client_key`` the CPO's client certificate (leaf + chain) and key; ``hub_ca`` the
    anchors the hub's server certificate must chain to; ``operator_id`` the OperatorID the
    certificate was issued for.
    """

    hub_url: str
    client_cert: PemSource
    client_key: PemSource
    hub_ca: PemSource
    operator_id: str
    progress_notifications: int = 1
    consumed_energy_kwh: float = 7.5
    timeout_s: float = 10.0

    @classmethod
    def from_pki_dir(
        cls, pki_dir: Path, hub_url: str, *, operator_id: str | None = None
    ) -> BackendConfig:
        """Use ``cpo-client.pem`` of ``hubsim pki init``; the OperatorID is its CN."""
        files = PKIFiles(Path(pki_dir))
        cert = x509.load_pem_x509_certificate(files.cpo_client_cert.read_bytes())
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return cls(
            hub_url=hub_url,
            client_cert=files.cpo_client_cert,
            client_key=files.cpo_client_key,
            hub_ca=files.hubject_ca,
            operator_id=operator_id or str(names[0].value),
        )


@dataclass(frozen=True)
class BackendCall:
    """One request the backend sent to the hub, and the answer."""

    label: str  # "notification Start", "notification Progress", "notification End", "CDR"
    session_id: str
    url: str
    request_body: dict[str, object]
    http_status: int | None
    response_body: object
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the hub answered HTTP 200 with Result true."""
        body = self.response_body
        return self.http_status == 200 and isinstance(body, dict) and body.get("Result") is True


@dataclass
class _Charging:
    """What the backend remembers of a session it accepted."""

    session_id: str
    evse_id: str
    identification: Identification
    started_at: datetime
    product: str | None
    cpo_partner_session_id: str | None = None
    emp_partner_session_id: str | None = None
    ended_at: datetime | None = None


@dataclass(frozen=True)
class _Job:
    label: str
    session_id: str


@dataclass
class StubBackend:
    """Turns accepted requests into notifications and CDRs sent to the hub, in order."""

    config: BackendConfig
    enabled: bool = True
    calls: list[BackendCall] = field(default_factory=list)
    now: Callable[[], datetime] = field(default=lambda: datetime.now().astimezone())

    def __post_init__(self) -> None:
        self._sessions: dict[str, _Charging] = {}
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._client: aiohttp.ClientSession | None = None
        self._context = _client_context(self.config)
        self._changed = asyncio.Event()
        self._queued = 0

    @property
    def pending(self) -> int:
        """Calls queued for the hub and not made yet."""
        return self._queued - len(self.calls)

    async def start(self) -> None:
        self._client = aiohttp.ClientSession()
        self._worker = asyncio.get_running_loop().create_task(self._work())

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._client is not None:
            await self._client.close()
            self._client = None

    def on_record(self, record: StubRecord) -> None:
        """A recorder listener: queue what an accepted request calls for."""
        if not self.enabled or not _accepted(record):
            return
        body, operation = record.body, record.operation  # the body is parsed on each access
        if not isinstance(body, dict):
            return
        if operation is not None and operation.is_start:
            self._remember(body, _text(_json(record.response_body or ""), "CPOPartnerSessionID"))
        if operation is Operation.AUTHORIZE_REMOTE_START:
            labels = [START] + [PROGRESS] * self.config.progress_notifications
        elif operation is Operation.AUTHORIZE_REMOTE_STOP:
            labels = [END, "CDR"]
        elif operation is Operation.AUTHORIZE_REMOTE_RESERVATION_STOP:
            labels = ["CDR"]
        else:
            return
        session_id = str(body.get("SessionID"))
        for label in labels:
            self._queued += 1
            self._queue.put_nowait(_Job(label, session_id))

    def _remember(self, body: dict[str, object], cpo_session_id: str | None) -> None:
        session_id, ident = body.get("SessionID"), body.get("Identification")
        if not isinstance(session_id, str):
            return
        try:
            identification = identification_from_wire(ident)
        except OICPError:  # the endpoint validated it already; keep going regardless
            identification = RemoteIdentification(UNKNOWN_EVCO_ID)
        self._sessions[session_id] = _Charging(
            session_id=session_id,
            evse_id=str(body.get("EvseID")),
            identification=identification,
            started_at=self.now(),
            product=_text(body, "PartnerProductID"),
            cpo_partner_session_id=cpo_session_id,
            emp_partner_session_id=_text(body, "EMPPartnerSessionID"),
        )

    async def wait_for_calls(
        self, count: int = 1, timeout: float | None = 10.0
    ) -> list[BackendCall]:
        """Wait until ``count`` calls to the hub are done (None: no time limit); return all."""
        try:
            async with asyncio.timeout(timeout):
                while len(self.calls) < count:
                    await self._changed.wait()
        except TimeoutError:
            raise TimeoutError(
                f"the stub backend made {len(self.calls)} of {count} call(s) to the hub "
                f"within {timeout:g} s"
            ) from None
        return list(self.calls)

    async def _work(self) -> None:
        while True:
            job = await self._queue.get()
            call = await self._perform(job)
            self.calls.append(call)
            self._changed.set()
            self._changed = asyncio.Event()

    async def _perform(self, job: _Job) -> BackendCall:
        charging = self._sessions.get(job.session_id)
        if charging is None:
            return BackendCall(job.label, job.session_id, "", {}, None, None, "no start seen")
        if job.label == "CDR":
            return await self._post(job, *self._cdr(charging))
        return await self._post(job, *self._notification(job.label, charging))

    def _notification(self, kind: str, charging: _Charging) -> tuple[str, dict[str, object]]:
        now = self.now()
        start = charging.started_at.isoformat(timespec="seconds")
        fields: dict[str, object] = {"charging_start": start, "session_start": start}
        if kind == PROGRESS:
            elapsed_ms = int((now - charging.started_at).total_seconds() * 1000)
            fields |= {
                "event_occurred": now.isoformat(timespec="seconds"),
                "charging_duration": elapsed_ms,
                "consumed_energy_progress": self.config.consumed_energy_kwh / 2,
            }
        if kind == END:
            charging.ended_at = now
            fields |= {
                "charging_end": now.isoformat(timespec="seconds"),
                "session_end": now.isoformat(timespec="seconds"),
                "consumed_energy": self.config.consumed_energy_kwh,
            }
        message = ChargingNotification(
            type=kind,
            session_id=charging.session_id,
            evse_id=charging.evse_id,
            operator_id=self.config.operator_id,
            identification=charging.identification,
            cpo_partner_session_id=charging.cpo_partner_session_id,
            emp_partner_session_id=charging.emp_partner_session_id,
            partner_product_id=charging.product,
            **fields,  # type: ignore[arg-type]
        )
        return cpo_to_hub_path(message.operation), message.to_wire()

    def _cdr(self, charging: _Charging) -> tuple[str, dict[str, object]]:
        end = (charging.ended_at or self.now()).isoformat(timespec="seconds")
        start = charging.started_at.isoformat(timespec="seconds")
        cdr = ChargeDetailRecord(
            session_id=charging.session_id,
            evse_id=charging.evse_id,
            identification=charging.identification,
            charging_start=start,
            charging_end=end,
            session_start=start,
            session_end=end,
            consumed_energy=self.config.consumed_energy_kwh if charging.ended_at else 0.0,
            cpo_partner_session_id=charging.cpo_partner_session_id,
            emp_partner_session_id=charging.emp_partner_session_id,
            partner_product_id=charging.product,
        )
        return cpo_to_hub_path(cdr.operation, self.config.operator_id), cdr.to_wire()

    async def _post(self, job: _Job, path: str, body: dict[str, object]) -> BackendCall:
        url = join_service_url(self.config.hub_url, path)
        label = job.label if job.label == "CDR" else f"notification {job.label}"
        if self._client is None:
            return BackendCall(label, job.session_id, url, body, None, None, "backend not started")
        timeout = exact_timeout(self.config.timeout_s)
        try:
            async with self._client.post(
                URL(url, encoded=True), json=body, ssl=self._context, timeout=timeout
            ) as response:
                text = await response.text()
                return BackendCall(label, job.session_id, url, body, response.status, _json(text))
        except (aiohttp.ClientError, TimeoutError) as exc:
            return BackendCall(label, job.session_id, url, body, None, None, repr(exc))


def _text(body: object, key: str) -> str | None:
    value = body.get(key) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def _accepted(record: StubRecord) -> bool:
    return record.response_status == 200 and _ack_field(record, "Result") is True


def _ack_field(record: StubRecord, key: str) -> object:
    body = _json(record.response_body or "")
    return body.get(key) if isinstance(body, dict) else None


def _json(text: str) -> object:
    try:
        return jsontext.loads(text)
    except ValueError:
        return None


def _client_context(config: BackendConfig) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.load_verify_locations(cadata=_pem_text(config.hub_ca))
    with tempfile.TemporaryDirectory(prefix="cpo-stub-backend-") as scratch:
        cert = _as_file(config.client_cert, Path(scratch) / "cert.pem")
        key = _as_file(config.client_key, Path(scratch) / "key.pem")
        context.load_cert_chain(cert, key)
    return context


def _pem_text(source: PemSource) -> str:
    return source.decode("ascii") if isinstance(source, bytes) else Path(source).read_text()


def _as_file(source: PemSource, scratch: Path) -> str:
    if isinstance(source, bytes):
        scratch.write_bytes(source)
        scratch.chmod(0o600)
        return str(scratch)
    return str(source)
