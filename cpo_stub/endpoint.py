"""The stub's HTTPS endpoint: the four hub-to-CPO operations under any path prefix.

The hub appends the OICP path to the Service URL the CPO configured (OICP 2.3 CPO,
06_CPO_Code_Snippets), so the stub matches on the path *suffix*, with either reservation
path style and ``*`` literal or as ``%2A`` (``oicp.paths.match_hub_to_cpo_path``).

Every OICP answer is HTTP 200 with an eRoamingAcknowledgement, refusals and bad input
included (OICP 2.3 §eRoamingAcknowledgement): bad input is Result false, 022 "Data error."
with the problems in AdditionalInfo. Only the configured transport faults (close, HTTP 500,
malformed JSON) break that rule, on purpose.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web
from cryptography import x509

from cpo_stub.behaviour import (
    Behaviour,
    CloseConnection,
    Delay,
    Http500,
    MalformedJson,
    Reject,
)
from cpo_stub.core import StubCore
from cpo_stub.expectations import Expectation
from cpo_stub.recording import StubRecord
from oicp import identifiers, jsontext, status
from oicp.errors import OICPValidationError
from oicp.messages import (
    PARTNER_SESSION_ID_MAX,
    Acknowledgement,
    AuthorizeRemoteReservationStart,
    RemoteRequest,
    StatusCode,
    parse_request,
)
from oicp.paths import PathMatch, match_hub_to_cpo_path
from oicp.transfer import content_coding_problem

MAX_BODY_BYTES = 1024**2
"""The largest request body the stub reads (aiohttp's default ``client_max_size`` for a
low-level server): larger ones get HTTP 413 with a 022 acknowledgement."""
JSON_CONTENT_TYPE = "application/json"
REQUESTS_PAGE_SUFFIX = "/_stub/requests"

HTTP500_BODY = "stub CPO: simulated internal server error (behaviour http500)"
MALFORMED_JSON_BODY = '{"Result": true, "StatusCode": {"Code": "000", '
"""A JSON acknowledgement cut short: what a crashing backend might send."""

CLOSED = 0
"""``StubRecord.response_status`` when the stub dropped the connection instead of answering."""


@dataclass(slots=True)
class _Answer:
    """How the stub answers one request. Mutable so that the answer of a chosen expectation
    is tagged in place rather than copied, on every request."""

    status: int
    body: str | None
    behaviour: str
    content_type: str = JSON_CONTENT_TYPE
    expectation: Expectation | None = field(default=None, compare=False)


@dataclass(slots=True)
class _Incoming:
    """What the stub read from one request before deciding how to answer. (Built once per
    request and never changed; not frozen, since a frozen dataclass's fields cost an
    object.__setattr__ call each.)"""

    method: str
    path: str
    match: PathMatch | None
    raw_body: str
    body: object
    json_problem: str | None
    client_subject: str | None
    received_at: datetime
    too_large: bool = False


def _ack_answer(ack: Acknowledgement, behaviour: str) -> _Answer:
    return _Answer(200, jsontext.dumps(ack.to_wire(explicit_nulls=True)), behaviour)


def _data_error(info: str, body: object = None) -> _Answer:
    session_id, emp_session_id = _echo_ids(body)
    code = StatusCode.for_code(status.DATA_ERROR, info)
    ack = Acknowledgement(False, code, session_id, emp_partner_session_id=emp_session_id)
    return _ack_answer(ack, "invalid request")


class OICPEndpoint:
    """The aiohttp handler for every path on the stub's HTTPS port."""

    def __init__(self, core: StubCore) -> None:
        self._core = core
        # A connection's client certificate cannot change after its handshake.
        self._subjects: weakref.WeakKeyDictionary[ssl.SSLObject, str | None] = (
            weakref.WeakKeyDictionary()
        )

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """Route by path suffix: the requests page, an OICP operation, or 404."""
        path = request.raw_path
        if request.method == "GET" and path.split("?", 1)[0].endswith(REQUESTS_PAGE_SUFFIX):
            return web.json_response(self._core.recorder.to_json())
        incoming = await _read(request, match_hub_to_cpo_path(path), self._client_subject(request))
        try:
            answer = await self._answer(request, incoming)
        except Exception as error:  # kept for the test (CPOStub.check); the hub sees HTTP 500
            self._core.recorder.add_handler_error(error)
            answer = _handler_failed(error)
        record = self._record(incoming, answer)
        if answer.expectation is not None:
            answer.expectation.calls.append(record)
        if answer.status == CLOSED:
            return web.Response(status=200)  # never written: the transport is gone
        headers = {"Allow": "POST"} if answer.status == 405 else None
        return web.Response(
            status=answer.status,
            text=answer.body,
            content_type=answer.content_type,
            charset="utf-8",
            headers=headers,
        )

    async def _answer(self, request: web.BaseRequest, incoming: _Incoming) -> _Answer:
        if incoming.too_large and incoming.json_problem is not None:
            return _refusal(413, incoming.json_problem, "body too large")
        if incoming.match is None:
            return _not_found(incoming.path)
        if incoming.method != "POST":
            return _method_not_allowed(incoming)
        parsed = _parse(incoming)
        if isinstance(parsed, _Answer):
            return parsed
        chosen = self._core.expectations.choose(parsed)
        behaviour = (
            chosen.take(parsed)
            if chosen is not None
            else self._core.behaviours.for_request(parsed.evse_id, incoming.match.operation)
        )
        answer = await self._perform(request, parsed, behaviour, behaviour.describe())
        answer.expectation = chosen
        return answer

    async def _perform(
        self, request: web.BaseRequest, message: RemoteRequest, behaviour: Behaviour, label: str
    ) -> _Answer:
        """Carry out ``behaviour``; ``label`` names it in the record (a Delay's label names
        what follows the delay too)."""
        if isinstance(behaviour, Delay):
            await asyncio.sleep(behaviour.seconds)
            return await self._perform(request, message, behaviour.then, label)
        if isinstance(behaviour, CloseConnection):
            if request.transport is not None:
                request.transport.abort()
            return _Answer(CLOSED, None, label)
        if isinstance(behaviour, Http500):
            return _Answer(500, HTTP500_BODY, label, "text/plain")
        if isinstance(behaviour, MalformedJson):
            return _Answer(200, MALFORMED_JSON_BODY, label)
        if isinstance(behaviour, Reject):
            ack = Acknowledgement.reply_to(
                message, behaviour.code, result=False, additional_info=behaviour.additional_info
            )
            return _ack_answer(ack, label)
        return self._accept(message, label)

    def _accept(self, message: RemoteRequest, label: str) -> _Answer:
        duration = (
            message.duration if isinstance(message, AuthorizeRemoteReservationStart) else None
        )
        decision = self._core.book.apply(
            message.operation, message.evse_id, message.session_id, duration
        )
        ack = Acknowledgement.reply_to(
            message,
            decision.code,
            additional_info=decision.additional_info,
            cpo_partner_session_id=decision.cpo_partner_session_id,
        )
        return _ack_answer(ack, label)

    def _client_subject(self, request: web.BaseRequest) -> str | None:
        """The client certificate's subject as an RFC 4514 string, or None without TLS."""
        transport = request.transport
        ssl_object = transport.get_extra_info("ssl_object") if transport else None
        if ssl_object is None:
            return None
        if ssl_object not in self._subjects:
            der = ssl_object.getpeercert(binary_form=True)
            self._subjects[ssl_object] = _subject_of(der) if der else None
        return self._subjects[ssl_object]

    def _record(self, incoming: _Incoming, answer: _Answer) -> StubRecord:
        body = incoming.body if isinstance(incoming.body, dict) else {}
        match = incoming.match
        record = StubRecord(
            operation=match.operation if match else None,
            path=incoming.path,
            provider_id=match.provider_id if match else None,
            raw_body=incoming.raw_body,
            is_json=incoming.json_problem is None,
            evse_id=_text(body.get("EvseID")),
            session_id=_text(body.get("SessionID")),
            response_status=answer.status,
            response_body=answer.body,
            behaviour=answer.behaviour,
            client_subject=incoming.client_subject,
            received_at=incoming.received_at,
            method=incoming.method,
        )
        self._core.recorder.add_record(record)
        return record


def _handler_failed(error: Exception) -> _Answer:
    text = f"stub CPO: answering raised {type(error).__name__}: {error}"
    return _Answer(500, text, "handler error", "text/plain")


async def _read(
    request: web.BaseRequest, match: PathMatch | None, client_subject: str | None
) -> _Incoming:
    received_at = datetime.now(UTC)
    too_large = False
    coding = content_coding_problem(request.headers)
    if coding is None:
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raw, too_large = b"", True
        text, body, json_problem = _decode_json(raw)
    else:  # never decompressed (oicp.transfer): aiohttp drains the body as it came
        text, body, json_problem = "", None, f"the request body is refused: {coding}"
    if too_large:
        json_problem = (
            f"the request body exceeds the {MAX_BODY_BYTES} bytes the stub reads; "
            "hub-to-CPO requests are a few hundred bytes"
        )
    return _Incoming(
        method=request.method,
        path=request.raw_path,
        match=match,
        raw_body=text,
        body=body,
        json_problem=json_problem,
        client_subject=client_subject,
        received_at=received_at,
        too_large=too_large,
    )


def _decode_json(raw: bytes) -> tuple[str, object, str | None]:
    """(the body as text, parsed body, None) or (the text, None, why the body is not JSON).

    Bytes that are not UTF-8 are kept as text with replacement characters, for the record.
    """
    if not raw:
        return "", None, "the request body is empty; send the OICP request as a JSON object"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        why = f"the request body is not UTF-8 ({exc}); OICP messages must use UTF-8"
        return raw.decode("utf-8", errors="replace"), None, why
    try:
        return text, jsontext.loads(text), None
    except ValueError as exc:
        why = f"the request body is not valid JSON ({exc}); send the OICP request as JSON"
        return text, None, why


def _parse(incoming: _Incoming) -> RemoteRequest | _Answer:
    """The validated request, or the 022 answer explaining why it is not one."""
    assert incoming.match is not None
    if incoming.json_problem is not None:
        return _data_error(incoming.json_problem)
    try:
        message = parse_request(incoming.match.operation, incoming.body)
    except OICPValidationError as exc:
        return _data_error(exc.additional_info or exc.description, incoming.body)
    if message.provider_id != incoming.match.provider_id:
        info = (
            f"ProviderID in the path ({incoming.match.provider_id!r}) differs from ProviderID "
            f"in the body ({message.provider_id!r}); OICP requires them to be equal as strings"
        )
        ack = Acknowledgement.reply_to(message, status.DATA_ERROR, additional_info=info)
        return _ack_answer(ack, "invalid request")
    return message


def _echo_ids(body: object) -> tuple[str | None, str | None]:
    """SessionID and EMPPartnerSessionID to echo from an invalid body, if well-formed.

    Echoing a malformed value would make the acknowledgement itself invalid.
    """
    data = body if isinstance(body, dict) else {}
    session_id, emp_id = data.get("SessionID"), data.get("EMPPartnerSessionID")
    valid_emp = isinstance(emp_id, str) and len(emp_id) <= PARTNER_SESSION_ID_MAX
    return (
        session_id if identifiers.is_session_id(session_id) else None,
        emp_id if valid_emp else None,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _not_found(path: str) -> _Answer:
    """404 with an acknowledgement (Result false, 022) naming the path and what is served."""
    info = (
        f"the stub CPO serves no OICP operation at {path!r}; it answers POSTs whose path ends "
        "in /api/oicp/charging/v21/providers/{ProviderID}/authorize-remote/start|stop, "
        "/api/oicp/reservation/v11/providers/{ProviderID}/reservation-start-request|"
        "reservation-stop-request or /api/oicp/charging/v21/providers/{ProviderID}/"
        "authorize-remote-reservation/start|stop"
    )
    return _refusal(404, info, "not found")


def _method_not_allowed(incoming: _Incoming) -> _Answer:
    assert incoming.match is not None
    info = (
        f"{incoming.match.operation.value} must be sent with POST, not {incoming.method}"
        " (OICP operations are all POST with a JSON body)"
    )
    return _refusal(405, info, "method not allowed")


def _refusal(status_code: int, info: str, behaviour: str) -> _Answer:
    # An OICP answer on the OICP port, refusals at the HTTP level included.
    answer = _ack_answer(
        Acknowledgement(False, StatusCode.for_code(status.DATA_ERROR, info)), behaviour
    )
    answer.status = status_code
    return answer


@functools.lru_cache(maxsize=256)
def _subject_of(der: bytes) -> str:
    # Every connection from one hub presents the same certificate: parse it once.
    return x509.load_der_x509_certificate(der).subject.rfc4514_string()
