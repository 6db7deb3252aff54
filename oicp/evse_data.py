"""eRoamingPushEvseData (V2.3) and eRoamingPushEvseStatus (V2.1): a CPO's EVSE data at Hubject.

Field tables: OICP 2.3 CPO, 03_CPO_Data_Types, EvseDataRecordType and EvseStatusRecordType
(digest §2.8). An EVSE data record has some forty members; Hubject keeps a record as it was
sent, and so does the mock: :class:`EvseDataRecord` reads what the hub acts on (EvseID,
IsHubjectCompatible) and checks that every mandatory member is present with the right JSON
type, and keeps the whole record unchanged in ``record``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar, Self

from oicp.bodies import parse_body, read_action_type, read_array, read_objects
from oicp.cpo_operations import CPOOperation
from oicp.validation import EVSE_ID, OPERATOR_ID, FieldReader, NamedPattern
from oicp.wire import JSONObject, build_object

EVSE_STATUSES = ("Available", "Reserved", "Occupied", "OutOfService", "EvseNotFound", "Unknown")
"""EvseStatusType (OICP 2.3)."""

OPERATOR_NAME_MAX = 100
PHONE_NUMBER = NamedPattern("PhoneNumber", re.compile(r"^\+[0-9]{5,15}$"), "'+4930513278'")
CALIBRATION_LAW_DATA = ("Local", "External", "Not Available")
DYNAMIC_INFO = ("true", "false", "auto")

# The mandatory members of EvseDataRecordType that the hub does not otherwise read, with the
# JSON type each must have (OICP 2.3 OpenAPI, schemas/EvseDataRecord.yaml "required").
_MANDATORY_ARRAYS = (
    "ChargingStationNames",
    "Plugs",
    "ChargingFacilities",
    "AuthenticationModes",
    "PaymentOptions",
    "ValueAddedServices",
)
_MANDATORY_OBJECTS = ("Address", "GeoCoordinates")


@dataclass(frozen=True)
class EvseDataRecord:
    """One EVSE's data: the members the hub acts on, and the record as sent.

    ``record`` is the JSON object unchanged; Hubject stores data in its original form.
    """

    evse_id: str
    is_hubject_compatible: bool
    record: JSONObject = field(compare=False)

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The record as it was sent (or built)."""
        return dict(self.record)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the record, recording every problem in ``reader``."""
        start = len(reader.problems)
        evse_id = reader.string("EvseID", required=True, pattern=EVSE_ID)
        compatible = reader.boolean("IsHubjectCompatible", required=True)
        _check_mandatory(reader)
        if evse_id is None or compatible is None or len(reader.problems) != start:
            return None
        return cls(evse_id, compatible, dict(reader.body))


def _check_mandatory(reader: FieldReader) -> None:
    for key in _MANDATORY_ARRAYS:
        read_array(reader, key, required=True)
    for key in _MANDATORY_OBJECTS:
        reader.object(key, required=True)
    reader.boolean("RenewableEnergy", required=True)
    reader.boolean("IsOpen24Hours", required=True)
    reader.string("CalibrationLawDataAvailability", required=True, choices=CALIBRATION_LAW_DATA)
    reader.string("DynamicInfoAvailable", required=True, choices=DYNAMIC_INFO)
    reader.string("HotlinePhoneNumber", required=True, pattern=PHONE_NUMBER)
    reader.value("Accessibility", required=True)
    if reader.body.get("IsOpen24Hours") is False:
        # "OpeningTimes … mandatory if IsOpen24Hours is false" (EvseDataRecordType).
        read_array(reader, "OpeningTimes", required=True)


@dataclass(frozen=True)
class PushEvseData:
    """eRoamingPushEvseData: upload (fullLoad, update, insert) or delete EVSE data records."""

    action_type: str
    operator_id: str
    operator_name: str
    records: tuple[EvseDataRecord, ...]
    operation: ClassVar[CPOOperation] = CPOOperation.PUSH_EVSE_DATA

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The request body."""
        data = {
            "OperatorID": self.operator_id,
            "OperatorName": self.operator_name,
            "EvseDataRecord": [r.to_wire(explicit_nulls=explicit_nulls) for r in self.records],
        }
        return {"ActionType": self.action_type, "OperatorEvseData": data}

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the body, recording problems in ``reader``."""
        start = len(reader.problems)
        action = read_action_type(reader)
        data = reader.object("OperatorEvseData", required=True)
        operator_id = operator_name = None
        records: list[EvseDataRecord | None] = []
        if data is not None:
            operator_id = data.string("OperatorID", required=True, pattern=OPERATOR_ID)
            operator_name = data.string("OperatorName", required=True, max_length=OPERATOR_NAME_MAX)
            records = [
                EvseDataRecord.read(r) for r in read_objects(data, "EvseDataRecord", required=True)
            ]
        if action is None or operator_id is None or operator_name is None:
            return None
        if len(reader.problems) != start:
            return None
        return cls(action, operator_id, operator_name, tuple(r for r in records if r))

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a request body; raise OICPValidationError listing every problem."""
        return parse_body(cls.read, body, cls.operation.value)


@dataclass(frozen=True)
class EvseStatusRecord:
    """One EVSE's status: Available, Reserved, Occupied, OutOfService, EvseNotFound or Unknown."""

    evse_id: str
    evse_status: str

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        return {"EvseID": self.evse_id, "EvseStatus": self.evse_status}

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the record, recording problems in ``reader``."""
        evse_id = reader.string("EvseID", required=True, pattern=EVSE_ID)
        status = reader.string("EvseStatus", required=True, choices=EVSE_STATUSES)
        if evse_id is None or status is None:
            return None
        return cls(evse_id, status)


@dataclass(frozen=True)
class PushEvseStatus:
    """eRoamingPushEvseStatus: upload or delete the dynamic status of EVSEs."""

    action_type: str
    operator_id: str
    records: tuple[EvseStatusRecord, ...]
    operator_name: str | None = None
    operation: ClassVar[CPOOperation] = CPOOperation.PUSH_EVSE_STATUS

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The request body."""
        members = {
            "OperatorID": self.operator_id,
            "OperatorName": self.operator_name,
            "EvseStatusRecord": [r.to_wire() for r in self.records],
        }
        status = build_object(members, explicit_nulls=explicit_nulls)
        return {"ActionType": self.action_type, "OperatorEvseStatus": status}

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the body, recording problems in ``reader``."""
        start = len(reader.problems)
        action = read_action_type(reader)
        data = reader.object("OperatorEvseStatus", required=True)
        operator_id = operator_name = None
        records: list[EvseStatusRecord | None] = []
        if data is not None:
            operator_id = data.string("OperatorID", required=True, pattern=OPERATOR_ID)
            operator_name = data.string("OperatorName", max_length=OPERATOR_NAME_MAX)
            items = read_objects(data, "EvseStatusRecord", required=True)
            records = [EvseStatusRecord.read(r) for r in items]
        if action is None or operator_id is None or len(reader.problems) != start:
            return None
        return cls(action, operator_id, tuple(r for r in records if r), operator_name)

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a request body; raise OICPValidationError listing every problem."""
        return parse_body(cls.read, body, cls.operation.value)


def minimal_evse_record(
    evse_id: str, *, is_hubject_compatible: bool = True, name: str = "Test station"
) -> JSONObject:
    """An EVSE data record with every mandatory member, for tests, demos and the stub.

    Values follow the spec's examples (OICP 2.3 CPO, 06_CPO_Code_Snippets, PushEvseData).
    """
    return {
        "EvseID": evse_id,
        "ChargingStationNames": [{"lang": "en", "value": name}],
        "Address": {
            "Country": "DEU",
            "City": "Berlin",
            "Street": "Example Street",
            "PostalCode": "10115",
            "HouseNum": "1",
        },
        "GeoCoordinates": {"Google": {"Coordinates": "52.520008 13.404954"}},
        "Plugs": ["Type 2 Outlet"],
        "ChargingFacilities": [{"PowerType": "AC_3_PHASE", "Power": 22}],
        "RenewableEnergy": True,
        "CalibrationLawDataAvailability": "Not Available",
        "AuthenticationModes": ["REMOTE", "NFC RFID Classic"],
        "PaymentOptions": ["Contract"],
        "ValueAddedServices": ["None"],
        "Accessibility": "Free publicly accessible",
        "HotlinePhoneNumber": "+4930123456",
        "IsOpen24Hours": True,
        "IsHubjectCompatible": is_hubject_compatible,
        "DynamicInfoAvailable": "true",
    }


__all__ = [
    "EVSE_STATUSES",
    "EvseDataRecord",
    "EvseStatusRecord",
    "PushEvseData",
    "PushEvseStatus",
    "minimal_evse_record",
]
