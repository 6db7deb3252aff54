"""eRoamingPushEvseData (V2.3) and eRoamingPushEvseStatus (V2.1): a CPO's EVSE data at Hubject.

Field tables: OICP 2.3 CPO, 03_CPO_Data_Types, EvseDataRecordType and EvseStatusRecordType
(digest §2.8). An EVSE data record has some forty members; Hubject keeps a record as it was
sent, and so does the mock: :class:`EvseDataRecord` checks every member, at every depth,
against the tables of :mod:`oicp.evse_types`, reads what the hub acts on (EvseID,
IsHubjectCompatible), and keeps the whole record unchanged in ``record``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Self

from oicp.bodies import ACTION_TYPES, parse_body
from oicp.cpo_operations import CPOOperation
from oicp.evse_types import EVSE_DATA_RECORD
from oicp.shapes import ListOf, Member, Record, Text, check_record
from oicp.validation import EVSE_ID, OPERATOR_ID, FieldReader
from oicp.wire import JSONObject, build_object

EVSE_STATUSES = ("Available", "Reserved", "Occupied", "OutOfService", "EvseNotFound", "Unknown")
"""EvseStatusType (OICP 2.3)."""

OPERATOR_NAME_MAX = 100

PUSH_EVSE_DATA = Record(
    "eRoamingPushEvseData",
    (
        Member("ActionType", Text(choices=ACTION_TYPES), required=True),
        Member(
            "OperatorEvseData",
            Record(
                "OperatorEvseDataType",
                (
                    Member("OperatorID", Text(pattern=OPERATOR_ID), required=True),
                    Member("OperatorName", Text(max_length=OPERATOR_NAME_MAX), required=True),
                    Member("EvseDataRecord", ListOf(EVSE_DATA_RECORD), required=True),
                ),
            ),
            required=True,
        ),
    ),
)
EVSE_STATUS_RECORD = Record(
    "EvseStatusRecordType",
    (
        Member("EvseID", Text(pattern=EVSE_ID), required=True),
        Member("EvseStatus", Text(choices=EVSE_STATUSES), required=True),
    ),
)
PUSH_EVSE_STATUS = Record(
    "eRoamingPushEvseStatus",
    (
        Member("ActionType", Text(choices=ACTION_TYPES), required=True),
        Member(
            "OperatorEvseStatus",
            Record(
                "OperatorEvseStatusType",
                (
                    Member("OperatorID", Text(pattern=OPERATOR_ID), required=True),
                    Member("OperatorName", Text(max_length=OPERATOR_NAME_MAX)),
                    Member("EvseStatusRecord", ListOf(EVSE_STATUS_RECORD), required=True),
                ),
            ),
            required=True,
        ),
    ),
)


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
        """Read the record, recording every problem of every member in ``reader``."""
        start = len(reader.problems)
        check_record(EVSE_DATA_RECORD, reader)
        if len(reader.problems) != start:
            return None
        evse_id, compatible = reader.body["EvseID"], reader.body["IsHubjectCompatible"]
        assert isinstance(evse_id, str) and isinstance(compatible, bool)  # checked above
        return cls(evse_id, compatible, dict(reader.body))


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
        check_record(PUSH_EVSE_DATA, reader)
        if len(reader.problems) != start:
            return None
        data: JSONObject = reader.body["OperatorEvseData"]  # type: ignore[assignment]
        records: list[JSONObject] = data["EvseDataRecord"]
        return cls(
            str(reader.body["ActionType"]),
            str(data["OperatorID"]),
            str(data["OperatorName"]),
            tuple(EvseDataRecord(r["EvseID"], r["IsHubjectCompatible"], dict(r)) for r in records),
        )

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
        start = len(reader.problems)
        check_record(EVSE_STATUS_RECORD, reader)
        if len(reader.problems) != start:
            return None
        return cls(str(reader.body["EvseID"]), str(reader.body["EvseStatus"]))


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
        check_record(PUSH_EVSE_STATUS, reader)
        if len(reader.problems) != start:
            return None
        data: JSONObject = reader.body["OperatorEvseStatus"]  # type: ignore[assignment]
        records: list[JSONObject] = data["EvseStatusRecord"]
        return cls(
            str(reader.body["ActionType"]),
            str(data["OperatorID"]),
            tuple(EvseStatusRecord(str(r["EvseID"]), str(r["EvseStatus"])) for r in records),
            data.get("OperatorName"),
        )

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
