"""The hub's outbound side: send one OICP request to a CPO and record what happened.

One aiohttp session serves every call, so connections to the same endpoint are reused;
each trust configuration has one cached SSL context (see :mod:`simulator.tls`).
Every failure becomes an :class:`~simulator.exchange.Outcome` with a one-sentence diagnosis.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import ssl
import time
import weakref
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp.connector import Connection
from yarl import URL

from httpguard import bound_tls_read_buffers, exact_timeout
from mockpki.inspect import describe_der
from oicp import Acknowledgement, OICPValidationError, Operation, RemoteRequest, describe, jsontext
from simulator.diagnosis import Diagnosis, body_excerpt, refused_by_page, status_hint
from simulator.exchange import Exchange, Outcome, TLSFacts
from simulator.failure_probes import diagnose_failure
from simulator.model import ServerCertification, WireProfile
from simulator.requests import WIRE_SHAPES
from simulator.tls import ClientContextCache, ClientIdentity, ServerTrust

# A real hub spreads its calls over many nodes; one hubsim process stands for all of them, so
# its own limit must not be what a CPO under load sees first.
DEFAULT_CONNECTION_LIMIT = 1000
DEFAULT_MAX_ANSWER_BYTES = 1024 * 1024  # an acknowledgement is a few hundred bytes
_TOO_LARGE_EXCERPT = 1024

_BODY_EXCERPT = 300
# Sessions retired by certificate reloads that are kept open for requests still in flight.
_RETIRED_KEPT = 2


# The SSL object of the connection the current request was sent on, from the moment its
# answer is awaited: a failure after the handshake (bytes that are not HTTP, a close, a
# timeout) raises without a response, and its exchange still tells how TLS went. Each
# request runs in its caller's task, and a task has one request at a time.
_SENT_ON: contextvars.ContextVar[ssl.SSLObject | None] = contextvars.ContextVar(
    "hubsim_sent_on", default=None
)


class _TLSAwareResponse(aiohttp.ClientResponse):
    """Keeps the connection's SSL object: aiohttp may release the connection (and forget it)
    as soon as a small body has arrived, before the sender can read the TLS facts."""

    ssl_object: ssl.SSLObject | None = None

    def start(self, connection: Connection) -> Coroutine[Any, Any, aiohttp.ClientResponse]:
        # A plain function handing on aiohttp's coroutine: no extra coroutine per answer.
        transport = connection.transport
        self.ssl_object = transport.get_extra_info("ssl_object") if transport else None
        _SENT_ON.set(self.ssl_object)
        return super().start(connection)


@dataclass(frozen=True)
class Target:
    """Where and how to send: the full URL (Service URL + OICP path) and the trust to apply."""

    url: str
    trust: ServerTrust
    timeout_s: float = 10.0
    expected: str = ""  # what the trust means, in words, for diagnoses

    @property
    def mode_label(self) -> str:
        return self.trust.mode.value

    @property
    def trusted(self) -> str:
        """What the hub trusts, in words, for diagnoses: ``expected`` or the mode's."""
        return self.expected or _default_expected(self.trust)

    # The hub keeps one Target per configuration and sends many requests with it: parse the
    # URL and build the timeout once.
    @functools.cached_property
    def request_url(self) -> URL:
        return URL(self.url, encoded=True)  # keep the ProviderID's '*' literal, as Hubject does

    @functools.cached_property
    def client_timeout(self) -> aiohttp.ClientTimeout:
        return exact_timeout(self.timeout_s)


@dataclass(frozen=True)
class RecordTags:
    """Who the exchange was for, so the log can be filtered."""

    operator_id: str | None = None
    service_type: str | None = None


class Sender:
    """Sends OICP requests over mutual TLS and turns every answer into an :class:`Exchange`."""

    def __init__(
        self,
        identity: ClientIdentity,
        *,
        connection_limit: int = DEFAULT_CONNECTION_LIMIT,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
        fresh_connections: bool = False,
    ) -> None:
        bound_tls_read_buffers()  # 32 KiB, not 256 KiB, per connection to a CPO
        self._identity = identity
        self._contexts = ClientContextCache()
        self._connection_limit = connection_limit
        # A TLS handshake per request, as a backend sees it from many hub nodes (hubsim load).
        self._fresh_connections = fresh_connections
        self.max_answer_bytes = max_answer_bytes
        # The hub's own slots: a request waits for one before its timeout starts, so the wait
        # is never counted as the CPO's time (aiohttp's timeout would include it).
        self._slots = asyncio.Semaphore(connection_limit)
        self._waiting = 0
        self._session: aiohttp.ClientSession | None = None
        self._retired: list[aiohttp.ClientSession] = []
        self._facts: dict[bytes, tuple[str, str, str]] = {}  # DER -> facts, parsed once
        # A connection's TLS facts cannot change after its handshake: read them once.
        self._connection_facts: weakref.WeakKeyDictionary[ssl.SSLObject, TLSFacts] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def connection_limit(self) -> int:
        return self._connection_limit

    @property
    def waiting(self) -> int:
        """How many requests wait for one of the hub's connection slots right now."""
        return self._waiting

    @property
    def context_count(self) -> int:
        """How many SSL contexts exist: one per trust configuration, never one per request."""
        return len(self._contexts)

    async def __aenter__(self) -> Sender:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def identity(self) -> ClientIdentity:
        """The service certificate the sender presents."""
        return self._identity

    async def use_identity(self, identity: ClientIdentity) -> None:
        """Present ``identity`` from the next connection on (a renewed service certificate).

        Pooled connections were made with the old certificate, so the session that holds them
        is retired: requests still in flight on it finish, new requests open new connections.
        """
        self._identity = identity
        self._contexts.clear()
        if self._session is not None:
            self._retired.append(self._session)
            self._session = None
        while len(self._retired) > _RETIRED_KEPT:
            await self._retired.pop(0).close()

    async def close(self) -> None:
        for retired in self._retired:
            await retired.close()
        self._retired.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._connection_limit,
                enable_cleanup_closed=True,
                force_close=self._fresh_connections,
            )
            # OICP partners set no cookies and send no compressed bodies; skipping both
            # saves work on every request. The headers are the wire profile's, per request.
            self._session = aiohttp.ClientSession(
                connector=connector,
                response_class=_TLSAwareResponse,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
            )
        return self._session

    async def send(
        self,
        target: Target,
        request: RemoteRequest,
        tags: RecordTags = RecordTags(),
        *,
        body: dict[str, Any] | None = None,
        profile: WireProfile = WireProfile.HBS,
        headers: Mapping[str, str] | None = None,
    ) -> Exchange:
        """Send one request and return its record; never raises for a failed call.

        ``body`` is the request's wire form in ``profile``'s shape, when the caller has it;
        the headers are ``profile``'s (:data:`simulator.requests.WIRE_SHAPES`) unless
        ``headers`` replaces them (a tolerance variant's).
        """
        shape = WIRE_SHAPES[profile]
        if body is None:
            body = shape.body(request)
        return await self.send_body(
            target, request.operation, body, tags, headers=headers or shape.headers
        )

    async def send_body(
        self,
        target: Target,
        operation: Operation,
        body: dict[str, Any],
        tags: RecordTags = RecordTags(),
        *,
        headers: Mapping[str, str] = WIRE_SHAPES[WireProfile.HBS].headers,
    ) -> Exchange:
        """:meth:`send` for a body already built and checked by the hub's builder (a
        :class:`~simulator.requests.RequestTemplates`'s), with its wire profile's headers."""
        started_at = datetime.now(UTC)
        if not self._slots.locked():
            await self._slots.acquire()  # free at once: no timer needed on the hot path
        elif not await self._wait_for_slot(target.timeout_s):
            diagnosis = self._no_slot(target)
            t0 = time.perf_counter()
            return self._record(target, operation, body, tags, started_at, t0, diagnosis=diagnosis)
        try:
            t0 = time.perf_counter()  # the CPO's time starts when the request leaves
            _SENT_ON.set(None)
            try:
                status, raw, tls, location = await self._post(target, body, headers)
            except AnswerTooLarge as big:
                return self._too_large(target, operation, body, tags, started_at, t0, big)
            except Exception as exc:  # every failure becomes an outcome, not a traceback
                # The CPO's time ends here: the probes of the diagnosis are the hub's own, and
                # counted in, a backend that drops connections at once showed a p99 of 2.5 s.
                ended = time.perf_counter()
                sent_on = _SENT_ON.get()  # before the probes, which send on their own
                diagnosis = await self._diagnose(exc, target)
                tls = self._facts_of_failed_answer(sent_on, diagnosis.outcome)
                return self._record(
                    target,
                    operation,
                    body,
                    tags,
                    started_at,
                    t0,
                    diagnosis=diagnosis,
                    tls=tls,
                    ended=ended,
                )
        finally:
            self._slots.release()
        return self._record(
            target, operation, body, tags, started_at, t0, http=(status, raw, location), tls=tls
        )

    async def _wait_for_slot(self, timeout_s: float) -> bool:
        self._waiting += 1
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout=timeout_s)
        except TimeoutError:
            return False
        finally:
            self._waiting -= 1
        return True

    def _no_slot(self, target: Target) -> Diagnosis:
        return Diagnosis(
            Outcome.CONNECTION_LIMIT,
            f"The request to {target.url} never left the hub: all {self._connection_limit} of "
            f"the hub's connections were busy for the whole timeout ({target.timeout_s:g} s); "
            "the CPO was not asked. Raise the hub's connection limit (--connection-limit) or "
            "send fewer requests at once.",
        )

    def _too_large(
        self,
        target: Target,
        operation: Operation,
        body: dict[str, Any],
        tags: RecordTags,
        started_at: datetime,
        t0: float,
        big: AnswerTooLarge,
    ) -> Exchange:
        exchange = self._record(
            target,
            operation,
            body,
            tags,
            started_at,
            t0,
            diagnosis=too_large_diagnosis(target.url, big, self.max_answer_bytes),
            tls=self._facts_of_failed_answer(_SENT_ON.get(), Outcome.ANSWER_TOO_LARGE),
        )
        exchange.http_status = big.status
        exchange.response_body = big.excerpt.decode("utf-8", errors="replace")
        return exchange

    async def _post(
        self, target: Target, body: Mapping[str, Any], headers: Mapping[str, str]
    ) -> tuple[int, bytes, TLSFacts | None, str | None]:
        """The status, body, TLS facts and, for a redirect, its Location (not followed)."""
        ctx = self._contexts.get(self._identity, target.trust)
        data = jsontext.dumps_bytes(body)
        async with self._client().post(
            target.request_url,
            data=data,
            headers=headers,
            ssl=ctx,
            timeout=target.client_timeout,
            allow_redirects=False,
        ) as resp:
            tls = self._tls_facts(resp)
            raw = await read_bounded(resp, self.max_answer_bytes)
            location = resp.headers.get("Location") if 300 <= resp.status < 400 else None
            return resp.status, raw, tls, location

    def _tls_facts(self, resp: aiohttp.ClientResponse) -> TLSFacts | None:
        return self._facts_of(resp.ssl_object if isinstance(resp, _TLSAwareResponse) else None)

    def _facts_of_failed_answer(
        self, ssl_object: ssl.SSLObject | None, outcome: Outcome
    ) -> TLSFacts | None:
        """The facts of the handshake a failed request went out on; None when the failure
        was the connection's. A client certificate refused under TLS 1.3 also ends after
        the request was written, but on a handshake the server never finished: the SSL
        object then says "handshake not done yet"."""
        if ssl_object is None or not outcome.of_the_answer:
            return None
        try:
            return self._facts_of(ssl_object)
        except ValueError:
            return None

    def _facts_of(self, ssl_object: ssl.SSLObject | None) -> TLSFacts | None:
        if ssl_object is None:
            return None
        facts = self._connection_facts.get(ssl_object)
        if facts is None:
            facts = self._read_tls_facts(ssl_object)
            self._connection_facts[ssl_object] = facts
        return facts

    def _read_tls_facts(self, ssl_object: ssl.SSLObject) -> TLSFacts:
        der = ssl_object.getpeercert(binary_form=True)
        subject, sha256, not_after = self._cert_facts(der) if der else (None, None, None)
        cipher = ssl_object.cipher()
        return TLSFacts(
            protocol=ssl_object.version() or "unknown",
            cipher=cipher[0] if cipher else None,
            server_subject=subject,
            server_sha256=sha256,
            server_not_after=not_after,
        )

    def _cert_facts(self, der: bytes) -> tuple[str, str, str]:
        facts = self._facts.get(der)
        if facts is None:
            info = describe_der(der)
            facts = (info.subject, info.sha256, info.not_after.isoformat())
            self._facts[der] = facts
        return facts

    async def _diagnose(self, exc: BaseException, target: Target) -> Diagnosis:
        return await diagnose_failure(
            exc,
            url=target.url,
            identity=self._identity,
            mode_label=target.mode_label,
            expected=target.trusted,
            timeout_s=target.timeout_s,
            anchors_pem=target.trust.anchors_pem,
            retired=target.trust.retired,
        )

    def _record(
        self,
        target: Target,
        operation: Operation,
        body: dict[str, Any],
        tags: RecordTags,
        started_at: datetime,
        t0: float,
        *,
        diagnosis: Diagnosis | None = None,
        http: tuple[int, bytes, str | None] | None = None,
        tls: TLSFacts | None = None,
        ended: float | None = None,
    ) -> Exchange:
        elapsed_ms = ((ended or time.perf_counter()) - t0) * 1000
        base = {
            "operation": operation.value,
            "url": target.url,
            "request_body": body,
            "started_at": started_at,
            "elapsed_ms": elapsed_ms,
            "operator_id": tags.operator_id,
            "service_type": tags.service_type,
            "server_certification": target.trust.mode.slug,
            "tls": tls,
        }
        if diagnosis is not None:
            return Exchange(outcome=diagnosis.outcome, detail=diagnosis.detail, **base)  # type: ignore[arg-type]
        assert http is not None
        return _judge_answer(http[0], http[1], base, http[2])


class AnswerTooLarge(Exception):
    """An answer body beyond the bound; keeps the start of it and what showed the size."""

    def __init__(self, status: int, excerpt: bytes, seen: str) -> None:
        super().__init__(seen)
        self.status, self.excerpt, self.seen = status, excerpt, seen


def too_large_diagnosis(url: str, big: AnswerTooLarge, limit: int) -> Diagnosis:
    return Diagnosis(
        Outcome.ANSWER_TOO_LARGE,
        f"The answer from {url} is larger than the hub reads ({big.seen}; the bound is "
        f"{limit} bytes); an eRoamingAcknowledgement is a few hundred bytes, so answer with "
        "one alone.",
    )


async def read_bounded(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    """The answer body, read up to ``limit`` bytes; raises AnswerTooLarge beyond that.

    An answer that declares its length within the bound is read in one call, as before.
    """
    declared = resp.content_length
    if declared is not None and declared <= limit:
        return await resp.read()
    if declared is not None:
        excerpt = await resp.content.read(_TOO_LARGE_EXCERPT)
        raise AnswerTooLarge(resp.status, excerpt, f"Content-Length {declared}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            excerpt = b"".join(chunks)[:_TOO_LARGE_EXCERPT]
            raise AnswerTooLarge(resp.status, excerpt, f"more than {limit} bytes without end")
    return b"".join(chunks)


def judge_answer(
    status: int, raw: bytes, fields: dict[str, Any], location: str | None = None
) -> Exchange:
    """The hub's judgement of an HTTP answer, for a client other than :class:`Sender` (the
    Locust user of ``hubsim load``); the arguments as for :func:`_judge_answer`."""
    return _judge_answer(status, raw, fields, location)


def _judge_answer(
    status: int, raw: bytes, fields: dict[str, Any], location: str | None = None
) -> Exchange:
    """Decide what an HTTP answer means: status, JSON, acknowledgement, Result.

    ``fields`` are the exchange's fields so far, a dict of the caller's own: the answer's
    fields are added to it in place (this runs on every request). ``location`` is a
    redirect's Location header (the hub follows none).
    """
    try:
        text, not_utf8 = raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        text, not_utf8 = raw.decode("utf-8", errors="replace"), exc
    fields["http_status"] = status
    fields["response_body"] = text
    if status != 200:
        url = URL(fields["url"], encoded=True)
        refused = refused_by_page(status, text, url.host or "", url.port or 443)
        if refused is not None:
            return Exchange(outcome=refused.outcome, detail=refused.detail, **fields)
        hint = status_hint(status, url.path, location)
        routed = f"; {hint}; if it is routed" if hint else ""
        return Exchange(
            outcome=Outcome.HTTP_STATUS,
            detail=f"The backend answered HTTP {status} instead of 200 ({_excerpt(text)})"
            f"{routed}: OICP answers every request, refusals included, with HTTP 200 and an "
            "acknowledgement.",
            **fields,
        )
    problem: ValueError | None = not_utf8
    if problem is None:
        pointer = jsontext.nesting_pointer(text)
        if pointer is not None:
            return _too_deep(pointer, fields)
        try:
            parsed = jsontext.loads(text)
        except json.JSONDecodeError as exc:
            problem = exc
    if problem is not None:
        return Exchange(
            outcome=Outcome.NOT_JSON,
            detail=f"The body is not JSON in UTF-8 ({problem}; starts with {_excerpt(text)}); "
            "answer with an eRoamingAcknowledgement JSON object.",
            **fields,
        )
    return _judge_acknowledgement(parsed, fields)


def _too_deep(pointer: str, fields: dict[str, Any]) -> Exchange:
    shown = pointer if len(pointer) <= 120 else pointer[:120] + "…"
    limit = jsontext.NESTING_MAX
    problem = {
        "pointer": pointer,
        "rule": "nesting",
        "message": f"nested deeper than {limit} levels",
    }
    return Exchange(
        outcome=Outcome.INVALID_ACKNOWLEDGEMENT,
        detail=f"The answer is not a valid eRoamingAcknowledgement: {shown}: JSON nested deeper "
        f"than {limit} levels, which the hub does not read; an acknowledgement nests a few "
        "levels only.",
        problems=(problem,),
        **fields,
    )


def _judge_acknowledgement(parsed: object, fields: dict[str, Any]) -> Exchange:
    try:
        ack = Acknowledgement.from_wire(parsed)
    except OICPValidationError as err:
        problems = tuple(
            {"pointer": p.pointer, "rule": p.rule, "message": p.message} for p in err.problems
        )
        listed = "; ".join(f"{p.pointer or '/'}: {p.message}" for p in err.problems)
        return Exchange(
            outcome=Outcome.INVALID_ACKNOWLEDGEMENT,
            detail=f"The answer is not a valid eRoamingAcknowledgement: {listed}.",
            problems=problems,
            **fields,
        )
    code = ack.status_code.code
    meaning = ack.status_code.description or describe(code) or "unknown code"
    fields["result"] = ack.result
    fields["status_code"] = code
    fields["status_description"] = meaning
    fields["session_id"] = ack.session_id
    fields["cpo_partner_session_id"] = ack.cpo_partner_session_id
    if ack.result:
        return Exchange(outcome=Outcome.ACCEPTED, detail=f"Accepted (StatusCode {code}).", **fields)
    extra = f": {ack.status_code.additional_info}" if ack.status_code.additional_info else ""
    return Exchange(
        outcome=Outcome.REJECTED,
        detail=f"The CPO answered Result false with StatusCode {code} ({meaning}){extra}.",
        **fields,
    )


def _excerpt(text: str) -> str:
    return body_excerpt(text, _BODY_EXCERPT)


def _default_expected(trust: ServerTrust) -> str:
    if trust.mode is ServerCertification.HUBJECT:
        return "a certificate chaining to the mock Hubject CA"
    return f"one of the {len(trust.anchors_pem)} active uploaded certificate(s)"
