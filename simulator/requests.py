"""Building the OICP request the hub sends, from the few values a user gives.

Used by the admin API, the CLI, the demo and `hubsim check`, so that a bad EvseID or a
missing SessionID is refused the same way everywhere: by the protocol layer's own validation.
"""

from __future__ import annotations

from dataclasses import dataclass

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
from oicp.wire import JSONObject
from simulator.model import FieldIssue, ServiceType

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


class RequestRefused(ValueError):
    """The values given cannot make a valid OICP request; each issue names its field."""

    def __init__(self, issues: list[FieldIssue]) -> None:
        self.issues = issues
        super().__init__("; ".join(f"{i.field}: {i.message}" for i in issues))


@dataclass(frozen=True)
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


def prepare_request(operation: Operation, params: SendParams) -> tuple[RemoteRequest, JSONObject]:
    """:func:`build_request`, with the body to send: the wire form with explicit nulls, as
    the real hub sends it. That body is the one validated, so the hub builds it only once."""
    request = _assemble(operation, params)
    body = request.to_wire(explicit_nulls=True)
    try:
        type(request).from_wire(body)
    except OICPValidationError as err:
        raise RequestRefused(
            [_issue(p.pointer, request, p.message) for p in err.problems]
        ) from None
    return request, body


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
    value = request.to_wire().get(pointer.lstrip("/")) if pointer.count("/") == 1 else None
    return FieldIssue(field, value, message)
