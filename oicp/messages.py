"""The OICP 2.3 messages between Hubject's HBS and a CPO for remote start/stop and reservation.

Field tables: OICP 2.3 CPO, 02_CPO_Services_and_Operations (eRoamingAuthorizeRemoteStart,
eRoamingAuthorizeRemoteStop, eRoamingAuthorizeRemoteReservationStart/Stop,
eRoamingAcknowledgement). Every JSON member name is written out as the spec spells it
(``EvseID``, ``CPOPartnerSessionID``), never derived by case conversion.

``to_wire()`` builds the JSON object; ``explicit_nulls=True`` mimics real HBS traffic
(absent members as ``null``, all five Identification keys). ``from_wire()`` accepts both
shapes and raises ``OICPValidationError`` listing every problem it found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar, Self, TypeAlias, TypeVar

from oicp import status
from oicp.errors import OICPError, OICPValidationError
from oicp.identification import (
    HashedPIN,
    Identification,
    LegacyHashData,
    PlugAndChargeIdentification,
    QRCodeIdentification,
    RemoteIdentification,
    RFIDIdentification,
    RFIDMifareFamilyIdentification,
    identification_from_wire,
    identification_to_wire,
    read_identification,
)
from oicp.limits import ADDITIONAL_INFO_MAX, clip
from oicp.operations import Operation
from oicp.validation import (
    EVSE_ID,
    PROVIDER_ID,
    SESSION_ID,
    STATUS_CODE,
    FieldReader,
    Problem,
    as_object,
    child_pointer,
)
from oicp.wire import JSONObject, build_object

PARTNER_SESSION_ID_MAX = 250
"""Maximum length of CPOPartnerSessionID and EMPPartnerSessionID (OICP 2.3)."""

PRODUCT_ID_MAX = 50
"""Maximum length of a custom PartnerProductID (OICP 2.3 ProductIDType)."""

DESCRIPTION_MAX = 200
DURATION_MIN, DURATION_MAX = 1, 99  # minutes, "field length 2"; the OpenAPI says 1-99

_T = TypeVar("_T")


def _parse(read: Callable[[FieldReader], _T | None], body: object, name: str) -> _T:
    """Run a ``read`` method on a whole body; raise with every problem if any."""
    problems: list[Problem] = []
    reader = as_object(body, "", problems, name=name)
    parsed = None if reader is None else read(reader)
    if problems or parsed is None:
        raise OICPValidationError(problems)
    return parsed


def _partner_session_ids(reader: FieldReader, *, max_length: int | None) -> tuple[str | None, ...]:
    return (
        reader.string("CPOPartnerSessionID", max_length=max_length),
        reader.string("EMPPartnerSessionID", max_length=max_length),
    )


@dataclass(frozen=True)
class StatusCode:
    """StatusCodeType: a three-digit code string, an optional description and extra text."""

    code: str
    description: str | None = None
    additional_info: str | None = None

    @classmethod
    def for_code(cls, code: str, additional_info: str | None = None) -> Self:
        """The StatusCode for ``code`` with the spec's description ("Success." for "000").

        ``additional_info`` is clipped to the 1000 characters OICP allows: it often quotes
        what the peer sent.
        """
        info = None if additional_info is None else clip(additional_info)
        return cls(code, status.describe(code), info)

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """``{"Code", "Description", "AdditionalInfo"}``."""
        members = {
            "Code": self.code,
            "Description": self.description,
            "AdditionalInfo": self.additional_info,
        }
        return build_object(members, explicit_nulls=explicit_nulls)

    @classmethod
    def from_error(cls, error: OICPError) -> Self:
        """The StatusCode to send in an acknowledgement for ``error``."""
        return cls(error.code, error.description, error.additional_info)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read a StatusCode object, recording problems in ``reader``."""
        start = len(reader.problems)
        code = reader.string("Code", required=True, pattern=STATUS_CODE)
        description = reader.string("Description", max_length=DESCRIPTION_MAX)
        info = reader.string("AdditionalInfo", max_length=ADDITIONAL_INFO_MAX)
        if code is None or len(reader.problems) != start:
            return None
        return cls(code, description, info)

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a StatusCode object; raise OICPValidationError listing every problem."""
        return _parse(cls.read, body, "StatusCode")


@dataclass(frozen=True)
class AuthorizeRemoteStart:
    """eRoamingAuthorizeRemoteStart (V2.1): an EMP asks the CPO, via Hubject, to start charging.

    SessionID is mandatory in the CPO's field table but optional in the EMP's, and Hubject
    has been seen forwarding ``"SessionID": null`` (OICP 2.3 digest §2.1), so it is optional.
    """

    provider_id: str
    evse_id: str
    identification: Identification
    session_id: str | None = None
    cpo_partner_session_id: str | None = None
    emp_partner_session_id: str | None = None
    partner_product_id: str | None = None
    operation: ClassVar[Operation] = Operation.AUTHORIZE_REMOTE_START

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The request body, in the spec's member order."""
        return build_object(_start_members(self, explicit_nulls), explicit_nulls=explicit_nulls)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the body, recording problems in ``reader``."""
        start = len(reader.problems)
        fields = _read_start(reader)
        if fields is None or len(reader.problems) != start:
            return None
        return cls(*fields)

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a request body; raise OICPValidationError listing every problem."""
        return _parse(cls.read, body, cls.operation.value)


@dataclass(frozen=True)
class _RemoteStop:
    """What both stops are: the same members, told apart by ``operation`` alone. The two
    are siblings, so ``isinstance`` still tells a remote stop from a reservation's."""

    provider_id: str
    evse_id: str
    session_id: str
    cpo_partner_session_id: str | None = None
    emp_partner_session_id: str | None = None
    operation: ClassVar[Operation]

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The request body, in the spec's member order."""
        members = {
            "SessionID": self.session_id,
            "CPOPartnerSessionID": self.cpo_partner_session_id,
            "EMPPartnerSessionID": self.emp_partner_session_id,
            "ProviderID": self.provider_id,
            "EvseID": self.evse_id,
        }
        return build_object(members, explicit_nulls=explicit_nulls)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the body, recording problems in ``reader``."""
        start = len(reader.problems)
        session_id = reader.string("SessionID", required=True, pattern=SESSION_ID)
        cpo_id, emp_id = _partner_session_ids(reader, max_length=PARTNER_SESSION_ID_MAX)
        provider_id = reader.string("ProviderID", required=True, pattern=PROVIDER_ID)
        evse_id = reader.string("EvseID", required=True, pattern=EVSE_ID)
        if provider_id is None or evse_id is None or session_id is None:
            return None
        if len(reader.problems) != start:
            return None
        return cls(provider_id, evse_id, session_id, cpo_id, emp_id)

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a request body; raise OICPValidationError listing every problem."""
        return _parse(cls.read, body, cls.operation.value)


@dataclass(frozen=True)
class AuthorizeRemoteStop(_RemoteStop):
    """eRoamingAuthorizeRemoteStop (V2.1): stop the session Hubject's SessionID names."""

    operation: ClassVar[Operation] = Operation.AUTHORIZE_REMOTE_STOP


@dataclass(frozen=True)
class AuthorizeRemoteReservationStart:
    """eRoamingAuthorizeRemoteReservationStart (V1.1): reserve an EVSE for ``duration`` minutes.

    SessionID is optional in both field tables (OICP 2.3 §eRoamingReservation), although
    Hubject generates one before forwarding; Duration is optional, 1-99 minutes.
    """

    provider_id: str
    evse_id: str
    identification: Identification
    session_id: str | None = None
    cpo_partner_session_id: str | None = None
    emp_partner_session_id: str | None = None
    partner_product_id: str | None = None
    duration: int | None = None
    operation: ClassVar[Operation] = Operation.AUTHORIZE_REMOTE_RESERVATION_START

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The request body, in the spec's member order: a remote start's, then Duration."""
        members = _start_members(self, explicit_nulls) | {"Duration": self.duration}
        return build_object(members, explicit_nulls=explicit_nulls)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the body, recording problems in ``reader``."""
        start = len(reader.problems)
        fields = _read_start(reader)
        duration = reader.integer("Duration", minimum=DURATION_MIN, maximum=DURATION_MAX)
        if fields is None or len(reader.problems) != start:
            return None
        return cls(*fields, duration)

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a request body; raise OICPValidationError listing every problem."""
        return _parse(cls.read, body, cls.operation.value)


@dataclass(frozen=True)
class AuthorizeRemoteReservationStop(_RemoteStop):
    """eRoamingAuthorizeRemoteReservationStop (V1.1): end the reservation SessionID names.

    "The request MUST contain the SessionID that was created by Hubject after the initial
    eRoamingAuthorizeRemoteReservationStart request" (OICP 2.3 §eRoamingReservation).
    """

    operation: ClassVar[Operation] = Operation.AUTHORIZE_REMOTE_RESERVATION_STOP


def _remote_identification(reader: FieldReader) -> Identification | None:
    value = reader.value("Identification", required=True)
    if value is None:
        return None
    pointer = reader.pointer_to("Identification")
    return read_identification(value, pointer, reader.problems, remote_only=True)


_StartRequest: TypeAlias = AuthorizeRemoteStart | AuthorizeRemoteReservationStart
_StartFields: TypeAlias = tuple[
    str, str, Identification, str | None, str | None, str | None, str | None
]


def _start_members(request: _StartRequest, explicit_nulls: bool) -> dict[str, object]:
    """The members both remote starts share, in the spec's order."""
    return {
        "SessionID": request.session_id,
        "CPOPartnerSessionID": request.cpo_partner_session_id,
        "EMPPartnerSessionID": request.emp_partner_session_id,
        "ProviderID": request.provider_id,
        "EvseID": request.evse_id,
        "Identification": identification_to_wire(
            request.identification, explicit_nulls=explicit_nulls
        ),
        "PartnerProductID": request.partner_product_id,
    }


def _read_start(reader: FieldReader) -> _StartFields | None:
    """The fields both remote starts share, in constructor order; None when a required one
    is missing or wrong (the caller still checks for problems of the optional ones)."""
    session_id = reader.string("SessionID", pattern=SESSION_ID)
    cpo_id, emp_id = _partner_session_ids(reader, max_length=PARTNER_SESSION_ID_MAX)
    provider_id = reader.string("ProviderID", required=True, pattern=PROVIDER_ID)
    evse_id = reader.string("EvseID", required=True, pattern=EVSE_ID)
    ident = _remote_identification(reader)
    product = reader.string("PartnerProductID", max_length=PRODUCT_ID_MAX)
    if provider_id is None or evse_id is None or ident is None:
        return None
    return provider_id, evse_id, ident, session_id, cpo_id, emp_id, product


RemoteRequest: TypeAlias = (
    AuthorizeRemoteStart
    | AuthorizeRemoteStop
    | AuthorizeRemoteReservationStart
    | AuthorizeRemoteReservationStop
)
"""Any of the four requests Hubject sends to a CPO."""

RequestType: TypeAlias = (
    type[AuthorizeRemoteStart]
    | type[AuthorizeRemoteStop]
    | type[AuthorizeRemoteReservationStart]
    | type[AuthorizeRemoteReservationStop]
)

REQUEST_TYPES: Mapping[Operation, RequestType] = MappingProxyType(
    {
        Operation.AUTHORIZE_REMOTE_START: AuthorizeRemoteStart,
        Operation.AUTHORIZE_REMOTE_STOP: AuthorizeRemoteStop,
        Operation.AUTHORIZE_REMOTE_RESERVATION_START: AuthorizeRemoteReservationStart,
        Operation.AUTHORIZE_REMOTE_RESERVATION_STOP: AuthorizeRemoteReservationStop,
    }
)
"""The request class of each operation."""


def parse_request(operation: Operation, body: object) -> RemoteRequest:
    """Parse ``body`` as the request of ``operation``; raise OICPValidationError."""
    return REQUEST_TYPES[operation].from_wire(body)


@dataclass(frozen=True)
class Acknowledgement:
    """eRoamingAcknowledgement: the answer to every hub-to-CPO request in this module.

    A refusal is still HTTP 200, with ``result`` False and a status code explaining why
    (OICP 2.3 §eRoamingAcknowledgement; codes 5xx-7xx for EVSE-side refusals).
    """

    result: bool
    status_code: StatusCode
    session_id: str | None = None
    cpo_partner_session_id: str | None = None
    emp_partner_session_id: str | None = None

    @classmethod
    def reply_to(
        cls,
        request: RemoteRequest,
        code: str = status.SUCCESS,
        *,
        result: bool | None = None,
        additional_info: str | None = None,
        cpo_partner_session_id: str | None = None,
    ) -> Self:
        """The answer to ``request``: echoes its session IDs; ``result`` defaults to code 000.

        ``cpo_partner_session_id`` replaces the request's one, so a CPO can hand out its own.
        """
        return cls(
            result=(code == status.SUCCESS) if result is None else result,
            status_code=StatusCode.for_code(code, additional_info),
            session_id=request.session_id,
            cpo_partner_session_id=cpo_partner_session_id or request.cpo_partner_session_id,
            emp_partner_session_id=request.emp_partner_session_id,
        )

    @classmethod
    def from_error(cls, error: OICPError, *, session_id: str | None = None) -> Self:
        """A negative acknowledgement carrying ``error``'s status code."""
        return cls(False, StatusCode.from_error(error), session_id)

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The acknowledgement body, in the spec's member order."""
        members = {
            "Result": self.result,
            "StatusCode": self.status_code.to_wire(explicit_nulls=explicit_nulls),
            "SessionID": self.session_id,
            "CPOPartnerSessionID": self.cpo_partner_session_id,
            "EMPPartnerSessionID": self.emp_partner_session_id,
        }
        return build_object(members, explicit_nulls=explicit_nulls)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the body's schema, recording problems in ``reader``.

        Partner session ID lengths and unknown codes are semantic checks, see
        ``acknowledgement_semantic_problems``.
        """
        start = len(reader.problems)
        result = reader.boolean("Result", required=True)
        status_reader = reader.object("StatusCode", required=True)
        code = None if status_reader is None else StatusCode.read(status_reader)
        session_id = reader.string("SessionID", pattern=SESSION_ID)
        cpo_id, emp_id = _partner_session_ids(reader, max_length=None)
        if result is None or code is None or len(reader.problems) != start:
            return None
        return cls(result, code, session_id, cpo_id, emp_id)

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse an acknowledgement; raise OICPValidationError listing every problem."""
        return _parse(cls.read, body, "eRoamingAcknowledgement")


def acknowledgement_semantic_problems(ack: Acknowledgement) -> list[Problem]:
    """Problems of a schema-valid acknowledgement that only the spec's prose forbids.

    - the code must be one of the CodeType table (a 3-digit string can still be unknown);
    - partner session IDs are at most 250 characters (the OpenAPI writes ``maximum: 250``
      on a string, which JSON Schema ignores, so a schema check never catches this).
    """
    problems: list[Problem] = []
    code = ack.status_code.code
    if not status.is_known_code(code):
        problems.append(
            Problem(
                "/StatusCode/Code",
                "known-code",
                f"status code {code!r} is not in the OICP 2.3 CodeType table; "
                "use one of 000-700 (e.g. '000' Success, '022' Data error)",
            )
        )
    for key, value in (
        ("CPOPartnerSessionID", ack.cpo_partner_session_id),
        ("EMPPartnerSessionID", ack.emp_partner_session_id),
    ):
        if value is not None and len(value) > PARTNER_SESSION_ID_MAX:
            problems.append(
                Problem(
                    child_pointer("", key),
                    f"maxLength:{PARTNER_SESSION_ID_MAX}",
                    f"{key} is {len(value)} characters long; "
                    f"OICP allows at most {PARTNER_SESSION_ID_MAX}",
                )
            )
    return problems


__all__ = [
    "ADDITIONAL_INFO_MAX",
    "DESCRIPTION_MAX",
    "DURATION_MAX",
    "DURATION_MIN",
    "PARTNER_SESSION_ID_MAX",
    "PRODUCT_ID_MAX",
    "REQUEST_TYPES",
    "Acknowledgement",
    "AuthorizeRemoteReservationStart",
    "AuthorizeRemoteReservationStop",
    "AuthorizeRemoteStart",
    "AuthorizeRemoteStop",
    "HashedPIN",
    "Identification",
    "LegacyHashData",
    "PlugAndChargeIdentification",
    "QRCodeIdentification",
    "RFIDIdentification",
    "RFIDMifareFamilyIdentification",
    "RemoteIdentification",
    "RemoteRequest",
    "RequestType",
    "StatusCode",
    "acknowledgement_semantic_problems",
    "identification_from_wire",
    "identification_to_wire",
    "parse_request",
]
