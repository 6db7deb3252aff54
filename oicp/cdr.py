"""eRoamingChargeDetailRecord (V2.2): the CPO's record of a finished session.

Field table: OICP 2.3 CPO, 02_CPO_Services_and_Operations, eRoamingChargeDetailRecord
(digest §2.7). ChargingStart, ChargingEnd and ConsumedEnergy are mandatory in 2.3 although
the older swagger has them optional (release notes). "Hubject will accept only one CDR per
SessionID"; the hub enforces that, not this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Self

from oicp.bodies import (
    parse_body,
    partner_session_ids,
    read_meter_values,
    read_number,
    read_objects,
)
from oicp.cpo_operations import CPOOperation
from oicp.identification import Identification, identification_to_wire, read_identification
from oicp.shapes import Member, Record, Text, check_member
from oicp.validation import EVSE_ID, OPERATOR_ID, PROVIDER_ID, SESSION_ID, FieldReader, Problem
from oicp.wire import JSONObject, build_object

SIGNED_METERING_VALUES_MAX = 10
SIGNED_METERING_VALUE_MAX = 3000
METERING_STATUSES = ("Start", "Progress", "End")
PRODUCT_ID_MAX = 50


@dataclass(frozen=True, kw_only=True)
class ChargeDetailRecord:
    """One session's CDR; times are the CPO's RFC 3339 strings, energies kWh.

    ``signed_metering_values`` and ``calibration_law_verification_info`` are kept as the
    JSON objects that were sent (the hub stores and forwards them, it does not interpret them).
    """

    session_id: str
    evse_id: str
    identification: Identification
    charging_start: str
    charging_end: str
    session_start: str
    session_end: str
    consumed_energy: float
    cpo_partner_session_id: str | None = None
    emp_partner_session_id: str | None = None
    partner_product_id: str | None = None
    meter_value_start: float | None = None
    meter_value_end: float | None = None
    meter_value_in_between: tuple[float, ...] | None = None
    signed_metering_values: tuple[JSONObject, ...] | None = None
    calibration_law_verification_info: JSONObject | None = None
    hub_operator_id: str | None = None
    hub_provider_id: str | None = None
    operation: ClassVar[CPOOperation] = CPOOperation.CHARGE_DETAIL_RECORD

    def to_wire(self, *, explicit_nulls: bool = False) -> JSONObject:
        """The request body, in the spec's member order."""
        between = self.meter_value_in_between
        signed = self.signed_metering_values
        members = {
            "SessionID": self.session_id,
            "CPOPartnerSessionID": self.cpo_partner_session_id,
            "EMPPartnerSessionID": self.emp_partner_session_id,
            "PartnerProductID": self.partner_product_id,
            "EvseID": self.evse_id,
            "Identification": identification_to_wire(
                self.identification, explicit_nulls=explicit_nulls
            ),
            "ChargingStart": self.charging_start,
            "ChargingEnd": self.charging_end,
            "SessionStart": self.session_start,
            "SessionEnd": self.session_end,
            "MeterValueStart": self.meter_value_start,
            "MeterValueEnd": self.meter_value_end,
            "MeterValueInBetween": None if between is None else {"meterValues": list(between)},
            "ConsumedEnergy": self.consumed_energy,
            "SignedMeteringValues": None if signed is None else [dict(s) for s in signed],
            "CalibrationLawVerificationInfo": self.calibration_law_verification_info,
            "HubOperatorID": self.hub_operator_id,
            "HubProviderID": self.hub_provider_id,
        }
        return build_object(members, explicit_nulls=explicit_nulls)

    @classmethod
    def read(cls, reader: FieldReader) -> Self | None:
        """Read the body, recording problems in ``reader``."""
        start = len(reader.problems)
        session_id = reader.string("SessionID", required=True, pattern=SESSION_ID)
        cpo_id, emp_id = partner_session_ids(reader)
        product = reader.string("PartnerProductID", max_length=PRODUCT_ID_MAX)
        evse_id = reader.string("EvseID", required=True, pattern=EVSE_ID)
        ident = _identification(reader)
        times = [
            reader.date_time(key, required=True)
            for key in ("ChargingStart", "ChargingEnd", "SessionStart", "SessionEnd")
        ]
        energy = read_number(reader, "ConsumedEnergy", required=True)
        extras = _read_extras(reader)
        if session_id is None or evse_id is None or ident is None or energy is None:
            return None
        if len(reader.problems) != start or None in times:
            return None
        charging_start, charging_end, session_start, session_end = (str(t) for t in times)
        return cls(
            session_id=session_id,
            evse_id=evse_id,
            identification=ident,
            charging_start=charging_start,
            charging_end=charging_end,
            session_start=session_start,
            session_end=session_end,
            consumed_energy=energy,
            cpo_partner_session_id=cpo_id,
            emp_partner_session_id=emp_id,
            partner_product_id=product,
            **extras,  # type: ignore[arg-type]
        )

    @classmethod
    def from_wire(cls, body: object) -> Self:
        """Parse a request body; raise OICPValidationError listing every problem."""
        return parse_body(cls.read, body, cls.operation.value)


def _identification(reader: FieldReader) -> Identification | None:
    value = reader.value("Identification", required=True)
    if value is None:
        return None
    return read_identification(value, reader.pointer_to("Identification"), reader.problems)


CALIBRATION_LAW_VERIFICATION_INFO = Record(
    "CalibrationLawVerificationInfoType",
    (
        Member("CalibrationLawCertificateID", Text(max_length=100)),
        Member("PublicKey", Text(max_length=1000)),
        Member("MeteringSignatureUrl", Text(max_length=200)),
        Member("MeteringSignatureEncodingFormat", Text(max_length=50)),
        Member("SignedMeteringValuesVerificationInstruction", Text(max_length=400)),
    ),
)


def _read_extras(reader: FieldReader) -> dict[str, object]:
    check_member(
        reader, "CalibrationLawVerificationInfo", CALIBRATION_LAW_VERIFICATION_INFO, required=False
    )
    calibration = reader.object("CalibrationLawVerificationInfo")
    return {
        "meter_value_start": read_number(reader, "MeterValueStart"),
        "meter_value_end": read_number(reader, "MeterValueEnd"),
        "meter_value_in_between": read_meter_values(reader),
        "signed_metering_values": _read_signed_values(reader),
        "calibration_law_verification_info": None
        if calibration is None
        else dict(calibration.body),
        "hub_operator_id": reader.string("HubOperatorID", pattern=OPERATOR_ID),
        "hub_provider_id": reader.string("HubProviderID", pattern=PROVIDER_ID),
    }


def _read_signed_values(reader: FieldReader) -> tuple[JSONObject, ...] | None:
    if reader.value("SignedMeteringValues") is None:
        return None
    items = read_objects(reader, "SignedMeteringValues")
    if len(items) > SIGNED_METERING_VALUES_MAX:
        reader.add(
            "SignedMeteringValues",
            f"maxItems:{SIGNED_METERING_VALUES_MAX}",
            f"SignedMeteringValues has {len(items)} entries; OICP allows at most "
            f"{SIGNED_METERING_VALUES_MAX}",
        )
    for item in items:
        item.string("SignedMeteringValue", max_length=SIGNED_METERING_VALUE_MAX)
        item.string("MeteringStatus", choices=METERING_STATUSES)
    return tuple(dict(item.body) for item in items)


# --- plausibility (Hubject's checks of a CDR's values, beyond the schema) -----------------------

CONSUMED_ENERGY_MAX_KWH = 1000.0
"""Hubject refuses a CDR with more consumed energy than this, with 022 (issue 14)."""


def plausibility_problems(cdr: ChargeDetailRecord, now: datetime) -> list[Problem]:
    """Every implausible value of a schema-valid CDR, by pointer; ``now`` is the request time.

    Energy is neither negative nor over 1,000 kWh; no period ends before it starts; the
    session has ended by the time its CDR arrives ("the request time must be later than
    SessionEnd", OICP 2.3 CS §eRoamingChargeDetailRecord); times carry their UTC offset.
    """
    problems = _energy_problems(cdr)
    times = _aware_times(cdr, problems)
    for start, end in (("ChargingStart", "ChargingEnd"), ("SessionStart", "SessionEnd")):
        if start in times and end in times and times[end] < times[start]:
            problems.append(
                Problem(
                    f"/{end}",
                    "plausible:order",
                    f"{end} is before {start}: {_when(times, end, start)}",
                )
            )
    if "SessionEnd" in times and times["SessionEnd"] > now:
        problems.append(
            Problem(
                "/SessionEnd",
                "plausible:past",
                f"SessionEnd {cdr.session_end} is in the future (the hub's time is "
                f"{now.isoformat(timespec='seconds')}); send the CDR after the session ended",
            )
        )
    return problems


def _when(times: dict[str, datetime], end: str, start: str) -> str:
    return f"{times[end].isoformat()} < {times[start].isoformat()}"


def _energy_problems(cdr: ChargeDetailRecord) -> list[Problem]:
    problems = []
    if cdr.consumed_energy < 0:
        problems.append(
            Problem(
                "/ConsumedEnergy",
                "plausible:energy",
                f"ConsumedEnergy is negative ({cdr.consumed_energy:g} kWh)",
            )
        )
    elif cdr.consumed_energy > CONSUMED_ENERGY_MAX_KWH:
        problems.append(
            Problem(
                "/ConsumedEnergy",
                "plausible:energy",
                f"ConsumedEnergy is {cdr.consumed_energy:g} kWh; Hubject accepts at most "
                f"{CONSUMED_ENERGY_MAX_KWH:g} kWh for one session",
            )
        )
    for key, value in (
        ("MeterValueStart", cdr.meter_value_start),
        ("MeterValueEnd", cdr.meter_value_end),
    ):
        if value is not None and value < 0:
            problems.append(
                Problem(f"/{key}", "plausible:energy", f"{key} is negative ({value:g} kWh)")
            )
    start, end = cdr.meter_value_start, cdr.meter_value_end
    if start is not None and end is not None and 0 <= end < start:
        problems.append(
            Problem(
                "/MeterValueEnd",
                "plausible:energy",
                f"MeterValueEnd {end:g} is below MeterValueStart {start:g}",
            )
        )
    return problems


def _aware_times(cdr: ChargeDetailRecord, problems: list[Problem]) -> dict[str, datetime]:
    """The four times that carry a UTC offset; one without is a problem."""
    found = {}
    for key, text in (
        ("ChargingStart", cdr.charging_start),
        ("ChargingEnd", cdr.charging_end),
        ("SessionStart", cdr.session_start),
        ("SessionEnd", cdr.session_end),
    ):
        value = datetime.fromisoformat(text)  # read_date_time checked it
        if value.tzinfo is None:
            problems.append(
                Problem(
                    f"/{key}",
                    "format:offset",
                    f"{key} {text!r} has no UTC offset; OICP times carry the charge point's "
                    "offset, e.g. '2020-09-23T14:17:53+02:00'",
                )
            )
        else:
            found[key] = value
    return found


__all__ = ["CONSUMED_ENERGY_MAX_KWH", "ChargeDetailRecord", "plausibility_problems"]
