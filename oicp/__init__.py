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
"""

from oicp.errors import OICPError, OICPValidationError
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
from oicp.operations import Operation
from oicp.paths import (
    RESERVATION_STYLES,
    PathMatch,
    hub_to_cpo_path,
    hub_to_cpo_url,
    join_service_url,
    match_hub_to_cpo_path,
)
from oicp.status import STATUS_CODES, describe, is_known_code
from oicp.validation import Problem

__all__ = [
    "REQUEST_TYPES",
    "RESERVATION_STYLES",
    "STATUS_CODES",
    "Acknowledgement",
    "AuthorizeRemoteReservationStart",
    "AuthorizeRemoteReservationStop",
    "AuthorizeRemoteStart",
    "AuthorizeRemoteStop",
    "HashedPIN",
    "Identification",
    "LegacyHashData",
    "OICPError",
    "OICPValidationError",
    "Operation",
    "PathMatch",
    "PlugAndChargeIdentification",
    "Problem",
    "QRCodeIdentification",
    "RFIDIdentification",
    "RFIDMifareFamilyIdentification",
    "RemoteIdentification",
    "RemoteRequest",
    "StatusCode",
    "acknowledgement_semantic_problems",
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
    "new_session_id",
    "operator_id_of_evse",
    "parse_request",
]
