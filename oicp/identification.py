"""IdentificationType: how a customer was identified (OICP 2.3 CPO, 03_CPO_Data_Types).

"One of the following five options MUST be provided": on the wire an Identification is
an object with exactly one non-null member, named after the option. Hubject itself
sends all five keys with four of them ``null`` (OICP 2.3 digest §2.1), so readers ignore
null members. For remote start and remote reservation "only the option
RemoteIdentification MUST be used" (IdentificationType, note 2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar, Self, TypeAlias

from oicp.errors import OICPValidationError
from oicp.validation import (
    EVCO_ID,
    HASH_VALUE,
    UID,
    FieldReader,
    Problem,
    as_object,
)
from oicp.wire import JSONObject, build_object

RFID_TYPES = ("mifareCls", "mifareDes", "calypso", "nfc", "mifareFamily")
"""RFIDType values (OICP 2.3 RFIDType)."""

HASH_FUNCTIONS = ("Bcrypt",)
"""HashedPIN.Function values (OICP 2.3 HashedPINType)."""

LEGACY_HASH_FUNCTIONS = ("MD5", "SHA-1")
"""LegacyHashData.Function values (OICP 2.3 LegacyHashDataType)."""


@dataclass(frozen=True)
class _ContractIdentification:
    """An option that is a contract ID alone: ``{"EvcoID": …}``. Its subclasses are
    siblings, so ``isinstance`` still tells a remote identification from Plug&Charge."""

    evco_id: str

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The option's object: ``{"EvcoID": …}``."""
        return {"EvcoID": self.evco_id}

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the option's object, recording problems in ``reader``."""
        evco_id = reader.string("EvcoID", required=True, pattern=EVCO_ID)
        return None if evco_id is None else cls(evco_id)


@dataclass(frozen=True)
class RemoteIdentification(_ContractIdentification):
    """Identification by contract ID: the only option remote start and reservation allow."""

    wire_key: ClassVar[str] = "RemoteIdentification"


@dataclass(frozen=True)
class RFIDMifareFamilyIdentification:
    """Identification by the UID of a MIFARE-family RFID card (AuthorizeStart/Stop)."""

    uid: str
    wire_key: ClassVar[str] = "RFIDMifareFamilyIdentification"

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The option's object: ``{"UID": …}``."""
        return {"UID": self.uid}

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the option's object, recording problems in ``reader``."""
        uid = reader.string("UID", required=True, pattern=UID)
        return None if uid is None else cls(uid)


@dataclass(frozen=True)
class PlugAndChargeIdentification(_ContractIdentification):
    """Identification by ISO 15118 Plug&Charge contract ID (EMAID/EvcoID)."""

    wire_key: ClassVar[str] = "PlugAndChargeIdentification"


@dataclass(frozen=True)
class LegacyHashData:
    """How a partner hashed a PIN before Bcrypt (OICP 2.3 LegacyHashDataType)."""

    function: str
    salt: str | None = None
    value: str | None = None

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """``{"Function", "Salt", "Value"}``."""
        members = {"Function": self.function, "Salt": self.salt, "Value": self.value}
        return build_object(members, explicit_nulls=explicit_nulls)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the object, recording problems in ``reader``."""
        function = reader.string("Function", required=True, choices=LEGACY_HASH_FUNCTIONS)
        salt = reader.string("Salt", max_length=100)
        value = reader.string("Value", max_length=20)
        return None if function is None else cls(function, salt, value)


@dataclass(frozen=True)
class HashedPIN:
    """A hashed PIN (OICP 2.3 HashedPINType); only for authentication-data uploads."""

    value: str
    function: str = "Bcrypt"
    legacy_hash_data: LegacyHashData | None = None

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """``{"Value", "Function", "LegacyHashData"}``."""
        legacy = self.legacy_hash_data
        members = {
            "Value": self.value,
            "Function": self.function,
            "LegacyHashData": None
            if legacy is None
            else legacy.to_wire(explicit_nulls=explicit_nulls),
        }
        return build_object(members, explicit_nulls=explicit_nulls)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the object, recording problems in ``reader``."""
        start = len(reader.problems)
        value = reader.string("Value", required=True, pattern=HASH_VALUE)
        function = reader.string("Function", required=True, choices=HASH_FUNCTIONS)
        legacy_reader = reader.object("LegacyHashData")
        legacy = None if legacy_reader is None else LegacyHashData.read(legacy_reader)
        if value is None or function is None or len(reader.problems) != start:
            return None
        return cls(value, function, legacy)


@dataclass(frozen=True)
class QRCodeIdentification:
    """Identification by QR code: contract ID plus PIN or hashed PIN (never both)."""

    evco_id: str
    pin: str | None = None
    hashed_pin: HashedPIN | None = None
    wire_key: ClassVar[str] = "QRCodeIdentification"

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """``{"EvcoID", "PIN", "HashedPIN"}``."""
        hashed = self.hashed_pin
        members = {
            "EvcoID": self.evco_id,
            "PIN": self.pin,
            "HashedPIN": None if hashed is None else hashed.to_wire(explicit_nulls=explicit_nulls),
        }
        return build_object(members, explicit_nulls=explicit_nulls)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the option's object, recording problems in ``reader``."""
        start = len(reader.problems)
        evco_id = reader.string("EvcoID", required=True, pattern=EVCO_ID)
        pin = reader.string("PIN", max_length=20)
        hashed_reader = reader.object("HashedPIN")
        hashed = None if hashed_reader is None else HashedPIN.read(hashed_reader)
        if reader.present("PIN") and reader.present("HashedPIN"):
            reader.add(
                "HashedPIN",
                "at-most-one:PIN,HashedPIN",
                "QRCodeIdentification carries both PIN and HashedPIN; send only one of them",
            )
        if evco_id is None or len(reader.problems) != start:
            return None
        return cls(evco_id, pin, hashed)


@dataclass(frozen=True)
class RFIDIdentification:
    """Full RFID card data; for authentication-data uploads, not for authorization."""

    uid: str
    rfid: str
    evco_id: str | None = None
    printed_number: str | None = None
    expiry_date: str | None = None
    wire_key: ClassVar[str] = "RFIDIdentification"

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """``{"UID", "RFID", "EvcoID", "PrintedNumber", "ExpiryDate"}``."""
        members = {
            "UID": self.uid,
            "RFID": self.rfid,
            "EvcoID": self.evco_id,
            "PrintedNumber": self.printed_number,
            "ExpiryDate": self.expiry_date,
        }
        return build_object(members, explicit_nulls=explicit_nulls)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the option's object, recording problems in ``reader``."""
        start = len(reader.problems)
        uid = reader.string("UID", required=True, pattern=UID)
        rfid = reader.string("RFID", required=True, choices=RFID_TYPES)
        evco_id = reader.string("EvcoID", pattern=EVCO_ID)
        printed = reader.string("PrintedNumber", max_length=150)
        expiry = reader.date_time("ExpiryDate")
        if uid is None or rfid is None or len(reader.problems) != start:
            return None
        return cls(uid, rfid, evco_id, printed, expiry)


Identification: TypeAlias = (
    RFIDMifareFamilyIdentification
    | RFIDIdentification
    | QRCodeIdentification
    | PlugAndChargeIdentification
    | RemoteIdentification
)
"""One of the five IdentificationType options."""

_OPTIONS: Mapping[str, Callable[[FieldReader], Identification | None]] = {
    "RFIDMifareFamilyIdentification": RFIDMifareFamilyIdentification.read,
    "RFIDIdentification": RFIDIdentification.read,
    "QRCodeIdentification": QRCodeIdentification.read,
    "PlugAndChargeIdentification": PlugAndChargeIdentification.read,
    "RemoteIdentification": RemoteIdentification.read,
}

IDENTIFICATION_KEYS: tuple[str, ...] = tuple(_OPTIONS)
"""The five option names in the spec's order."""


def identification_to_wire(ident: Identification, *, explicit_nulls: bool = False) -> JSONObject:
    """The Identification object; with ``explicit_nulls`` all five keys, four of them null."""
    option = ident.to_wire(explicit_nulls=explicit_nulls)
    if not explicit_nulls:
        return {ident.wire_key: option}
    return {key: option if key == ident.wire_key else None for key in IDENTIFICATION_KEYS}


def identification_from_wire(obj: object, pointer: str = "") -> Identification:
    """Parse an Identification object found at ``pointer``; raise OICPValidationError."""
    problems: list[Problem] = []
    ident = read_identification(obj, pointer, problems)
    if problems or ident is None:
        raise OICPValidationError(problems)
    return ident


def read_identification(
    obj: object, pointer: str, problems: list[Problem], *, remote_only: bool = False
) -> Identification | None:
    """Read an Identification, appending every problem; None if it is not usable.

    With ``remote_only`` any option other than RemoteIdentification is a problem
    (IdentificationType note 2: remote authorization uses RemoteIdentification only).
    """
    reader = as_object(obj, pointer, problems, name="Identification")
    if reader is None:
        return None
    body = reader.body
    given = [key for key in IDENTIFICATION_KEYS if body.get(key) is not None]
    if len(given) == 1 and (not remote_only or given[0] == RemoteIdentification.wire_key):
        return _read_option(reader, given[0])  # the usual case, read on every request
    if len(given) != 1:
        problems.append(_not_exactly_one(reader, given))
    if remote_only:
        _check_remote_only(reader, given)
    found = [_read_option(reader, key) for key in given]
    return found[0] if len(found) == 1 and len(given) == 1 else None


def _read_option(reader: FieldReader, key: str) -> Identification | None:
    option = reader.body.get(key)
    if isinstance(option, dict):
        # Read on every request, so without the generic member lookup: ``key`` is one of
        # the option names, which need no escaping in a JSON pointer.
        return _OPTIONS[key](FieldReader(option, f"{reader.pointer}/{key}", reader.problems))
    option_reader = reader.object(key)  # records why it is not an object
    return None if option_reader is None else _OPTIONS[key](option_reader)


def _not_exactly_one(reader: FieldReader, given: list[str]) -> Problem:
    options = ", ".join(IDENTIFICATION_KEYS)
    if given:
        detail = f"got {len(given)}: {', '.join(given)}"
    else:
        others = [k for k, v in reader.body.items() if v is not None]
        detail = f"got none (other members: {', '.join(others)})" if others else "got none"
    return Problem(
        reader.pointer,
        "one-of:Identification",
        f"Identification must contain exactly one non-null option of {options}; {detail}",
    )


def _check_remote_only(reader: FieldReader, given: list[str]) -> None:
    for key in given:
        if key != RemoteIdentification.wire_key:
            reader.add(
                key,
                "remote-identification-only",
                f"remote start and reservation accept only RemoteIdentification, got {key}; "
                'send {"RemoteIdentification": {"EvcoID": …}}',
            )


__all__ = [
    "HASH_FUNCTIONS",
    "IDENTIFICATION_KEYS",
    "LEGACY_HASH_FUNCTIONS",
    "RFID_TYPES",
    "HashedPIN",
    "Identification",
    "LegacyHashData",
    "PlugAndChargeIdentification",
    "QRCodeIdentification",
    "RFIDIdentification",
    "RFIDMifareFamilyIdentification",
    "RemoteIdentification",
    "identification_from_wire",
    "identification_to_wire",
    "read_identification",
]
