"""eRoamingAuthorizeStart/Stop (CPO to hub) and their answers eRoamingAuthorizationStart/Stop.

Field tables: OICP 2.3 CPO, 02_CPO_Services_and_Operations, eRoamingAuthorizeStart and
eRoamingAuthorizeStop (digest §2.6). A CPO asks Hubject whether a customer, identified by
an RFID card, QR code or Plug&Charge contract, may charge; Hubject answers Authorized (with
the SessionID and the ProviderID of the authorizing EMP) or NotAuthorized with a code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from oicp.bodies import parse_body, partner_session_ids, read_array
from oicp.cpo_operations import CPOOperation
from oicp.identification import (
    Identification,
    QRCodeIdentification,
    RFIDIdentification,
    identification_to_wire,
    read_identification,
)
from oicp.messages import StatusCode
from oicp.validation import (
    EVSE_ID,
    OPERATOR_ID,
    PROVIDER_ID,
    SESSION_ID,
    FieldReader,
    Problem,
)
from oicp.wire import JSONObject, build_object

AUTHORIZED = "Authorized"
NOT_AUTHORIZED = "NotAuthorized"
AUTHORIZATION_STATUSES = (AUTHORIZED, NOT_AUTHORIZED)
"""AuthorizationStatusType (OICP 2.3)."""

PRODUCT_ID_MAX = 50


def _authorization_identification(reader: FieldReader) -> Identification | None:
    """The Identification of an authorization, with the spec's two extra rules.

    - RFIDIdentification "MUST not be used in the eRoamingAuthorization process"
      (IdentificationType, note 1);
    - a QR code carries the clear-text PIN and no HashedPIN: Hubject hashes it itself
      (02_CPO_Services_and_Operations, "Pin Security").
    """
    value = reader.value("Identification", required=True)
    if value is None:
        return None
    pointer = reader.pointer_to("Identification")
    ident = read_identification(value, pointer, reader.problems)
    if isinstance(ident, RFIDIdentification):
        reader.problems.append(
            Problem(
                f"{pointer}/RFIDIdentification",
                "not-for-authorization",
                "RFIDIdentification must not be used to authorize; send the card's UID as "
                '{"RFIDMifareFamilyIdentification": {"UID": …}}',
            )
        )
        return None
    if isinstance(ident, QRCodeIdentification) and (ident.pin is None or ident.hashed_pin):
        reader.problems.append(
            Problem(
                f"{pointer}/QRCodeIdentification",
                "pin-in-clear",
                "an authorization with a QR code must carry the clear-text PIN and no "
                "HashedPIN; Hubject hashes the PIN itself",
            )
        )
        return None
    return ident


@dataclass(frozen=True)
class AuthorizeStart:
    """eRoamingAuthorizeStart (V2.1): may this customer charge at this EVSE?"""

    operator_id: str
    identification: Identification
    session_id: str | None = None
    cpo_partner_session_id: str | None = None
    emp_partner_session_id: str | None = None
    evse_id: str | None = None
    partner_product_id: str | None = None
    operation: ClassVar[CPOOperation] = CPOOperation.AUTHORIZE_START

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The request body, in the spec's member order."""
        members = {
            "SessionID": self.session_id,
            "CPOPartnerSessionID": self.cpo_partner_session_id,
            "EMPPartnerSessionID": self.emp_partner_session_id,
            "OperatorID": self.operator_id,
            "EvseID": self.evse_id,
            "Identification": identification_to_wire(
                self.identification, explicit_nulls=explicit_nulls
            ),
            "PartnerProductID": self.partner_product_id,
        }
        return build_object(members, explicit_nulls=explicit_nulls)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the body, recording problems in ``reader``."""
        start = len(reader.problems)
        session_id = reader.string("SessionID", pattern=SESSION_ID)
        cpo_id, emp_id = partner_session_ids(reader)
        operator_id = reader.string("OperatorID", required=True, pattern=OPERATOR_ID)
        evse_id = reader.string("EvseID", pattern=EVSE_ID)
        ident = _authorization_identification(reader)
        product = reader.string("PartnerProductID", max_length=PRODUCT_ID_MAX)
        if operator_id is None or ident is None or len(reader.problems) != start:
            return None
        return cls(operator_id, ident, session_id, cpo_id, emp_id, evse_id, product)

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a request body; raise OICPValidationError listing every problem."""
        return parse_body(cls.read, body, cls.operation.value)


@dataclass(frozen=True)
class AuthorizeStop:
    """eRoamingAuthorizeStop (V2.1): may the customer stop the session SessionID names?"""

    operator_id: str
    session_id: str
    identification: Identification
    cpo_partner_session_id: str | None = None
    emp_partner_session_id: str | None = None
    evse_id: str | None = None
    operation: ClassVar[CPOOperation] = CPOOperation.AUTHORIZE_STOP

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The request body, in the spec's member order."""
        members = {
            "SessionID": self.session_id,
            "CPOPartnerSessionID": self.cpo_partner_session_id,
            "EMPPartnerSessionID": self.emp_partner_session_id,
            "OperatorID": self.operator_id,
            "EvseID": self.evse_id,
            "Identification": identification_to_wire(
                self.identification, explicit_nulls=explicit_nulls
            ),
        }
        return build_object(members, explicit_nulls=explicit_nulls)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the body, recording problems in ``reader``."""
        start = len(reader.problems)
        session_id = reader.string("SessionID", required=True, pattern=SESSION_ID)
        cpo_id, emp_id = partner_session_ids(reader)
        operator_id = reader.string("OperatorID", required=True, pattern=OPERATOR_ID)
        evse_id = reader.string("EvseID", pattern=EVSE_ID)
        ident = _authorization_identification(reader)
        if operator_id is None or session_id is None or ident is None:
            return None
        if len(reader.problems) != start:
            return None
        return cls(operator_id, session_id, ident, cpo_id, emp_id, evse_id)

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a request body; raise OICPValidationError listing every problem."""
        return parse_body(cls.read, body, cls.operation.value)


@dataclass(frozen=True)
class AuthorizationStart:
    """eRoamingAuthorizationStart: Hubject's answer to an AuthorizeStart.

    When Authorized it carries the new SessionID and the authorizing EMP's ProviderID, and
    may list further identifications allowed to stop the session.
    """

    authorization_status: str
    status_code: StatusCode
    session_id: str | None = None
    cpo_partner_session_id: str | None = None
    emp_partner_session_id: str | None = None
    provider_id: str | None = None
    authorization_stop_identifications: tuple[Identification, ...] | None = None

    @property
    def authorized(self) -> bool:
        return self.authorization_status == AUTHORIZED

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The response body, in the spec's member order."""
        stops = self.authorization_stop_identifications
        members = {
            "SessionID": self.session_id,
            "CPOPartnerSessionID": self.cpo_partner_session_id,
            "EMPPartnerSessionID": self.emp_partner_session_id,
            "ProviderID": self.provider_id,
            "AuthorizationStatus": self.authorization_status,
            "StatusCode": self.status_code.to_wire(explicit_nulls=explicit_nulls),
            "AuthorizationStopIdentifications": None
            if stops is None
            else [identification_to_wire(i, explicit_nulls=explicit_nulls) for i in stops],
        }
        return build_object(members, explicit_nulls=explicit_nulls)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the body, recording problems in ``reader``."""
        start = len(reader.problems)
        fields = _read_answer(reader)
        stops = _read_stop_identifications(reader)
        if fields is None or len(reader.problems) != start:
            return None
        status, code, session_id, cpo_id, emp_id, provider = fields
        return cls(status, code, session_id, cpo_id, emp_id, provider, stops)

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a response body; raise OICPValidationError listing every problem."""
        return parse_body(cls.read, body, "eRoamingAuthorizationStart")


@dataclass(frozen=True)
class AuthorizationStop:
    """eRoamingAuthorizationStop: Hubject's answer to an AuthorizeStop."""

    authorization_status: str
    status_code: StatusCode
    session_id: str | None = None
    cpo_partner_session_id: str | None = None
    emp_partner_session_id: str | None = None
    provider_id: str | None = None

    @property
    def authorized(self) -> bool:
        return self.authorization_status == AUTHORIZED

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The response body, in the spec's member order."""
        members = {
            "SessionID": self.session_id,
            "CPOPartnerSessionID": self.cpo_partner_session_id,
            "EMPPartnerSessionID": self.emp_partner_session_id,
            "ProviderID": self.provider_id,
            "AuthorizationStatus": self.authorization_status,
            "StatusCode": self.status_code.to_wire(explicit_nulls=explicit_nulls),
        }
        return build_object(members, explicit_nulls=explicit_nulls)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the body, recording problems in ``reader``."""
        start = len(reader.problems)
        fields = _read_answer(reader)
        if fields is None or len(reader.problems) != start:
            return None
        return cls(*fields)

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a response body; raise OICPValidationError listing every problem."""
        return parse_body(cls.read, body, "eRoamingAuthorizationStop")


_AnswerFields = tuple[str, StatusCode, str | None, str | None, str | None, str | None]


def _read_answer(reader: FieldReader) -> _AnswerFields | None:
    session_id = reader.string("SessionID", pattern=SESSION_ID)
    cpo_id, emp_id = partner_session_ids(reader)
    provider = reader.string("ProviderID", pattern=PROVIDER_ID)
    status = reader.string("AuthorizationStatus", required=True, choices=AUTHORIZATION_STATUSES)
    code_reader = reader.object("StatusCode", required=True)
    code = None if code_reader is None else StatusCode.read(code_reader)
    if status is None or code is None:
        return None
    return status, code, session_id, cpo_id, emp_id, provider


def _read_stop_identifications(reader: FieldReader) -> tuple[Identification, ...] | None:
    items = read_array(reader, "AuthorizationStopIdentifications")
    if items is None:
        return None
    pointer = reader.pointer_to("AuthorizationStopIdentifications")
    found = [
        read_identification(item, f"{pointer}/{index}", reader.problems)
        for index, item in enumerate(items)
    ]
    return tuple(i for i in found if i is not None)


__all__ = [
    "AUTHORIZATION_STATUSES",
    "AUTHORIZED",
    "NOT_AUTHORIZED",
    "AuthorizationStart",
    "AuthorizationStop",
    "AuthorizeStart",
    "AuthorizeStop",
]
