"""eRoamingChargingNotifications (V1.1): Start, Progress, End and Error of a charging session.

Field tables: OICP 2.3 CPO, 02_CPO_Services_and_Operations, eRoamingChargingNotifications,
and the OpenAPI schemas eRoamingChargingNotification{Start,Progress,End,Error} (digest §2.8).
All four share one path and are told apart by ``Type``; each type has its own mandatory
members (Start: ChargingStart; Progress: ChargingStart and EventOccurred; End: ChargingEnd;
Error: ErrorType). Hubject forwards them to the EMP and passes the EMP's acknowledgement back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from oicp.bodies import parse_body, partner_session_ids, read_meter_values, read_number
from oicp.cpo_operations import CPOOperation
from oicp.identification import Identification, identification_to_wire, read_identification
from oicp.validation import EVSE_ID, OPERATOR_ID, SESSION_ID, FieldReader
from oicp.wire import JSONObject, build_object

START, PROGRESS, END, ERROR = "Start", "Progress", "End", "Error"
NOTIFICATION_TYPES = (START, PROGRESS, END, ERROR)
"""ChargingNotificationType (OICP 2.3)."""

ERROR_TYPES = ("ConnectorError", "CriticalError")
"""ErrorClassType as the OpenAPI and the code snippets write it on the wire."""

ERROR_ADDITIONAL_INFO_MAX = 250
PRODUCT_ID_MAX = 50

# The date-time members each type requires besides Type, SessionID, EvseID and OperatorID.
_REQUIRED_TIMES = {
    START: ("ChargingStart",),
    PROGRESS: ("ChargingStart", "EventOccurred"),
    END: ("ChargingEnd",),
    ERROR: (),
}
_TIMES = (
    "ChargingStart",
    "SessionStart",
    "EventOccurred",
    "ChargingEnd",
    "SessionEnd",
    "PenaltyTimeStart",
)


@dataclass(frozen=True, kw_only=True)
class ChargingNotification:
    """One charging notification; ``type`` is Start, Progress, End or Error.

    Times are kept as the CPO wrote them (RFC 3339 strings with an offset); energies are kWh.
    """

    type: str
    session_id: str
    evse_id: str
    operator_id: str
    cpo_partner_session_id: str | None = None
    emp_partner_session_id: str | None = None
    identification: Identification | None = None
    partner_product_id: str | None = None
    charging_start: str | None = None
    session_start: str | None = None
    event_occurred: str | None = None
    charging_end: str | None = None
    session_end: str | None = None
    penalty_time_start: str | None = None
    charging_duration: int | None = None  # milliseconds, Progress only
    consumed_energy_progress: float | None = None
    consumed_energy: float | None = None
    meter_value_start: float | None = None
    meter_value_end: float | None = None
    meter_value_in_between: tuple[float, ...] | None = None
    error_type: str | None = None
    error_additional_info: str | None = None
    operation: ClassVar[CPOOperation] = CPOOperation.CHARGING_NOTIFICATION

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The request body: the spec's members in its order; absent ones left out or null."""
        ident = self.identification
        between = self.meter_value_in_between
        members = {
            "Type": self.type,
            "SessionID": self.session_id,
            "CPOPartnerSessionID": self.cpo_partner_session_id,
            "EMPPartnerSessionID": self.emp_partner_session_id,
            "Identification": None
            if ident is None
            else identification_to_wire(ident, explicit_nulls=explicit_nulls),
            "EvseID": self.evse_id,
            "ChargingStart": self.charging_start,
            "SessionStart": self.session_start,
            "EventOccurred": self.event_occurred,
            "ChargingDuration": self.charging_duration,
            "ChargingEnd": self.charging_end,
            "SessionEnd": self.session_end,
            "ConsumedEnergyProgress": self.consumed_energy_progress,
            "ConsumedEnergy": self.consumed_energy,
            "MeterValueStart": self.meter_value_start,
            "MeterValueEnd": self.meter_value_end,
            "MeterValueInBetween": None if between is None else {"meterValues": list(between)},
            "OperatorID": self.operator_id,
            "PartnerProductID": self.partner_product_id,
            "PenaltyTimeStart": self.penalty_time_start,
            "ErrorType": self.error_type,
            "ErrorAdditionalInfo": self.error_additional_info,
        }
        return build_object(members, explicit_nulls=explicit_nulls)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the body, recording problems in ``reader``."""
        start = len(reader.problems)
        kind = reader.string("Type", required=True, choices=NOTIFICATION_TYPES)
        ids = _read_ids(reader)
        times = _read_times(reader, kind)
        amounts = _read_amounts(reader)
        errors = _read_error(reader, kind)
        if kind is None or ids is None or len(reader.problems) != start:
            return None
        return cls(type=kind, **ids, **times, **amounts, **errors)  # type: ignore[arg-type]

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a request body; raise OICPValidationError listing every problem."""
        return parse_body(cls.read, body, cls.operation.value)


def _read_ids(reader: FieldReader) -> dict[str, object] | None:
    session_id = reader.string("SessionID", required=True, pattern=SESSION_ID)
    cpo_id, emp_id = partner_session_ids(reader)
    evse_id = reader.string("EvseID", required=True, pattern=EVSE_ID)
    operator_id = reader.string("OperatorID", required=True, pattern=OPERATOR_ID)
    product = reader.string("PartnerProductID", max_length=PRODUCT_ID_MAX)
    value = reader.value("Identification")
    pointer = reader.pointer_to("Identification")
    ident = None if value is None else read_identification(value, pointer, reader.problems)
    if session_id is None or evse_id is None or operator_id is None:
        return None
    return {
        "session_id": session_id,
        "evse_id": evse_id,
        "operator_id": operator_id,
        "cpo_partner_session_id": cpo_id,
        "emp_partner_session_id": emp_id,
        "identification": ident,
        "partner_product_id": product,
    }


def _read_times(reader: FieldReader, kind: str | None) -> dict[str, object]:
    required = _REQUIRED_TIMES.get(kind or "", ())
    found = {key: reader.date_time(key, required=key in required) for key in _TIMES}
    return {
        "charging_start": found["ChargingStart"],
        "session_start": found["SessionStart"],
        "event_occurred": found["EventOccurred"],
        "charging_end": found["ChargingEnd"],
        "session_end": found["SessionEnd"],
        "penalty_time_start": found["PenaltyTimeStart"],
    }


def _read_amounts(reader: FieldReader) -> dict[str, object]:
    return {
        "charging_duration": reader.integer("ChargingDuration", minimum=0, maximum=2**53),
        "consumed_energy_progress": read_number(reader, "ConsumedEnergyProgress"),
        "consumed_energy": read_number(reader, "ConsumedEnergy"),
        "meter_value_start": read_number(reader, "MeterValueStart"),
        "meter_value_end": read_number(reader, "MeterValueEnd"),
        "meter_value_in_between": read_meter_values(reader),
    }


def _read_error(reader: FieldReader, kind: str | None) -> dict[str, object]:
    return {
        "error_type": reader.string("ErrorType", required=kind == ERROR, choices=ERROR_TYPES),
        "error_additional_info": reader.string(
            "ErrorAdditionalInfo", max_length=ERROR_ADDITIONAL_INFO_MAX
        ),
    }


__all__ = [
    "END",
    "ERROR",
    "ERROR_TYPES",
    "NOTIFICATION_TYPES",
    "PROGRESS",
    "START",
    "ChargingNotification",
]
