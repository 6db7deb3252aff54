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
import uuid
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web

from oicp import jsontext, status
from oicp.errors import OICPValidationError
from oicp.faults import status_fault, validation_fault
from oicp.messages import Acknowledgement, StatusCode
from oicp.transfer import content_coding_problem
from oicp.validation import Problem
from oicp.wire import JSONObject

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ADDITIONAL_INFO_MAX = 1000


class Reply(Exception):
    """Answer the request with ``response`` now; raised by checks, sent by the middleware."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.text)
        self.response = response


@web.middleware
async def replies(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Send the response of a :class:`Reply` raised anywhere below."""
    try:
        return await handler(request)
    except Reply as reply:
        return reply.response


def oicp_json(body: JSONObject, status_code: int = 200) -> web.Response:
    """A JSON answer as Hubject sends it: UTF-8 and a ``Process-ID`` header."""
    return web.Response(
        status=status_code,
        text=json.dumps(body, ensure_ascii=False),
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


def clip(text: str) -> str:
    """Cut a text to StatusCode.AdditionalInfo's 1000 characters."""
    return text if len(text) <= ADDITIONAL_INFO_MAX else text[: ADDITIONAL_INFO_MAX - 1] + "…"


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


def invalid(error: OICPValidationError) -> Reply:
    return invalid_body(error.problems)


async def read_json(request: web.Request) -> object:
    """The request body as JSON, or a 400 FaultBody saying why it is not."""
    coding = content_coding_problem(request.headers)
    if coding is not None:
        raise invalid_body([Problem("", "content-encoding", coding)])
    raw = await request.read()
    try:
        return jsontext.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        why = f"the body is not UTF-8 ({exc}); OICP messages must use UTF-8"
    except ValueError as exc:
        why = f"the body is not valid JSON ({exc}); send the OICP request as a JSON object"
    raise invalid_body([Problem("", "json", why)])
