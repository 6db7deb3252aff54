"""OICP 2.3 protocol layer: the messages Hubject's HBS exchanges with a CPO.

Knows nothing of HTTP servers, TLS or storage. The modules:

- ``oicp.operations``: the four hub-to-CPO operations (``Operation``);
- ``oicp.identifiers``: the spec's identifier patterns (EvseID, ProviderID, …);
- ``oicp.status``: the CodeType table (000 … 700);
- ``oicp.messages``: requests, acknowledgement and identification types with
  ``to_wire()`` / ``from_wire()``;
- ``oicp.validation``: ``Problem`` and the collecting readers;
- ``oicp.errors``: ``OICPError`` and ``OICPValidationError`` (code 022);
- ``oicp.paths``: the paths the hub appends to a CPO's Service URL, and matching them.

The CPO-to-hub side (what a CPO sends to Hubject):

- ``oicp.cpo_operations``: ``CPOOperation`` and ``cpo_to_hub_path``;
- ``oicp.authorization``: eRoamingAuthorizeStart/Stop and their answers;
- ``oicp.evse_data``: eRoamingPushEvseData and eRoamingPushEvseStatus;
- ``oicp.notifications``: eRoamingChargingNotifications (Start, Progress, End, Error);
- ``oicp.cdr``: eRoamingChargeDetailRecord;
- ``oicp.pricing``: eRoamingPushPricingProductData and eRoamingPushEVSEPricing;
- ``oicp.authentication_data``: OICP 2.2's eRoamingPullAuthenticationData;
- ``oicp.faults``: the HTTP 400/401/404/429 bodies of Hubject's own endpoints.
"""

from oicp.authentication_data import (
    AuthenticationData,
    ProviderAuthenticationData,
    PullAuthenticationData,
)
from oicp.authorization import (
    AuthorizationStart,
    AuthorizationStop,
    AuthorizeStart,
    AuthorizeStop,
)
from oicp.cdr import ChargeDetailRecord
from oicp.cpo_operations import CPOOperation, cpo_to_hub_path
from oicp.errors import OICPError, OICPValidationError
from oicp.evse_data import (
    EvseDataRecord,
    EvseStatusRecord,
    PushEvseData,
    PushEvseStatus,
    minimal_evse_record,
)
from oicp.faults import status_fault, validation_fault
from oicp.identifiers import (
    is_evco_id,
    is_evse_id,
    is_operator_id,
    is_provider_id,
    is_session_id,
    is_uid,
    new_session_id,
    operator_id_of_evse,
)
from oicp.messages import (
    REQUEST_TYPES,
    Acknowledgement,
    AuthorizeRemoteReservationStart,
    AuthorizeRemoteReservationStop,
    AuthorizeRemoteStart,
    AuthorizeRemoteStop,
    HashedPIN,
    Identification,
    LegacyHashData,
    PlugAndChargeIdentification,
    QRCodeIdentification,
    RemoteIdentification,
    RemoteRequest,
    RFIDIdentification,
    RFIDMifareFamilyIdentification,
    StatusCode,
    acknowledgement_semantic_problems,
    identification_from_wire,
    identification_to_wire,
    parse_request,
)
from oicp.notifications import ChargingNotification
from oicp.operations import Operation
from oicp.paths import (
    RESERVATION_STYLES,
    PathMatch,
    hub_to_cpo_path,
    hub_to_cpo_url,
    join_service_url,
    match_hub_to_cpo_path,
    path_template,
)
from oicp.pricing import EVSEPricing, PushEVSEPricing, PushPricingProductData
from oicp.status import STATUS_CODES, describe, is_known_code
from oicp.validation import Problem

__all__ = [
    "REQUEST_TYPES",
    "RESERVATION_STYLES",
    "STATUS_CODES",
    "Acknowledgement",
    "AuthenticationData",
    "AuthorizationStart",
    "AuthorizationStop",
    "AuthorizeRemoteReservationStart",
    "AuthorizeRemoteReservationStop",
    "AuthorizeRemoteStart",
    "AuthorizeRemoteStop",
    "AuthorizeStart",
    "AuthorizeStop",
    "CPOOperation",
    "ChargeDetailRecord",
    "ChargingNotification",
    "EVSEPricing",
    "EvseDataRecord",
    "EvseStatusRecord",
    "HashedPIN",
    "Identification",
    "LegacyHashData",
    "OICPError",
    "OICPValidationError",
    "Operation",
    "PathMatch",
    "PlugAndChargeIdentification",
    "Problem",
    "ProviderAuthenticationData",
    "PullAuthenticationData",
    "PushEVSEPricing",
    "PushEvseData",
    "PushEvseStatus",
    "PushPricingProductData",
    "QRCodeIdentification",
    "RFIDIdentification",
    "RFIDMifareFamilyIdentification",
    "RemoteIdentification",
    "RemoteRequest",
    "StatusCode",
    "acknowledgement_semantic_problems",
    "cpo_to_hub_path",
    "describe",
    "hub_to_cpo_path",
    "hub_to_cpo_url",
    "identification_from_wire",
    "identification_to_wire",
    "is_evco_id",
    "is_evse_id",
    "is_known_code",
    "is_operator_id",
    "is_provider_id",
    "is_session_id",
    "is_uid",
    "join_service_url",
    "match_hub_to_cpo_path",
    "minimal_evse_record",
    "new_session_id",
    "operator_id_of_evse",
    "parse_request",
    "path_template",
    "status_fault",
    "validation_fault",
]
