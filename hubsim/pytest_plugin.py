"""pytest plugin of hubsim (registered through the ``pytest11`` entry point).

Installing hubsim is enough: the fixtures below are there in every test session.

* ``hubsim_pki`` (session): a mock Hubject PKI, fresh per session or the folder given with
  ``--hubsim-pki DIR`` (``hubsim pki init`` writes one);
* ``hubsim_stub``: a running CPO stub presenting ``cpo-server.pem`` from the mock CA;
* ``hubsim_hub``: a running hub (in-memory storage, admin API on 127.0.0.1) with the operator
  ``DE*ABC`` whose Authorization and Reservation Service URLs point at the stub;
* ``hubsim``: the per-test view of both, cleared before the test and checked after it.

    async def test_busy_evse_is_refused(hubsim):
        hubsim.stub.expect_oneshot(evse_id="DE*ABC*E0001").respond_with_code("602")
        exchange = await hubsim.send("remote-start", "DE*ABC*E0001")
        assert exchange.status_code == "602"
        hubsim.assert_called("remote-start", count=1)

At teardown ``hubsim`` raises again any exception raised while the stub answered, then fails
the test when an expectation went unused, an ordered expectation came out of order, the stub
had to refuse a request as invalid, or a TLS handshake failed unannounced. The marker
``@pytest.mark.hubsim_relaxed`` lifts these checks (not the re-raising). The hub and the stub
are function-scoped: aiohttp servers belong to the event loop of the test that uses them.
"""

from __future__ import annotations

import contextlib
import inspect
import tempfile
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path

import pytest
from aiohttp import web

from cpo_stub import CPOStub, Expectation, Lifetime, StubRecord
from cpo_stub.recording import HandshakeFailure
from hubsim.scenario.model import OperatorSpec
from hubsim.scenario.stage import StagePKI, configure_operator, stub_service_url
from oicp import Operation
from simulator.exchange import Exchange, Outcome
from simulator.hub import Hub, HubIdentity, SavedSettings
from simulator.model import ServerCertification, ServiceType
from simulator.requests import SendParams
from simulator.storage import Storage
from simulator.storage.database import Database
from simulator.storage.exchange_writer import ExchangeWriter
from simulator.storage.log_process import LogProcess

try:
    from pytest_asyncio import fixture as _async_fixture
except ImportError:  # pragma: no cover - without it pytest says that async fixtures need a plugin
    _async_fixture = pytest.fixture  # type: ignore[assignment]

RELAXED_MARKER = "hubsim_relaxed"
OPERATOR_ID = "DE*ABC"
PROVIDER_ID = "DE*ICE"
_INVALID = ("invalid request", "not found", "method not allowed")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hubsim", "hubsim (mock Hubject hub and CPO stub)")
    group.addoption(
        "--hubsim-pki",
        metavar="DIR",
        help="PKI folder written by 'hubsim pki init' for the hubsim fixtures "
        "(default: a fresh PKI per session)",
    )


_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep the test's own report: strict checks stay quiet when the test already failed."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


def _call_failed(item: pytest.Item) -> bool:
    report = item.stash.get(_CALL_REPORT, None)
    return report is not None and report.failed


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{RELAXED_MARKER}: do not fail the test at teardown for unused hubsim stub "
        "expectations, out-of-order requests, invalid requests or unannounced TLS failures",
    )


HUBSIM_FIXTURES = frozenset({"hubsim", "hubsim_hub", "hubsim_stub"})


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> Generator[None, object, object]:
    """Mark an ``async def`` test that uses a hubsim fixture as an asyncio test.

    pytest-asyncio's default (strict) mode runs only marked coroutines; a CPO's project should
    not need ``asyncio_mode = auto`` or a marker to use these fixtures. ``trylast`` makes this
    wrapper the inner one, so the marker is there when pytest-asyncio's wrapper looks for it.
    """
    collected = yield
    items = collected if isinstance(collected, list) else [collected]
    for item in items:
        if (
            isinstance(item, pytest.Function)
            and inspect.iscoroutinefunction(item.obj)
            and HUBSIM_FIXTURES.intersection(item.fixturenames)
            and item.get_closest_marker("asyncio") is None
        ):
            item.add_marker(pytest.mark.asyncio)
    return collected


def as_operation(operation: Operation | str) -> Operation:
    """An Operation from itself, its wire name or its slug (``remote-start``)."""
    if isinstance(operation, Operation):
        return operation
    for candidate in Operation:
        if operation in (candidate.value, candidate.slug):
            return candidate
    names = ", ".join(op.slug for op in Operation if op.slug)
    raise ValueError(f"unknown operation {operation!r}; use one of {names} (or wire names)")


# --- the hub ------------------------------------------------------------------------------


class _RecordingStorage(Storage):
    """Storage that also keeps this test's exchanges in memory, readable without awaiting."""

    def __init__(
        self, database: Database, writer: ExchangeWriter, log: LogProcess | None = None
    ) -> None:
        super().__init__(database, writer, log)
        self.recorded: list[Exchange] = []

    def record_exchange(self, exchange: Exchange) -> Exchange:
        numbered = super().record_exchange(exchange)
        self.recorded.append(numbered)
        return numbered


class HubView:
    """The running hub: its service object, admin API URL and the exchanges it recorded."""

    def __init__(self, hub: Hub, url: str, stub_url: str, pki: StagePKI) -> None:
        self.hub = hub
        self.url = url  # the admin API, e.g. http://127.0.0.1:41234
        self.stub_url = stub_url
        self.operator_id = OPERATOR_ID
        self._pki = pki
        self._bad_hubs: dict[str, Hub] = {}

    @property
    def exchanges(self) -> list[Exchange]:
        """Every exchange the hub recorded since the test began, oldest first."""
        return list(self._storage.recorded)

    @property
    def last(self) -> Exchange:
        """The most recent exchange."""
        if not self._storage.recorded:
            raise LookupError("the hub has sent nothing yet in this test")
        return self._storage.recorded[-1]

    @property
    def _storage(self) -> _RecordingStorage:
        assert isinstance(self.hub.storage, _RecordingStorage)
        return self.hub.storage

    async def send(
        self,
        operation: Operation | str,
        evse_id: str,
        *,
        provider_id: str = PROVIDER_ID,
        evco_id: str | None = None,
        session_id: str | None = None,
        duration: int | None = None,
        partner_product_id: str | None = None,
        client_certificate: str | None = None,
    ) -> Exchange:
        """Send one request for the operator, as the hub does; ``client_certificate`` names
        a bad certificate to present instead of the hub's (``foreign-ca``, ``expired`` …)."""
        params = SendParams(
            evse_id=evse_id,
            provider_id=provider_id,
            evco_id=evco_id,
            session_id=session_id,
            duration=duration,
            partner_product_id=partner_product_id,
        )
        hub = self._hub_for(client_certificate)
        return await hub.send(self.operator_id, as_operation(operation), params)

    def _hub_for(self, client_certificate: str | None) -> Hub:
        if client_certificate is None:
            return self.hub
        if client_certificate not in self._bad_hubs:
            identity = self._pki.bad_identity(client_certificate)
            self._bad_hubs[client_certificate] = Hub(self.hub.storage, identity)
        return self._bad_hubs[client_certificate]

    async def configure(
        self,
        service: ServiceType | str = ServiceType.AUTHORIZATION,
        *,
        online_request: bool = True,
        broadcast_request: bool = False,
        service_url: str | None = None,
        certification: ServerCertification | str = ServerCertification.HUBJECT,
    ) -> SavedSettings:
        """Save new settings for one service type (the portal's rules apply; a refusal
        raises :class:`simulator.hub.SettingsRejected`). The Service URL defaults to the stub."""
        kind = service if isinstance(service, ServiceType) else ServiceType.from_text(service)
        mode = certification if isinstance(certification, str) else certification.slug
        form: dict[str, object] = {
            "online_request": online_request,
            "broadcast_request": broadcast_request,
            "service_url": service_url
            if service_url is not None
            else self._default_url(online_request),
            "server_certification": mode,
        }
        return await self.hub.save_settings(self.operator_id, kind, form)

    def _default_url(self, online_request: bool) -> str | None:
        # The portal refuses a Service URL while Online Request is off.
        return self.stub_url if online_request else None

    async def clear(self) -> None:
        """Forget the exchange log."""
        self._storage.recorded.clear()
        await self.hub.storage.clear_exchanges()

    async def close(self) -> None:
        for bad in self._bad_hubs.values():
            await bad.sender.close()
        await self.hub.close()


# --- the stub -----------------------------------------------------------------------------


class StubView:
    """Arranging and asserting on the stub: expectations, call lists, handshake failures."""

    def __init__(self, stub: CPOStub) -> None:
        self.stub = stub
        self.expected_handshake_failures = 0

    @property
    def url(self) -> str:
        """The stub's base URL (what the operator's Service URLs point at)."""
        return self.stub.url

    def expect(
        self,
        evse_id: str | None = None,
        operation: Operation | str | None = None,
        *,
        session_id: str | None = None,
    ) -> Expectation:
        """A permanent expectation: answers every matching request; must be used once."""
        return self._expect(evse_id, operation, session_id, Lifetime.PERMANENT)

    def expect_oneshot(
        self, evse_id: str | None = None, operation: Operation | str | None = None
    ) -> Expectation:
        """Answers exactly one matching request."""
        return self._expect(evse_id, operation, None, Lifetime.ONESHOT)

    def expect_ordered(
        self, evse_id: str | None = None, operation: Operation | str | None = None
    ) -> Expectation:
        """Answers one matching request, after the ordered ones declared before it."""
        return self._expect(evse_id, operation, None, Lifetime.ORDERED)

    def _expect(
        self,
        evse_id: str | None,
        operation: Operation | str | None,
        session_id: str | None,
        lifetime: Lifetime,
    ) -> Expectation:
        op = as_operation(operation) if operation is not None else None
        return self.stub.expect(evse_id, op, session_id=session_id, lifetime=lifetime)

    def expect_handshake_failure(self, count: int = 1) -> None:
        """Announce ``count`` more refused TLS handshakes (e.g. a bad client certificate)."""
        self.expected_handshake_failures += count

    @property
    def calls(self) -> list[StubRecord]:
        """Every request the stub received in this test, oldest first."""
        return self.stub.records

    @property
    def last(self) -> StubRecord:
        """The most recent request (``NoRequestsError`` if none arrived)."""
        return self.stub.last

    def requests(
        self, operation: Operation | str | None = None, evse_id: str | None = None
    ) -> list[StubRecord]:
        """The requests of one operation and/or EvseID."""
        op = as_operation(operation) if operation is not None else None
        return self.stub.requests(op, evse_id)

    @property
    def handshake_failures(self) -> list[HandshakeFailure]:
        return self.stub.handshake_failures

    def clear(self) -> None:
        """Forget records, expectations, behaviours, EVSE state and known/unknown EvseIDs."""
        self.stub.clear()
        self.stub.core.behaviours.reset()
        self.stub.set_known_evses(None)
        self.stub.set_unknown_evses([])
        self.expected_handshake_failures = 0

    async def problems(self, unanswered: int, refused: int = 0) -> list[str]:
        """What strictness forbids: unused expectations, order breaks, invalid requests,
        unannounced handshake failures. ``unanswered`` counts the hub's calls that got no
        HTTP answer: only those can have left a failed handshake behind. ``refused`` counts
        the calls diagnosed ``client_cert_refused``: the hub decides those with a second
        handshake of its own (docs/diagnosis.md), which the stub refuses too."""
        book = self.stub.core.expectations
        found = [f"{item.describe()} was never used" for item in book.unused()]
        found += book.problems
        found += [_invalid(record) for record in self.stub.records if record.behaviour in _INVALID]
        return found + await self._handshake_problems(unanswered, refused)

    async def _handshake_problems(self, unanswered: int, refused: int = 0) -> list[str]:
        wanted = self.expected_handshake_failures
        coming = min(wanted, unanswered)
        if coming:  # the stub records a refusal just after the hub saw the connection drop
            with contextlib.suppress(TimeoutError):
                await self.stub.wait_for_handshake_failures(coming, timeout=5.0)
        seen = len(self.stub.handshake_failures)
        if seen < wanted:
            return [f"{wanted} TLS handshake failure(s) were announced, {seen} happened"]
        extra = self.stub.handshake_failures[wanted + min(refused, wanted) :]
        return [f"unexpected TLS handshake failure from {f.peer}: {f.reason}" for f in extra]


def _invalid(record: StubRecord) -> str:
    return (
        f"the stub refused {record.method} {record.path} as {record.behaviour} "
        f"(HTTP {record.response_status}): {record.response_body}"
    )


# --- the per-test view --------------------------------------------------------------------


class Hubsim:
    """The ``hubsim`` fixture: the hub and the stub of this test, and assertions on both."""

    def __init__(self, hub: HubView, stub: StubView) -> None:
        self.hub = hub
        self.stub = stub
        self.send = hub.send
        """Shortcut for :meth:`HubView.send`."""

    def check(self) -> None:
        """Raise the first exception raised while the stub answered, if any."""
        self.stub.stub.check()

    def assert_called(
        self,
        operation: Operation | str,
        count: int = 1,
        *,
        evse_id: str | None = None,
        session_id: str | None = None,
    ) -> list[StubRecord]:
        """Assert the stub received ``count`` such requests; return them.

        On failure the message lists the similar requests that did arrive and the hub's
        attempts that never reached the stub (refused certificate, settings offline …).
        """
        op = as_operation(operation)
        records = self.stub.calls
        matching = [r for r in records if _matches(r, op, evse_id, session_id)]
        if len(matching) == count:
            return matching
        raise AssertionError(self._not_called(op, count, evse_id, session_id, matching))

    def _not_called(
        self,
        op: Operation,
        count: int,
        evse_id: str | None,
        session_id: str | None,
        matching: list[StubRecord],
    ) -> str:
        filters = "".join(
            f" {name} {value}"
            for name, value in (("EvseID", evse_id), ("SessionID", session_id))
            if value
        )
        lines = [f"expected {count} {op.slug} request(s){filters} at the stub, got {len(matching)}"]
        others = [r for r in self.stub.calls if r not in matching]
        similar = [r for r in others if r.operation is op or (evse_id and r.evse_id == evse_id)]
        shown, title = (
            (similar, "similar requests that did arrive:")
            if similar
            else (
                others,
                "requests that did arrive:",
            )
        )
        lines += [title, *(f"  {_describe(r)}" for r in shown)] if shown else ["no request arrived"]
        lost = [e for e in self.hub.exchanges if e.operation == op.value and e.http_status is None]
        if lost:
            lines.append("hub attempts that got no HTTP answer:")
            lines += [f"  {e.outcome.value}: {e.detail}" for e in lost]
        return "\n".join(lines)


def _matches(
    record: StubRecord, op: Operation, evse_id: str | None, session_id: str | None
) -> bool:
    return (
        record.operation is op
        and (evse_id is None or record.evse_id == evse_id)
        and (session_id is None or record.session_id == session_id)
    )


def _describe(record: StubRecord) -> str:
    operation = record.operation.slug if record.operation else record.path
    return (
        f"{operation} EvseID {record.evse_id} SessionID {record.session_id} "
        f"-> HTTP {record.response_status} ({record.behaviour})"
    )


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def hubsim_pki(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StagePKI]:
    """The session's mock Hubject PKI (``.files`` names the PEM files, ``.identity`` is the
    hub's, ``.bad_identity(name)`` a bad client certificate)."""
    given = request.config.getoption("--hubsim-pki")
    if given:
        with tempfile.TemporaryDirectory(prefix="hubsim-bad-certs-") as scratch:
            yield StagePKI.existing(Path(given), Path(scratch))
        return
    yield StagePKI.create(tmp_path_factory.mktemp("hubsim"))


@_async_fixture
async def hubsim_stub(hubsim_pki: StagePKI) -> AsyncIterator[CPOStub]:
    """A running CPO stub presenting the mock Hubject CA's ``cpo-server.pem``."""
    async with CPOStub.from_pki_dir(hubsim_pki.files.directory) as stub:
        yield stub


@_async_fixture
async def hubsim_hub(hubsim_pki: StagePKI, hubsim_stub: CPOStub) -> AsyncIterator[HubView]:
    """A running hub with in-memory storage and operator DE*ABC configured for the stub."""
    # Imported here: a plugin module is imported by every pytest run in the environment,
    # so it pulls in as little as it can until a test asks for the hub.
    from simulator.app import build_app

    storage = await _RecordingStorage.open(":memory:")
    hub = Hub(storage, HubIdentity.from_pki_dir(hubsim_pki.files.directory))
    stub_url = stub_service_url(hubsim_stub)
    view = HubView(hub, "", stub_url, hubsim_pki)
    runner = web.AppRunner(build_app(hub), access_log=None, auto_decompress=False)
    try:
        await configure_operator(
            hub, OperatorSpec(OPERATOR_ID), stub_url, ServerCertification.HUBJECT
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        view.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        yield view
    finally:
        await runner.cleanup()
        await view.close()


@_async_fixture
async def hubsim(
    request: pytest.FixtureRequest, hubsim_hub: HubView, hubsim_stub: CPOStub
) -> AsyncIterator[Hubsim]:
    """The hub and the stub, cleared for this test and checked after it (see module doc)."""
    stub = StubView(hubsim_stub)
    stub.clear()
    await hubsim_hub.clear()
    yield Hubsim(hubsim_hub, stub)
    hubsim_stub.check()
    relaxed = request.node.get_closest_marker(RELAXED_MARKER) is not None
    if not relaxed and not _call_failed(request.node):
        unanswered = [e for e in hubsim_hub.exchanges if e.url and e.http_status is None]
        refused = [e for e in unanswered if e.outcome is Outcome.CLIENT_CERT_REFUSED]
        problems = await stub.problems(len(unanswered), len(refused))
        if problems:
            listed = "\n".join(f"- {problem}" for problem in problems)
            pytest.fail(
                f"hubsim strict checks failed (mark the test @pytest.mark.{RELAXED_MARKER} "
                f"to allow this):\n{listed}",
                pytrace=False,
            )
