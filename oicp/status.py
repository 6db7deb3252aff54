"""The OICP 2.3 status codes (OICP 2.3 CPO, 03_CPO_Data_Types, "CodeType").

``STATUS_CODES`` maps every code the spec defines to the spec's description. Codes are
three-character strings with leading zeros ("000"), never numbers (OICP 2.3
StatusCodeType; Hubject's swagger declares them as a string enum).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# (code, description as the spec writes it, area of usage). The spec separates some
# descriptions with an EN DASH (\u2013) and one with a hyphen (105); both are kept as written.
_CODE_TABLE: tuple[tuple[str, str, str], ...] = (
    ("000", "Success.", "General codes"),
    ("001", "Hubject system error.", "Internal system codes"),
    ("002", "Hubject database error.", "Internal system codes"),
    ("009", "Data transaction error.", "Internal system codes"),
    ("017", "Unauthorized Access.", "Internal system codes"),
    ("018", "Inconsistent EvseID.", "Internal system codes"),
    ("019", "Inconsistent EvcoID.", "Internal system codes"),
    ("021", "System error.", "General codes"),
    ("022", "Data error.", "General codes"),
    ("101", "QR Code Authentication failed \u2013 Invalid Credentials.", "Authentication codes"),
    ("102", "RFID Authentication failed \u2013 invalid UID.", "Authentication codes"),
    ("103", "RFID Authentication failed \u2013 card not readable.", "Authentication codes"),
    ("105", "PLC Authentication failed - invalid EvcoID.", "Authentication codes"),
    (
        "106",
        "No positive authentication response.",
        "Authentication codes / Internal system codes",
    ),
    ("110", "QR Code App Authentication failed \u2013 time out error.", "Authentication codes"),
    (
        "120",
        "PLC (ISO/ IEC 15118) Authentication failed \u2013 invalid underlying EvcoID.",
        "Authentication codes",
    ),
    (
        "121",
        "PLC (ISO/ IEC 15118) Authentication failed \u2013 invalid certificate.",
        "Authentication codes",
    ),
    (
        "122",
        "PLC (ISO/ IEC 15118) Authentication failed \u2013 time out error.",
        "Authentication codes",
    ),
    ("200", "EvcoID locked.", "Authentication codes"),
    ("210", "No valid contract.", "Session codes"),
    ("300", "Partner not found.", "Session codes"),
    ("310", "Partner did not respond.", "Session codes"),
    ("320", "Service not available.", "Session codes"),
    ("400", "Session is invalid.", "Session codes"),
    ("501", "Communication to EVSE failed.", "EVSE codes"),
    ("510", "No EV connected to EVSE.", "EVSE codes"),
    ("601", "EVSE already reserved.", "EVSE codes"),
    ("602", "EVSE already in use/ wrong token.", "EVSE codes"),
    ("603", "Unknown EVSE ID.", "EVSE codes"),
    ("604", "EVSE ID is not Hubject compatible.", "EVSE codes"),
    ("700", "EVSE out of service.", "EVSE codes"),
)

STATUS_CODES: Mapping[str, str] = MappingProxyType(
    {code: description for code, description, _ in _CODE_TABLE}
)
"""Every OICP 2.3 status code mapped to the spec's description, in the spec's order."""

STATUS_CODE_AREAS: Mapping[str, str] = MappingProxyType(
    {code: area for code, _, area in _CODE_TABLE}
)
"""Every OICP 2.3 status code mapped to the spec's "Area of Usage"."""

SUCCESS = "000"
HUBJECT_SYSTEM_ERROR = "001"
HUBJECT_DATABASE_ERROR = "002"
DATA_TRANSACTION_ERROR = "009"
UNAUTHORIZED = "017"
INCONSISTENT_EVSE_ID = "018"
INCONSISTENT_EVCO_ID = "019"
SYSTEM_ERROR = "021"
DATA_ERROR = "022"
QR_CODE_INVALID_CREDENTIALS = "101"
RFID_INVALID_UID = "102"
RFID_CARD_NOT_READABLE = "103"
PLC_INVALID_EVCO_ID = "105"
NO_POSITIVE_AUTHENTICATION_RESPONSE = "106"
QR_CODE_APP_TIMEOUT = "110"
PLC_INVALID_UNDERLYING_EVCO_ID = "120"
PLC_INVALID_CERTIFICATE = "121"
PLC_TIMEOUT = "122"
EVCO_ID_LOCKED = "200"
NO_VALID_CONTRACT = "210"
PARTNER_NOT_FOUND = "300"
PARTNER_DID_NOT_RESPOND = "310"
SERVICE_NOT_AVAILABLE = "320"
SESSION_INVALID = "400"
COMMUNICATION_TO_EVSE_FAILED = "501"
NO_EV_CONNECTED = "510"
EVSE_ALREADY_RESERVED = "601"
EVSE_ALREADY_IN_USE = "602"
UNKNOWN_EVSE_ID = "603"
EVSE_NOT_HUBJECT_COMPATIBLE = "604"
EVSE_OUT_OF_SERVICE = "700"


def describe(code: str) -> str | None:
    """The spec's description of ``code`` ("Success." for "000"), or None if unknown."""
    return STATUS_CODES.get(code)


def is_known_code(code: str) -> bool:
    """True if ``code`` is one of the 31 codes of the OICP 2.3 CodeType table."""
    return code in STATUS_CODES


def area_of_usage(code: str) -> str | None:
    """The spec's "Area of Usage" of ``code`` ("EVSE codes" for "603"), or None if unknown."""
    return STATUS_CODE_AREAS.get(code)
