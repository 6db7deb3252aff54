"""``CPOStub``: a configurable, recording CPO backend behind mutual TLS.

It plays the CPO side of Hubject's HBS: an HTTPS server that requires a client certificate
from the (mock) Hubject CA, serves the four hub-to-CPO operations under any path prefix,
answers as configured per EvseID, keeps a minimal EVSE state and records everything,
including the TLS handshakes it refused and why.

    async with CPOStub.from_pki_dir(pki_dir) as stub:
        stub.set_behaviour(Reject("602"), evse_id="DE*ABC*E1")
        ...  # point the hub's Service URL at stub.url
        assert stub.last.session_id == ...
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Self, TextIO

from aiohttp import web

from cpo_stub.backend import BackendConfig, StubBackend
from cpo_stub.behaviour import Behaviour
from cpo_stub.control import ControlAPI
from cpo_stub.core import StubCore
from cpo_stub.endpoint import OICPEndpoint
from cpo_stub.expectations import Expectation, Lifetime
from cpo_stub.recording import MAX_RECORDS, HandshakeFailure, StubRecord
from cpo_stub.state import EvseState
from cpo_stub.tls import HandshakeSite, PemSource, server_context
from httpguard import ConnectionLimits, PortGuard, authority, listen_problem
from mockpki.files import PKIFiles
from oicp import jsontext
from oicp.operations import Operation

logger = logging.getLogger("cpo_stub")

STOP_GRACE_S = 1.0
"""How long ``stop()`` lets a request in progress (e.g. a Delay) finish before cancelling it."""


class StubNotRunningError(RuntimeError):
    """The stub was used in a way that needs it started (or stopped) first."""


class StubStartError(Exception):
    """The stub cannot listen as asked; the message names the option to change."""


async def _listen(option: str, host: str, port: int, starting: Awaitable[None]) -> None:
    try:
        await starting
    except OSError as exc:
        raise StubStartError(listen_problem(option, "--host", host, port, exc)) from None


def _url(scheme: str, host: str, port: int) -> str:
    return f"{scheme}://{authority(host, port)}"


class CPOStub:
    """The stub CPO backend; start it with ``async with`` or ``start()``/``stop()``.

    ``server_cert``/``server_key`` are what the stub presents (the leaf followed by its
    intermediates), ``client_ca`` the anchors a client certificate must chain to; each may
    be a path or PEM bytes. ``port=0`` picks a free port; ``control_port`` (0 for a free
    one) opens the plain-HTTP control API on 127.0.0.1.
    """

    def __init__(
        self,
        *,
        server_cert: PemSource,
        server_key: PemSource,
        client_ca: PemSource,
        host: str = "127.0.0.1",
        port: int = 0,
        control_port: int | None = None,
        on_request: Callable[[StubRecord], None] | None = None,
        on_handshake_failure: Callable[[HandshakeFailure], None] | None = None,
        backend: BackendConfig | None = None,
        limits: ConnectionLimits | None = None,
        max_records: int = MAX_RECORDS,
    ) -> None:
        self._context = server_context(server_cert, server_key, client_ca)
        self._host = host
        self._requested_port = port
        self._requested_control_port = control_port
        self._on_request = on_request
        self._on_handshake_failure = on_handshake_failure
        self._limits = limits or ConnectionLimits()
        self.core = StubCore(max_records)
        self.core.recorder.listeners.append(self._request_seen)
        # With a backend, accepted starts/stops are reported to the hub (cpo_stub.backend).
        self.backend = StubBackend(backend) if backend is not None else None
        if self.backend is not None:
            self.core.recorder.listeners.append(self.backend.on_record)
        self._runner: web.BaseRunner | None = None
        self._site: HandshakeSite | None = None
        self._control_runner: web.AppRunner | None = None
        self._control_site: web.TCPSite | None = None

    @classmethod
    def from_pki_dir(
        cls,
        pki_dir: Path,
        *,
        user_cert: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        control_port: int | None = None,
        on_request: Callable[[StubRecord], None] | None = None,
        on_handshake_failure: Callable[[HandshakeFailure], None] | None = None,
        backend: BackendConfig | None = None,
        server_pair: tuple[Path, Path] | None = None,
        client_ca: Path | None = None,
        limits: ConnectionLimits | None = None,
        max_records: int = MAX_RECORDS,
    ) -> CPOStub:
        """A stub using the files ``hubsim pki init`` wrote to ``pki_dir``.

        It presents ``cpo-server.pem`` (issued by the mock Hubject CA) or, with
        ``user_cert``, the self-signed ``cpo-user-server.pem`` (the portal's "User
        certificate" case), and trusts ``hubject-ca.pem`` for client certificates.
        ``server_pair`` (certificate, key) and ``client_ca`` replace those, e.g. to serve
        a renewed certificate or to trust only an old intermediate or one pinned leaf.
        """
        files = PKIFiles(Path(pki_dir))
        files.require()
        cert, key = (
            (files.cpo_user_server_cert, files.cpo_user_server_key)
            if user_cert
            else (files.cpo_server_cert, files.cpo_server_key)
        )
        if server_pair is not None:
            cert, key = server_pair
        return cls(
            server_cert=cert,
            server_key=key,
            client_ca=client_ca or files.hubject_ca,
            host=host,
            port=port,
            control_port=control_port,
            on_request=on_request,
            on_handshake_failure=on_handshake_failure,
            backend=backend,
            limits=limits,
            max_records=max_records,
        )

    # --- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on the HTTPS port (and the control port, if asked for)."""
        if self._runner is not None:
            raise StubNotRunningError("the stub is already running; stop() it first")
        # The endpoint routes by path suffix itself (a Service URL may carry any prefix), so
        # aiohttp's low-level server takes it directly: no application, router or match.
        # Bodies are read as they came, never decompressed (see oicp.transfer).
        guard = PortGuard(self._limits, "the stub's HTTPS port")
        server = web.Server(
            guard.wrap_handler(OICPEndpoint(self.core).handle),
            auto_decompress=False,
            keepalive_timeout=self._limits.keepalive_timeout_s,
        )
        self._runner = web.ServerRunner(server, shutdown_timeout=STOP_GRACE_S)
        await self._runner.setup()
        self._site = HandshakeSite(
            self._runner,
            self._host,
            self._requested_port,
            self._context,
            self._handshake_failed,
            guard,
        )
        await _listen("--port", self._host, self._requested_port, self._site.start())
        if self._requested_control_port is not None:
            await self._start_control(self._requested_control_port)
        if self.backend is not None:
            await self.backend.start()

    async def _start_control(self, port: int) -> None:
        self._control_runner = web.AppRunner(
            ControlAPI(self.core).application(), auto_decompress=False
        )
        await self._control_runner.setup()
        self._control_site = web.TCPSite(self._control_runner, "127.0.0.1", port)
        await _listen("--control-port", "127.0.0.1", port, self._control_site.start())

    async def stop(self) -> None:
        """Stop listening and close every connection, also those still in their handshake."""
        if self.backend is not None:
            await self.backend.close()
        runners = (self._runner, self._control_runner)
        self._runner = self._control_runner = None
        self._site = self._control_site = None
        for runner in runners:
            if runner is not None:
                await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- where it listens -------------------------------------------------------------

    @property
    def port(self) -> int:
        """The HTTPS port the stub listens on."""
        if self._site is None:
            raise StubNotRunningError("the stub has no port until start() has run")
        return self._site.port

    @property
    def url(self) -> str:
        """The base URL to configure as the hub's Service URL, e.g. ``https://127.0.0.1:8443``."""
        return _url("https", self._host, self.port)

    @property
    def control_url(self) -> str | None:
        """The control API's base URL, or None when it was not asked for."""
        if self._control_site is None:
            return None
        return _url("http", "127.0.0.1", self._control_site.port)

    # --- configuration ----------------------------------------------------------------

    def set_behaviour(self, behaviour: Behaviour, evse_id: str | None = None) -> None:
        """Answer requests for ``evse_id`` (None: every EVSE) as ``behaviour`` does."""
        self.core.set_behaviour(behaviour, evse_id)

    def set_known_evses(self, evse_ids: Iterable[str] | None) -> None:
        """Answer 603 Unknown EVSE ID for any EvseID outside ``evse_ids`` (None: accept all)."""
        self.core.set_known_evses(evse_ids)

    def set_unknown_evses(self, evse_ids: Iterable[str]) -> None:
        """Answer 603 Unknown EVSE ID for each of ``evse_ids`` (an empty list forgets them)."""
        self.core.set_unknown_evses(evse_ids)

    @property
    def known_evses(self) -> frozenset[str] | None:
        """The EvseIDs the stub knows, or None when it accepts any."""
        return self.core.book.known_evses

    def evse_state(self, evse_id: str) -> EvseState:
        """The current state of one EVSE."""
        return self.core.book.state(evse_id)

    def clear(self) -> None:
        """Forget records, handshake failures, EVSE state, per-EVSE behaviours, expectations."""
        self.core.clear()

    # --- expectations (see cpo_stub.expectations) -------------------------------------

    def expect(
        self,
        evse_id: str | None = None,
        operation: Operation | None = None,
        *,
        session_id: str | None = None,
        lifetime: Lifetime = Lifetime.PERMANENT,
    ) -> Expectation:
        """Expect requests matching the filters; arrange the answer on what this returns."""
        expectation = Expectation(
            evse_id=evse_id, operation=operation, session_id=session_id, lifetime=lifetime
        )
        return self.core.expectations.add(expectation)

    def expect_oneshot(
        self, evse_id: str | None = None, operation: Operation | None = None
    ) -> Expectation:
        """Expect exactly one matching request."""
        return self.expect(evse_id, operation, lifetime=Lifetime.ONESHOT)

    def expect_ordered(
        self, evse_id: str | None = None, operation: Operation | None = None
    ) -> Expectation:
        """Expect one matching request, after the ordered expectations declared before."""
        return self.expect(evse_id, operation, lifetime=Lifetime.ORDERED)

    @property
    def handler_errors(self) -> list[Exception]:
        """Exceptions raised while answering (e.g. by a responder function), oldest first."""
        return list(self.core.recorder.handler_errors)

    def check(self) -> None:
        """Raise the oldest exception raised while answering a request, and forget it."""
        if self.core.recorder.handler_errors:
            raise self.core.recorder.handler_errors.pop(0)

    # --- what it saw ------------------------------------------------------------------

    @property
    def records(self) -> list[StubRecord]:
        """Every request received, oldest first."""
        return list(self.core.recorder.records)

    @property
    def dropped(self) -> dict[str, int]:
        """How many requests and failed handshakes were dropped to keep ``max_records``."""
        return self.core.recorder.dropped_json()

    @property
    def handshake_failures(self) -> list[HandshakeFailure]:
        """Every TLS handshake that failed, oldest first, with its reason."""
        return self.core.handshake_failures()

    def requests(
        self, operation: Operation | None = None, evse_id: str | None = None
    ) -> list[StubRecord]:
        """The recorded requests, optionally only one operation and/or EvseID."""
        return self.core.requests(operation, evse_id)

    @property
    def last(self) -> StubRecord:
        """The most recent request (NoRequestsError if none arrived)."""
        return self.core.last()

    async def wait_for_requests(self, count: int = 1, timeout: float = 10.0) -> list[StubRecord]:
        """Wait until ``count`` requests have arrived (TimeoutError after ``timeout``)."""
        return await self.core.wait_for_requests(count, timeout)

    async def wait_for_handshake_failures(
        self, count: int = 1, timeout: float = 10.0
    ) -> list[HandshakeFailure]:
        """Wait until ``count`` handshakes have failed (TimeoutError after ``timeout``)."""
        return await self.core.wait_for_handshake_failures(count, timeout)

    # --- callbacks --------------------------------------------------------------------

    def _handshake_failed(self, failure: HandshakeFailure) -> None:
        self.core.recorder.add_handshake_failure(failure)
        if self._on_handshake_failure is not None:
            self._on_handshake_failure(failure)  # its owner tells it (stub serve: on stderr)
            return
        # Only without an owner who tells it: with no logging set up, Python's last-resort
        # handler prints a warning on stderr too, so 'stub serve' said each failure twice.
        logger.warning("TLS handshake with %s failed: %s", failure.peer, failure.reason)

    def _request_seen(self, record: StubRecord) -> None:
        if self._on_request is not None:
            self._on_request(record)


async def run_stub(
    pki_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8443,
    user_cert: bool = False,
    control_port: int | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    started: Callable[[CPOStub], None] | None = None,
    backend: BackendConfig | None = None,
    server_pair: tuple[Path, Path] | None = None,
    client_ca: Path | None = None,
    limits: ConnectionLimits | None = None,
    max_records: int = MAX_RECORDS,
) -> None:
    """Serve a stub from ``pki_dir`` until cancelled (``hubsim stub serve``).

    Prints the URL (and control URL) to ``out`` and one line per request; failed TLS
    handshakes go to ``err`` with their reason. ``started`` is called once listening.
    With ``backend``, accepted starts and stops are reported to the hub (notifications, CDR).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    stub = CPOStub.from_pki_dir(
        pki_dir,
        user_cert=user_cert,
        host=host,
        port=port,
        control_port=control_port,
        on_request=lambda record: print(_request_line(record), file=out, flush=True),
        on_handshake_failure=lambda failure: print(
            f"TLS handshake with {failure.peer} failed: {failure.reason}", file=err, flush=True
        ),
        backend=backend,
        server_pair=server_pair,
        client_ca=client_ca,
        limits=limits,
        max_records=max_records,
    )
    async with stub:
        print(f"CPO stub listening on {stub.url}", file=out, flush=True)
        if stub.control_url:
            print(f"control API on {stub.control_url}", file=out, flush=True)
        if backend is not None:
            print(
                f"acting as a real backend: notifications and CDRs go to {backend.hub_url}",
                file=out,
                flush=True,
            )
        if started is not None:
            started(stub)
        await _report_backend_calls(stub, out)


async def _report_backend_calls(stub: CPOStub, out: TextIO) -> None:
    """Print one line per call the backend makes to the hub; without one, just wait."""
    if stub.backend is None:
        await asyncio.Event().wait()
        return
    seen = 0
    while True:
        calls = await stub.backend.wait_for_calls(seen + 1, timeout=None)
        for call in calls[seen:]:
            verdict = "ok" if call.ok else (call.error or f"HTTP {call.http_status}")
            print(
                f"-> hub: {call.label} SessionID={call.session_id} ({verdict})",
                file=out,
                flush=True,
            )
        seen = len(calls)


def _request_line(record: StubRecord) -> str:
    operation = record.operation.value if record.operation else "(no operation)"
    return (
        f"{record.method} {record.path} {operation} EvseID={record.evse_id} "
        f"SessionID={record.session_id} -> {_answer(record)} (behaviour {record.behaviour})"
    )


def _answer(record: StubRecord) -> str:
    """The answer as the caller saw it: an 'accept' behaviour still refuses a busy EVSE
    (602), and the line said 'accept' for it."""
    if record.response_body is None:
        return "connection dropped"
    try:
        ack = jsontext.loads(record.response_body)
    except ValueError:
        return str(record.response_status)
    code = ack.get("StatusCode") if isinstance(ack, dict) else None
    if not isinstance(code, dict):
        return str(record.response_status)
    result = "true" if ack.get("Result") is True else "false"
    return f"{record.response_status} Result {result}, StatusCode {code.get('Code')}"
