"""Building the OICP request the hub sends, from the few values a user gives.

Used by the admin API, the CLI, the demo and `hubsim check`, so that a bad EvseID or a
missing SessionID is refused the same way everywhere: by the protocol layer's own validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from multidict import CIMultiDict, CIMultiDictProxy

from oicp import (
    AuthorizeRemoteReservationStart,
    AuthorizeRemoteReservationStop,
    AuthorizeRemoteStart,
    AuthorizeRemoteStop,
    OICPValidationError,
    Operation,
    RemoteIdentification,
    RemoteRequest,
)
from oicp.identifiers import new_session_id
from oicp.validation import EVSE_ID
from oicp.wire import JSONObject
from simulator.model import FieldIssue, ServiceType, WireProfile

DEFAULT_EVCO_ID = "DE-8EO-CAET5E4XY-3"

# JSON pointer of the wire field -> the name a user typed it under.
_FIELD_NAMES = {
    "/EvseID": "evse_id",
    "/ProviderID": "provider_id",
    "/SessionID": "session_id",
    "/Identification/RemoteIdentification/EvcoID": "evco_id",
    "/Duration": "duration",
    "/CPOPartnerSessionID": "cpo_partner_session_id",
    "/EMPPartnerSessionID": "emp_partner_session_id",
    "/PartnerProductID": "partner_product_id",
}


@dataclass(frozen=True)
class WireShape:
    """What a wire profile sends: the body's shape and the HTTP headers.

    ``Accept-Encoding: identity`` is in both: the hub reads answers as sent (no
    decompression), so it must not invite a backend to compress them; without the header
    aiohttp would announce "gzip, deflate" on its own.
    """

    explicit_nulls: bool
    headers: Mapping[str, str]

    def body(self, request: RemoteRequest) -> JSONObject:
        """The request's JSON object in this profile's shape."""
        return request.to_wire(explicit_nulls=self.explicit_nulls)


def _headers(headers: dict[str, str]) -> Mapping[str, str]:
    """Read-only headers in aiohttp's own type, which it takes on each request unconverted."""
    return CIMultiDictProxy(CIMultiDict(headers))


HBS_USER_AGENT = "Apache-HttpAsyncClient/4.1.4 (Java/1.8.0_265)"
STRICT_USER_AGENT = "hubsim/0.1 (mock Hubject HBS)"

# The one definition of each profile (docs/wire-profiles.md). ``hbs`` is the captured HBS
# request (OICP 2.3 digest §2.1, WWCP_OICP CPOServerAPI.cs): absent members as null, all
# five Identification keys with one set, Apache HttpAsyncClient's headers. ``strict`` is
# the official schema's shape (Hubject's oicp-cpo-2.3-api-doc) with plain headers.
WIRE_SHAPES: Mapping[WireProfile, WireShape] = MappingProxyType(
    {
        WireProfile.HBS: WireShape(
            explicit_nulls=True,
            headers=_headers(
                {
                    "Accept": "application/json;charset=UTF-8",
                    "Content-Type": "application/json;charset=UTF-8",
                    "Connection": "Keep-Alive",
                    "User-Agent": HBS_USER_AGENT,
                    "Accept-Encoding": "identity",
                }
            ),
        ),
        WireProfile.STRICT: WireShape(
            explicit_nulls=False,
            headers=_headers(
                {
                    "Accept": "application/json",
                    "Content-Type": "application/json",
                    "User-Agent": STRICT_USER_AGENT,
                    "Accept-Encoding": "identity",
                }
            ),
        ),
    }
)


def wire_shape(profile: WireProfile) -> WireShape:
    """What ``profile`` sends."""
    return WIRE_SHAPES[profile]


def parse_wire_profile(value: object, field: str = "wire_profile") -> WireProfile:
    """``"hbs"`` or ``"strict"``; anything else is refused naming ``field`` and the value."""
    try:
        return WireProfile(value)
    except ValueError:
        raise RequestRefused(
            [
                FieldIssue(
                    field,
                    value,
                    "use 'hbs' (the real hub's shape: explicit nulls, "
                    "application/json;charset=UTF-8) or 'strict' (the official schema's "
                    "shape: absent members omitted, application/json)",
                )
            ]
        ) from None


class RequestRefused(ValueError):
    """The values given cannot make a valid OICP request; each issue names its field."""

    def __init__(self, issues: list[FieldIssue]) -> None:
        self.issues = issues
        super().__init__("; ".join(f"{i.field}: {i.message}" for i in issues))


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which tripled
# the cost of the one SendParams each forwarded or load request makes. Nothing changes one.
@dataclass
class SendParams:
    """What a user gives to send one request."""

    evse_id: str
    provider_id: str
    evco_id: str | None = None
    session_id: str | None = None
    cpo_partner_session_id: str | None = None
    emp_partner_session_id: str | None = None
    partner_product_id: str | None = None
    duration: int | None = None


def service_type_of(operation: Operation) -> ServiceType:
    """Remote start/stop go to the Authorization URL, reservations to the Reservation URL."""
    if operation in (
        Operation.AUTHORIZE_REMOTE_RESERVATION_START,
        Operation.AUTHORIZE_REMOTE_RESERVATION_STOP,
    ):
        return ServiceType.RESERVATION
    return ServiceType.AUTHORIZATION


def build_request(operation: Operation, params: SendParams) -> RemoteRequest:
    """Build and validate the request; raises :class:`RequestRefused` naming each bad field."""
    return prepare_request(operation, params)[0]


def prepare_request(
    operation: Operation, params: SendParams, profile: WireProfile = WireProfile.HBS
) -> tuple[RemoteRequest, JSONObject]:
    """:func:`build_request`, with the body to send in ``profile``'s shape (by default the
    real hub's, with explicit nulls). That body is the one validated, so the hub builds it
    only once."""
    request = _assemble(operation, params)
    body = WIRE_SHAPES[profile].body(request)
    try:
        type(request).from_wire(body)
    except OICPValidationError as err:
        raise RequestRefused(
            [_issue(p.pointer, request, p.message) for p in err.problems]
        ) from None
    return request, body


def check_provider_id(value: str) -> None:
    """Refuse a ProviderID the builder would refuse, in its words, for a caller that sends
    nothing (the admin API's readiness question)."""
    issues = builder_issues(Operation.AUTHORIZE_REMOTE_START, {"provider_id": value})
    if issues:
        raise RequestRefused(issues)


def id_issues(data: Mapping[str, object]) -> list[FieldIssue]:
    """The builder's refusals of the ``provider_id`` and ``evse_id`` that ``data`` gives as
    text, for a body whose other problems are refused with them."""
    given = {k: v for k in ("provider_id", "evse_id") if isinstance(v := data.get(k), str) and v}
    return builder_issues(Operation.AUTHORIZE_REMOTE_START, given) if given else []


_STAND_INS = {"evse_id": "DE*ABC*E0001", "provider_id": "DE*ICE"}


def builder_issues(operation: Operation, given: Mapping[str, object]) -> list[FieldIssue]:
    """What the builder refuses of the send fields ``given`` (SendParams' names), the
    required IDs not given filled with valid stand-ins: the refusals of a body whose other
    problems are refused with them."""
    try:
        build_request(operation, SendParams(**{**_STAND_INS, **given}))  # type: ignore[arg-type]
    except RequestRefused as err:
        return [issue for issue in err.issues if issue.field in given]
    except (TypeError, ValueError):  # a value of another type: refused by its own rule
        return []
    return []


class RequestTemplates:
    """:func:`prepare_request`'s bodies for requests that differ only in their EvseID and in
    the SessionID the hub generates (a load run's remote starts and reservation starts).

    The builder builds and checks the first request of each kind whole; a later one is a
    copy of that body with its own EvseID, checked by the EvseID rule the builder's
    validation applies (:data:`oicp.validation.EVSE_ID`), and a new SessionID from the
    builder's generator. A request that carries its own SessionID (a stop), or an EvseID
    the rule refuses, goes through the builder whole, so a refusal is the builder's.
    Building and checking every request whole cost a load run about a tenth of its speed.
    """

    _KINDS_MAX = 64  # kinds of request kept; a run has one per operation of its mix

    def __init__(self, profile: WireProfile = WireProfile.HBS) -> None:
        self._profile = profile
        self._bodies: dict[tuple[object, ...], JSONObject] = {}

    def body(self, operation: Operation, params: SendParams) -> JSONObject:
        """The body :func:`prepare_request` builds for ``params`` (with a new SessionID);
        raises :class:`RequestRefused` as it does."""
        if params.session_id is not None or not EVSE_ID.regex.fullmatch(params.evse_id):
            return prepare_request(operation, params, self._profile)[1]
        kind = _kind_of(operation, params)
        first = self._bodies.get(kind)
        if first is None:
            if len(self._bodies) >= self._KINDS_MAX:
                self._bodies.clear()
            first = self._bodies[kind] = prepare_request(operation, params, self._profile)[1]
            return first
        body = dict(first)  # shallow: the nested Identification is shared, never changed
        body["EvseID"] = params.evse_id
        body["SessionID"] = new_session_id()
        return body


def _kind_of(operation: Operation, p: SendParams) -> tuple[object, ...]:
    """Everything of a request but its EvseID and SessionID (``tests/hub`` checks that this
    names every other field of :class:`SendParams`)."""
    return (
        operation,
        p.provider_id,
        p.evco_id,
        p.cpo_partner_session_id,
        p.emp_partner_session_id,
        p.partner_product_id,
        p.duration,
    )


def _assemble(operation: Operation, p: SendParams) -> RemoteRequest:
    ident = RemoteIdentification(evco_id=p.evco_id or DEFAULT_EVCO_ID)
    if operation is Operation.AUTHORIZE_REMOTE_START:
        # Hubject generates the SessionID before it forwards a remote start.
        return AuthorizeRemoteStart(
            provider_id=p.provider_id,
            evse_id=p.evse_id,
            identification=ident,
            session_id=p.session_id or new_session_id(),
            cpo_partner_session_id=p.cpo_partner_session_id,
            emp_partner_session_id=p.emp_partner_session_id,
            partner_product_id=p.partner_product_id,
        )
    if operation is Operation.AUTHORIZE_REMOTE_RESERVATION_START:
        return AuthorizeRemoteReservationStart(
            provider_id=p.provider_id,
            evse_id=p.evse_id,
            identification=ident,
            session_id=p.session_id or new_session_id(),
            cpo_partner_session_id=p.cpo_partner_session_id,
            emp_partner_session_id=p.emp_partner_session_id,
            partner_product_id=p.partner_product_id,
            duration=p.duration,
        )
    session_id = _require_session(operation, p)
    stop = (
        AuthorizeRemoteStop
        if operation is Operation.AUTHORIZE_REMOTE_STOP
        else AuthorizeRemoteReservationStop
    )
    return stop(
        provider_id=p.provider_id,
        evse_id=p.evse_id,
        session_id=session_id,
        cpo_partner_session_id=p.cpo_partner_session_id,
        emp_partner_session_id=p.emp_partner_session_id,
    )


def _require_session(operation: Operation, p: SendParams) -> str:
    if not p.session_id:
        raise RequestRefused(
            [
                FieldIssue(
                    "session_id",
                    None,
                    f"{operation.value} needs the SessionID of the session to stop; pass the "
                    "session_id that the start returned",
                )
            ]
        )
    return p.session_id


def _issue(pointer: str, request: RemoteRequest, message: str) -> FieldIssue:
    field = _FIELD_NAMES.get(pointer, pointer)
    return FieldIssue(field, _value_at(request.to_wire(), pointer), message)


def _value_at(body: object, pointer: str) -> object:
    """The value at JSON pointer ``pointer`` in ``body`` (None where there is none): a
    refusal of ``evco_id`` quotes the EvcoID, which sits three levels down."""
    for part in pointer.split("/")[1:]:
        if isinstance(body, dict):
            body = body.get(part)
        elif isinstance(body, list) and part.isdigit() and int(part) < len(body):
            body = body[int(part)]
        else:
            return None
    return body
