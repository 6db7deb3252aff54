"""The Process Monitor's record of what partners send to the hub, and of what the hub forwards
to its simulated EMPs.

The hub's own calls to CPOs are recorded by :meth:`simulator.hub.Hub.send`. This module adds
the three other directions to the same exchange log:

- CPO → hub and EMP → hub: the :func:`exchange_recorder` middleware of the OICP listener
  records every request with the hub's answer, including the refusals at the front door
  (NGINX's 400 pages, 017, 300, the 400 FaultBody);
- hub → EMP: :meth:`Monitor.emp_call` records each notification, CDR and authorization
  request the hub forwards to a simulated EMP, with the EMP's answer.

Recording only queues the exchange (:meth:`Storage.record_exchange`): no database round trip
on the request's path.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from oicp import jsontext, status
from simulator.exchange import UNKNOWN_PATH, Exchange, ExchangeDirection, Outcome
from simulator.inbound.gate import DETAIL_HEADER, client_certificate
from simulator.inbound.replies import BODY_NOT_READ, Handler
from simulator.partners.emp_answers import EMPAnswer
from simulator.storage import Storage

_ROUTES_KEY = web.AppKey("monitor_routes", dict)


@dataclass(frozen=True)
class Route:
    """What a path of the OICP listener is: its operation and who calls it."""

    operation: str  # OICP wire name
    direction: ExchangeDirection
    service_type: str | None = None  # ServiceType.value of the EMP-facing operations


def _now() -> datetime:
    return datetime.now(UTC)


class Monitor:
    """Records exchanges of the inbound side in the hub's exchange log."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def record(self, exchange: Exchange) -> None:
        self._storage.record_exchange(exchange)

    def emp_call(
        self,
        operation: str,
        request_body: dict[str, Any],
        answer: EMPAnswer,
        *,
        started_at: datetime,
        elapsed_ms: float,
        session_id: str | None = None,
        evse_id: str | None = None,
    ) -> None:
        """Record the hub's forwarding of ``operation`` to a simulated EMP and its answer."""
        outcome = Outcome(forward_outcome(answer))
        reached = outcome is not Outcome.EMP_UNREACHABLE
        self.record(
            Exchange(
                operation=operation,
                url="",
                request_body=request_body,
                outcome=outcome,
                detail=answer.detail,
                started_at=started_at,
                elapsed_ms=elapsed_ms,
                # The simulated EMP's acknowledgement, as an EMP backend would send it.
                response_body=json.dumps(
                    {
                        "Result": answer.positive,
                        "StatusCode": {"Code": answer.code, "AdditionalInfo": answer.detail},
                    }
                )
                if reached
                else None,
                result=answer.positive if reached else None,
                status_code=answer.code if reached else None,
                session_id=session_id,
                direction=ExchangeDirection.HUB_TO_EMP,
                partner_id=answer.provider_id,
                evse_id=evse_id,
            )
        )


def forward_outcome(answer: EMPAnswer) -> str:
    """How forwarding to an EMP went, as the timeline keeps it (an Outcome value)."""
    if answer.positive:
        return Outcome.ACCEPTED.value
    if answer.code == status.PARTNER_DID_NOT_RESPOND:  # configured unreachable
        return Outcome.EMP_UNREACHABLE.value
    return Outcome.REJECTED.value


class Stopwatch:
    """The start of an exchange: its wall-clock time and a monotonic reading."""

    def __init__(self) -> None:
        self.started_at = _now()
        self._start = time.perf_counter()

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self._start) * 1000


def set_routes(app: web.Application, routes: Mapping[str, Route]) -> None:
    """Tell the recorder which route (by its path template) is which operation."""
    app[_ROUTES_KEY] = dict(routes)


def exchange_recorder(monitor: Monitor) -> Middleware:
    """The middleware that records every request to the OICP listener with its answer."""

    @web.middleware
    async def record_exchange(request: web.Request, handler: Handler) -> web.StreamResponse:
        watch = Stopwatch()
        try:
            response = await handler(request)
        except web.HTTPException as error:  # aiohttp's own answers: 404, 405, 413 …
            monitor.record(await _exchange(request, error, watch))
            raise
        monitor.record(await _exchange(request, response, watch))
        return response

    return record_exchange


def _route(request: web.Request) -> Route:
    routes: dict[str, Route] = request.app.get(_ROUTES_KEY, {})
    resource = request.match_info.route.resource
    found = routes.get(resource.canonical) if resource is not None else None
    if found is not None:
        return found
    direction = (
        ExchangeDirection.EMP_TO_HUB
        if "/providers/" in request.path
        else ExchangeDirection.CPO_TO_HUB
    )
    return Route(UNKNOWN_PATH, direction)


async def _exchange(
    request: web.Request, response: web.StreamResponse, watch: Stopwatch
) -> Exchange:
    route = _route(request)
    body = await _request_body(request)
    text = _response_text(response)
    answer = _json_object(text)
    verdict = _verdict(response, answer)
    partner = _partner(request, body)
    return Exchange(
        operation=route.operation,
        url=str(request.url),
        request_body=body,
        outcome=verdict.outcome,
        detail=verdict.detail,
        started_at=watch.started_at,
        elapsed_ms=watch.elapsed_ms(),
        operator_id=partner if route.direction is ExchangeDirection.CPO_TO_HUB else None,
        service_type=route.service_type,
        http_status=response.status,
        response_body=text,
        result=verdict.result,
        status_code=verdict.code,
        status_description=verdict.description,
        session_id=_text_member(body, "SessionID") or _text_member(answer, "SessionID"),
        cpo_partner_session_id=_text_member(body, "CPOPartnerSessionID")
        or _text_member(answer, "CPOPartnerSessionID"),
        direction=route.direction,
        partner_id=partner,
        evse_id=_text_member(body, "EvseID"),
    )


async def _request_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object; anything else is kept as its text under ``(not JSON)``.

    The handler has read the body already (aiohttp keeps it, within its size bound); a body
    refused before it was read is read here within the same bound.
    """
    if request.get(BODY_NOT_READ):
        return {"(not read)": "the body exceeds the operation's size limit"}
    try:
        raw = await request.read()
    except web.HTTPException:
        return {"(not read)": "the body exceeds the listener's size limit"}
    if len(raw) > LOG_BODY_LIMIT:  # the log keeps up to its bound of exchanges: keep each small
        return {
            "(not kept)": f"the body has {len(raw)} bytes; the log keeps bodies of up to "
            f"{LOG_BODY_LIMIT} bytes whole",
            "(start)": raw[:_EXCERPT].decode("utf-8", "replace"),
        }
    try:
        # jsontext: the body may be hostile (nesting, lone surrogates), and the log writes it.
        parsed = jsontext.loads(raw.decode("utf-8"))
    except ValueError:
        return {"(not JSON)": raw[:_EXCERPT].decode("utf-8", "replace")}
    return parsed if isinstance(parsed, dict) else {"(not an object)": parsed}


_EXCERPT = 2000
LOG_BODY_LIMIT = 64 * 1024
"""The largest request body the log keeps whole (a full load of EVSE data can be larger)."""


def _response_text(response: web.StreamResponse) -> str | None:
    if isinstance(response, web.HTTPException):
        return response.text
    body = response.body if isinstance(response, web.Response) else None
    if isinstance(body, bytes | bytearray):
        return bytes(body).decode("utf-8", "replace")
    return None


def _json_object(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        parsed = jsontext.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _text_member(body: Mapping[str, Any] | None, name: str) -> str | None:
    value = body.get(name) if body is not None else None
    return value if isinstance(value, str) else None


def _partner(request: web.Request, body: Mapping[str, Any]) -> str | None:
    """Who sent the request: the ID in the path, else in the body, else the certificate's."""
    for key in ("operator_id", "provider_id"):
        if key in request.match_info:
            return request.match_info[key]
    for name in ("OperatorID", "ProviderID"):
        found = _text_member(body, name)
        if found is not None:
            return found
    ids = sorted(client_certificate(request).partner_ids())
    return ids[0] if ids else None


@dataclass(frozen=True)
class _Verdict:
    outcome: Outcome
    detail: str
    result: bool | None = None
    code: str | None = None
    description: str | None = None


def _verdict(response: web.StreamResponse, answer: dict[str, Any] | None) -> _Verdict:
    """How the hub answered, in the log's vocabulary."""
    if response.status == 400 and answer is None:
        reason = response.headers.get(DETAIL_HEADER, "the hub answered NGINX's 400 page")
        return _Verdict(Outcome.CLIENT_CERT_REFUSED, f"The hub refused the request: {reason}.")
    if response.status == 400:
        return _Verdict(Outcome.REQUEST_INVALID, _fault_detail(answer or {}))
    found = answer.get("StatusCode") if answer is not None else None
    if not isinstance(found, dict):
        return _Verdict(Outcome.HTTP_STATUS, f"The hub answered HTTP {response.status}.")
    code = found.get("Code") if isinstance(found.get("Code"), str) else None
    description = found.get("Description")
    result = _result(answer or {}, code)
    ok = response.status == 200 and result
    info = found.get("AdditionalInfo")
    detail = (
        f"The hub answered HTTP {response.status}, Result {'true' if result else 'false'}"
        f" with {code} ({description})" + (f": {info}" if info else "") + "."
    )
    return _Verdict(
        Outcome.ACCEPTED if ok else Outcome.REJECTED,
        detail,
        result,
        code,
        description if isinstance(description, str) else None,
    )


def _result(answer: Mapping[str, Any], code: str | None) -> bool:
    """Result of an acknowledgement, AuthorizationStatus of an authorization answer, else
    whether the StatusCode is 000."""
    if isinstance(answer.get("Result"), bool):
        return bool(answer["Result"])
    if "AuthorizationStatus" in answer:
        return bool(answer["AuthorizationStatus"] == "Authorized")
    return code == "000"


def _fault_detail(fault: Mapping[str, Any]) -> str:
    errors = fault.get("validationErrors")
    listed = [
        f"{e.get('fieldReference')}: {e.get('errorMessage')}"
        for e in errors or ()
        if isinstance(e, dict)
    ]
    shown = "; ".join(listed[:5]) + (f" (and {len(listed) - 5} more)" if len(listed) > 5 else "")
    return f"The hub refused the request with HTTP 400: {shown or fault.get('message')}."
