"""How the hub's OICP endpoints answer: JSON with a Process-ID, and the refusals before it.

Business outcomes are HTTP 200 with an acknowledgement (or an authorization answer); some
refusals come earlier, at the HTTP level, with the status codes and bodies Hubject's own
endpoints use (OICP 2.3 digest §6): 400 FaultBody for a body that breaks the schema, 401
with 017 for an ID that does not match the client certificate, 404 with 300 for a requester
the hub does not know, 429 when a rate limit is exceeded.

A check deep inside a handler refuses by raising :class:`Reply`; the ``replies`` middleware
sends its response.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar

from aiohttp import web

from oicp import jsontext, status
from oicp.errors import OICPValidationError
from oicp.faults import status_fault, validation_fault
from oicp.limits import FULL_LOAD_MAX_BODY_BYTES, FULL_LOAD_RECORDS, MAX_BODY_BYTES, clip
from oicp.messages import Acknowledgement, StatusCode
from oicp.transfer import content_coding_problem
from oicp.validation import Problem
from oicp.wire import JSONObject
from simulator.exchange import EXCHANGE_HEADER

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

logger = logging.getLogger("simulator.inbound")


class Reply(Exception):
    """Answer the request with ``response`` now; raised by checks, sent by the middleware."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.text)
        self.response = response


@web.middleware
async def oicp_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer aiohttp's own refusals (404, 405, 413 …) and any failure in OICP JSON.

    aiohttp answers them in plain text without a Process-ID; Hubject's endpoints answer
    every request with an OICP body (digest §6).
    """
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _http_refusal(request, exc)
    except Exception as exc:  # a bug: the peer gets 021 "System error", the log one line
        logger.error("%s %s failed: %s: %s", request.method, request.path, type(exc).__name__, exc)
        info = "the hub failed to handle the request; the failure is in its log"
        return oicp_json(status_fault(status.SYSTEM_ERROR, info), 500)


def _http_refusal(request: web.Request, exc: web.HTTPException) -> web.Response:
    if isinstance(exc, web.HTTPRequestEntityTooLarge):
        info = _too_large_info(FULL_LOAD_MAX_BODY_BYTES)
    elif isinstance(exc, web.HTTPMethodNotAllowed):
        info = f"{request.method} is not allowed on {request.path}; OICP operations are POSTs"
    elif isinstance(exc, web.HTTPNotFound):
        info = f"the hub serves no OICP operation at {request.path}; check the path and version"
    else:
        info = f"HTTP {exc.status} {exc.reason}"
    response = oicp_json(status_fault(status.DATA_ERROR, info), exc.status)
    if "Allow" in exc.headers:
        response.headers["Allow"] = exc.headers["Allow"]
    return response


_forwarded: ContextVar[int | None] = ContextVar("hubsim_forwarded_exchange", default=None)


def note_exchange(exchange_id: int | None) -> None:
    """Remember the exchange the request being answered caused, for :data:`EXCHANGE_HEADER`."""
    _forwarded.set(exchange_id)


@web.middleware
async def replies(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Send the response of a :class:`Reply` raised anywhere below; name the exchange the
    request caused, if any, in :data:`EXCHANGE_HEADER`."""
    token = _forwarded.set(None)
    try:
        try:
            response = await handler(request)
        except Reply as reply:
            response = reply.response
        exchange_id = _forwarded.get()
        if exchange_id is not None:
            response.headers[EXCHANGE_HEADER] = str(exchange_id)
        return response
    finally:
        _forwarded.reset(token)


def json_text(body: JSONObject) -> str:
    """The text of an OICP JSON answer (UTF-8, not ASCII-escaped)."""
    return json.dumps(body, ensure_ascii=False)


def oicp_json(body: JSONObject, status_code: int = 200) -> web.Response:
    """A JSON answer as Hubject sends it: UTF-8 and a ``Process-ID`` header."""
    return oicp_text(json_text(body), status_code)


def oicp_text(text: str, status_code: int = 200) -> web.Response:
    """:func:`oicp_json` for a body serialised already (by :func:`json_text`)."""
    return web.Response(
        status=status_code,
        text=text,
        content_type="application/json",
        charset="utf-8",
        headers={"Process-ID": str(uuid.uuid4())},
    )


def acknowledgement(ack: Acknowledgement) -> web.Response:
    """HTTP 200 with an eRoamingAcknowledgement, absent members as ``null`` like Hubject."""
    return oicp_json(ack.to_wire(explicit_nulls=True))


def negative(code: str, info: str, session_id: str | None = None) -> Acknowledgement:
    """Result false with ``code`` (and the spec's description) and ``info`` as AdditionalInfo."""
    return Acknowledgement(False, StatusCode.for_code(code, clip(info)), session_id)


def unauthorized(info: str) -> Reply:
    """HTTP 401 with 017 "Unauthorized Access": the ID does not match the certificate."""
    return Reply(oicp_json(status_fault(status.UNAUTHORIZED, clip(info)), 401))


def partner_not_found(info: str) -> Reply:
    """HTTP 404 with 300 "Partner not found": the hub does not know the requester."""
    return Reply(oicp_json(status_fault(status.PARTNER_NOT_FOUND, clip(info)), 404))


def too_many_requests(info: str) -> Reply:
    """HTTP 429: the partner exceeded a rate limit of Hubject's acceptable-use policy."""
    return Reply(oicp_json(status_fault(status.SERVICE_NOT_AVAILABLE, clip(info)), 429))


def invalid_body(problems: Sequence[Problem]) -> Reply:
    """HTTP 400 with a FaultBody listing every problem."""
    return Reply(oicp_json(validation_fault(problems), 400))


BODY_NOT_READ = "hubsim.body_not_read"
"""Set on a request whose body was refused for its size unread: nothing reads it later."""


def _too_large_info(limit: int, size: int | None = None) -> str:
    has = "" if size is None else f" has {size} bytes, which"
    return (
        f"the request body{has} exceeds the {limit} bytes the hub reads for this operation "
        f"({MAX_BODY_BYTES} for every operation but eRoamingPushEvseData, which may have "
        f"{FULL_LOAD_MAX_BODY_BYTES}: a fullLoad of {FULL_LOAD_RECORDS} EVSE records); send "
        "it in smaller parts"
    )


def too_large(limit: int, size: int) -> Reply:
    """HTTP 413 with 022: the body is larger than the operation's limit."""
    return Reply(oicp_json(status_fault(status.DATA_ERROR, _too_large_info(limit, size)), 413))


async def read_body(request: web.Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, at most ``limit`` bytes (else 413); its coding must be identity.

    A declared length beyond the limit is refused before a byte is read. A body without
    one is read up to the listener's own bound (the largest limit of any operation).
    """
    coding = content_coding_problem(request.headers)
    if coding is not None:
        raise invalid_body([Problem("", "content-encoding", coding)])
    declared = request.content_length
    if declared is not None and declared > limit:
        request[BODY_NOT_READ] = True
        raise too_large(limit, declared)
    raw = await request.read()
    if len(raw) > limit:
        raise too_large(limit, len(raw))
    return raw


def parse_json_body(raw: bytes) -> object:
    """The body as JSON; raises OICPValidationError with a "json" problem saying why not."""
    try:
        return jsontext.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        why = f"the body is not UTF-8 ({exc}); OICP messages must use UTF-8"
    except ValueError as exc:
        why = f"the body is not valid JSON ({exc}); send the OICP request as a JSON object"
    raise OICPValidationError([Problem("", "json", why)])
