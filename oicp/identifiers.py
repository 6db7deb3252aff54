"""OICP 2.3 identifier formats.

Source: OICP 2.3 CPO, 03_CPO_Data_Types, "Simple Restricted String Data Types".

Each pattern is the spec's regular expression, compiled; use ``fullmatch`` (the anchors
are part of the patterns anyway). The ``is_*`` functions accept any object so that
validators can call them on untrusted JSON values.

EvseID is the one identifier where sources disagree on letter case: the spec's data
types chapter writes ``[A-Z]`` and ``[A-Z0-9]``, while Hubject's OpenAPI
(``schemas/EvseID.yaml``) and the older swagger write ``[A-Za-z]``. We follow the spec
and accept upper case only: a lower-case EvseID is one the CPO's own EVSE data would not
contain (operators register upper-case IDs), so flagging it finds real mistakes. Every
EvseID we accept also passes the OpenAPI pattern, so our messages stay schema-valid.
The other identifiers are case-insensitive in the spec itself.
"""

from __future__ import annotations

import os
import random
import re

# ISO 15118 ("DE*AB7*E840*6487", "DEAB7E8406487") or DIN SPEC 91286 ("+49*810*000*438").
EVSE_ID_PATTERN = re.compile(
    r"^(([A-Z]{2}\*?[A-Z0-9]{3}\*?E[A-Z0-9\*]{1,30})|(\+?[0-9]{1,3}\*[0-9]{3}\*[0-9\*]{1,32}))$"
)
# "DE*A36", "DEA36", "+49*536".
OPERATOR_ID_PATTERN = re.compile(r"^(([A-Za-z]{2}\*?[A-Za-z0-9]{3})|(\+?[0-9]{1,3}\*[0-9]{3}))$")
# "DE8EO", "DE-8EO", "DE*8EO". The spec's class [\*|-] also admits a literal "|"; we keep
# the spec's pattern unchanged so that we accept exactly what Hubject accepts.
PROVIDER_ID_PATTERN = re.compile(
    r"^([A-Za-z]{2}\-?[A-Za-z0-9]{3}|[A-Za-z]{2}[\*|-]?[A-Za-z0-9]{3})$"
)
# ISO "DE-8EO-CAet5e4XY-3", "DE8EOCAet5e43X1"; DIN "DE*8EO*Aet5e4*3", "DE-8EO-Aet5e4-3".
EVCO_ID_PATTERN = re.compile(
    r"^(([A-Za-z]{2}\-?[A-Za-z0-9]{3}\-?C[A-Za-z0-9]{8}\-?[\d|A-Za-z])"
    r"|([A-Za-z]{2}[\*|\-]?[A-Za-z0-9]{3}[\*|\-]?[A-Za-z0-9]{6}[\*|\-]?[\d|X]))$"
)
# A GUID shape, though any alphanumerics pass: "b2688855-7f00-0002-6d8e-48d883f6abb6".
SESSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9]{8}(-[A-Za-z0-9]{4}){3}-[A-Za-z0-9]{12}$")
# Upper-case hex, 8, 14 or 20 characters: "7568290FFF765F".
UID_PATTERN = re.compile(r"^([0-9A-F]{8,8}|[0-9A-F]{14,14}|[0-9A-F]{20,20})$")
# HashValueType. The spec prints "[0-9A-Za-z\\.+/=\\$]" with doubled backslashes (an
# escaping artefact); we keep the intended set: alphanumerics and . + / = $.
HASH_VALUE_PATTERN = re.compile(r"^[0-9A-Za-z.+/=$]{10,100}$")
# StatusCode.Code: a three-digit string with leading zeros ("000"), never a number.
STATUS_CODE_PATTERN = re.compile(r"^[0-9]{3}$")

_ISO_EVSE_OPERATOR = re.compile(r"^([A-Z]{2}\*?[A-Z0-9]{3})\*?E")
_DIN_EVSE_OPERATOR = re.compile(r"^(\+?[0-9]{1,3}\*[0-9]{3})\*")


def _matches(pattern: re.Pattern[str], value: object) -> bool:
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def is_evse_id(value: object) -> bool:
    """True if ``value`` is a string matching the spec's EvseID pattern (upper case)."""
    return _matches(EVSE_ID_PATTERN, value)


def is_operator_id(value: object) -> bool:
    """True if ``value`` is a string matching the OperatorID pattern."""
    return _matches(OPERATOR_ID_PATTERN, value)


def is_provider_id(value: object) -> bool:
    """True if ``value`` is a string matching the ProviderID pattern."""
    return _matches(PROVIDER_ID_PATTERN, value)


def is_evco_id(value: object) -> bool:
    """True if ``value`` is a string matching the EvcoID pattern (ISO or DIN)."""
    return _matches(EVCO_ID_PATTERN, value)


def is_session_id(value: object) -> bool:
    """True if ``value`` is a string matching the SessionID pattern."""
    return _matches(SESSION_ID_PATTERN, value)


def is_uid(value: object) -> bool:
    """True if ``value`` is a string matching the RFID UID pattern."""
    return _matches(UID_PATTERN, value)


# SessionIDs must be unique, not secret: nothing in OICP relies on guessing one being hard.
# The hub and the stub draw one per request, and os.urandom is a system call each time (in
# a VM, the most costly line of building a request); a private generator, seeded from the
# OS and seeded again in a forked child (so that parent and child never draw the same
# sequence), gives the same version 4 UUIDs at a fraction of the cost. Private, so that a
# caller seeding the ``random`` module cannot make SessionIDs repeat.
_session_ids = random.Random()
os.register_at_fork(after_in_child=_session_ids.seed)


def new_session_id() -> str:
    """A fresh Hubject-style SessionID (a random version 4 UUID, as the HBS generates)."""
    n = _session_ids.getrandbits(128)
    n = (n & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
    n = (n & ~(0xF000 << 64)) | (0x4 << 76)  # version 4
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def operator_id_of_evse(evse_id: str) -> str:
    """The OperatorID an EvseID starts with, written as in the EvseID.

    ``"DE*ABC*E123"`` gives ``"DE*ABC"``, ``"DEABCE123"`` gives ``"DEABC"`` and the DIN
    ``"+49*810*000*438"`` gives ``"+49*810"``. Hubject derives the CPO from the EvseID
    this way (OICP 2.3 CPO, eRoamingAuthorizeRemoteStart: "Hubject will derive the
    CPO's OperatorID from the EvseID"). Raises ValueError for a string that is no EvseID.
    """
    if not is_evse_id(evse_id):
        raise ValueError(
            f"{evse_id!r} is not an EvseID: use the ISO form 'DE*ABC*E123456' "
            "or the DIN form '+49*810*000*438' (upper case)"
        )
    found = _ISO_EVSE_OPERATOR.match(evse_id) or _DIN_EVSE_OPERATOR.match(evse_id)
    if found is None:  # pragma: no cover - is_evse_id guarantees one of the two forms
        raise ValueError(f"{evse_id!r} has no recognisable operator part")
    return found.group(1)
