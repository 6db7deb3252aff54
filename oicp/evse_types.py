"""EvseDataRecordType and the types inside it, as :mod:`oicp.shapes` tables.

Member by member as OICP 2.3 CPO, 03_CPO_Data_Types, and the official OpenAPI
(schemas/EvseDataRecord.yaml and the files it references) define them, with three rules
the tables of the spec state in prose:

- GeoCoordinates: "One of the following three options MUST be provided" (Google,
  DecimalDegree, DegreeMinuteSeconds);
- OpeningTimes: mandatory if IsOpen24Hours is false;
- PaymentOptions: "No Payment can not be combined with other payment option".

Patterns are matched against the whole value (some official ones lack ``^…$`` but mean it);
``\\d`` is written ``[0-9]``, as in the JSON Schema dialect's ECMA regular expressions, and
the one pattern that could backtrack over a long value (Coordinates' blanks) is possessive.
"""

from __future__ import annotations

import re

from oicp.shapes import Flag, Integer, ListOf, Member, Number, Record, Text, exactly_one_of
from oicp.validation import EVSE_ID, OPERATOR_ID, FieldReader, NamedPattern

PLUGS = (
    "Small Paddle Inductive",
    "Large Paddle Inductive",
    "AVCON Connector",
    "Tesla Connector",
    "NEMA 5-20",
    "Type E French Standard",
    "Type F Schuko",
    "Type G British Standard",
    "Type J Swiss Standard",
    "Type 1 Connector (Cable Attached)",
    "Type 2 Outlet",
    "Type 2 Connector (Cable Attached)",
    "Type 3 Outlet",
    "IEC 60309 Single Phase",
    "IEC 60309 Three Phase",
    "CCS Combo 2 Plug (Cable Attached)",
    "CCS Combo 1 Plug (Cable Attached)",
    "CHAdeMO",
)
AUTHENTICATION_MODES = (
    "NFC RFID Classic",
    "NFC RFID DESFire",
    "PnC",
    "REMOTE",
    "Direct Payment",
    "No Authentication Required",
)
PAYMENT_OPTIONS = ("No Payment", "Direct", "Contract")
VALUE_ADDED_SERVICES = (
    "Reservation",
    "DynamicPricing",
    "ParkingSensors",
    "MaximumPowerCharging",
    "PredictiveChargePointUsage",
    "ChargingPlans",
    "RoofProvided",
    "None",
)
ACCESSIBILITY = (
    "Free publicly accessible",
    "Restricted access",
    "Paying publicly accessible",
    "Test Station",
)
ACCESSIBILITY_LOCATIONS = ("OnStreet", "ParkingLot", "ParkingGarage", "UndergroundParkingGarage")
POWER_TYPES = ("AC_1_PHASE", "AC_3_PHASE", "DC")
CHARGING_MODES = ("Mode_1", "Mode_2", "Mode_3", "Mode_4", "CHAdeMO")
ENERGY_SOURCES = (
    "Solar",
    "Wind",
    "HydroPower",
    "GeothermalEnergy",
    "Biomass",
    "Coal",
    "NuclearEnergy",
    "Petroleum",
    "NaturalGas",
)
CALIBRATION_LAW_DATA = ("Local", "External", "Not Available")
DYNAMIC_INFO = ("true", "false", "auto")
DELTA_TYPES = ("update", "insert", "delete")
DAYS = (
    "Everyday",
    "Workdays",
    "Weekend",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)

PHONE_NUMBER = NamedPattern("PhoneNumber", re.compile(r"^\+[0-9]{5,15}$"), "'+4930513278'")
CHARGING_POOL_ID = NamedPattern(
    "ChargingPoolID",
    re.compile(r"^[A-Za-z]{2}\*?[A-Za-z0-9]{3}\*?P[A-Za-z0-9\*]{1,30}$"),
    "'DE*ABC*P1234'",
)
LANGUAGE = NamedPattern(
    "LanguageCode",
    re.compile(r"^[a-z]{2,3}(?:-[A-Z]{2,3}(?:-[a-zA-Z]{4})?)?(?:-x-[a-zA-Z0-9]{1,8})?$"),
    "'en' or 'de-DE'",
)
TIME_ZONE = NamedPattern("TimeZone", re.compile(r"^UTC[+,-][0-9]{2}:[0-9]{2}$"), "'UTC+01:00'")
_DEGREES = r"-?1?[0-9]{1,2}\.[0-9]{1,6}"
GOOGLE_COORDINATES = NamedPattern(
    "Coordinates",
    re.compile(rf"^{_DEGREES}\s*+,?\s*+{_DEGREES}$"),
    "'47.662249 9.360922' (latitude, then longitude)",
)
DECIMAL_DEGREE = NamedPattern("DecimalDegree", re.compile(rf"^{_DEGREES}$"), "'9.360922'")
DEGREE_MINUTE_SECONDS = NamedPattern(
    "DegreeMinuteSeconds",
    re.compile(r"^-?1?[0-9]{1,2}°[ ]?[0-9]{1,2}'[ ]?[0-9]{1,2}\.[0-9]+''$"),
    "\"9°21'39.32''\"",
)
HOUR_MINUTE = NamedPattern("Time", re.compile(r"^[0-9]{2}:[0-9]{2}$"), "'08:30'")

INFO_TEXT = Record(
    "InfoTextType",
    (
        Member("lang", Text(pattern=LANGUAGE), required=True),
        Member("value", Text(max_length=150), required=True),
    ),
)

ADDRESS = Record(
    "AddressIso19773Type",
    (
        # "Alpha-3 country codes only as of OICP 2.2" (CountryCodeType): three characters.
        Member("Country", Text(min_length=3, max_length=3), required=True),
        Member("City", Text(min_length=1, max_length=50), required=True),
        Member("Street", Text(min_length=2, max_length=100), required=True),
        Member("PostalCode", Text(max_length=10), required=True),
        Member("HouseNum", Text(max_length=10), required=True),
        Member("Floor", Text(max_length=5)),
        Member("Region", Text(max_length=50)),
        Member("ParkingFacility", Flag()),
        Member("ParkingSpot", Text(max_length=5)),
        Member("TimeZone", Text(pattern=TIME_ZONE)),
    ),
)


def _degrees(pattern: NamedPattern) -> Record:
    return Record(
        pattern.name,
        (
            Member("Longitude", Text(pattern=pattern), required=True),
            Member("Latitude", Text(pattern=pattern), required=True),
        ),
    )


GEO_COORDINATES = Record(
    "GeoCoordinatesType",
    (
        Member(
            "Google",
            Record("Google", (Member("Coordinates", Text(pattern=GOOGLE_COORDINATES), True),)),
        ),
        Member("DecimalDegree", _degrees(DECIMAL_DEGREE)),
        Member("DegreeMinuteSeconds", _degrees(DEGREE_MINUTE_SECONDS)),
    ),
    rules=(exactly_one_of("Google", "DecimalDegree", "DegreeMinuteSeconds"),),
)

CHARGING_FACILITY = Record(
    "ChargingFacilityType",
    (
        Member("PowerType", Text(choices=POWER_TYPES), required=True),
        Member("Voltage", Integer(0, 999)),
        Member("Amperage", Integer(0, 99)),
        Member("Power", Integer(0, 999), required=True),
        Member("ChargingModes", ListOf(Text(choices=CHARGING_MODES))),
    ),
)

ENERGY_SOURCE = Record(
    "EnergySourceType",
    (Member("Energy", Text(choices=ENERGY_SOURCES)), Member("Percentage", Integer(0, 99))),
)

ENVIRONMENTAL_IMPACT = Record(
    "EnvironmentalImpactType",
    (Member("CO2Emission", Number(maximum=99999)), Member("NuclearWaste", Number(maximum=99999))),
)

PERIOD = Record(
    "Period",
    (
        Member("begin", Text(pattern=HOUR_MINUTE), required=True),
        Member("end", Text(pattern=HOUR_MINUTE), required=True),
    ),
)

OPENING_TIMES = Record(
    "OpeningTimesType",
    (
        Member("Period", ListOf(PERIOD), required=True),
        Member("on", Text(choices=DAYS), required=True),
    ),
)


def _opening_times_unless_open_all_day(reader: FieldReader) -> None:
    # "OpeningTimes … mandatory if IsOpen24Hours is false" (EvseDataRecordType).
    if reader.body.get("IsOpen24Hours") is False:
        reader.value("OpeningTimes", required=True)


def _no_payment_alone(reader: FieldReader) -> None:
    options = reader.body.get("PaymentOptions")
    if isinstance(options, list) and "No Payment" in options and len(options) > 1:
        reader.add(
            "PaymentOptions",
            "no-payment-alone",
            "PaymentOptions combines 'No Payment' with other options; OICP allows "
            "'No Payment' only alone",
        )


EVSE_DATA_RECORD = Record(
    "EvseDataRecordType",
    (
        Member("deltaType", Text(choices=DELTA_TYPES)),
        Member("lastUpdate", Text(date_time=True)),
        Member("EvseID", Text(pattern=EVSE_ID), required=True),
        Member("ChargingPoolID", Text(pattern=CHARGING_POOL_ID)),
        # The schema names it ChargingStationId, its own example ChargingStationID.
        Member("ChargingStationId", Text(max_length=50)),
        Member("ChargingStationID", Text(max_length=50)),
        Member("ChargingStationNames", ListOf(INFO_TEXT), required=True),
        Member("HardwareManufacturer", Text(max_length=50)),
        Member("ChargingStationImage", Text(max_length=200)),
        Member("SubOperatorName", Text(max_length=100)),
        Member("Address", ADDRESS, required=True),
        Member("GeoCoordinates", GEO_COORDINATES, required=True),
        Member("Plugs", ListOf(Text(choices=PLUGS)), required=True),
        Member("DynamicPowerLevel", Flag()),
        Member("ChargingFacilities", ListOf(CHARGING_FACILITY), required=True),
        Member("RenewableEnergy", Flag(), required=True),
        Member("EnergySource", ListOf(ENERGY_SOURCE)),
        Member("EnvironmentalImpact", ENVIRONMENTAL_IMPACT),
        Member("CalibrationLawDataAvailability", Text(choices=CALIBRATION_LAW_DATA), True),
        Member("AuthenticationModes", ListOf(Text(choices=AUTHENTICATION_MODES)), True),
        Member("MaxCapacity", Integer()),
        Member("PaymentOptions", ListOf(Text(choices=PAYMENT_OPTIONS)), required=True),
        Member("ValueAddedServices", ListOf(Text(choices=VALUE_ADDED_SERVICES)), True),
        Member("Accessibility", Text(choices=ACCESSIBILITY), required=True),
        Member("AccessibilityLocation", Text(choices=ACCESSIBILITY_LOCATIONS)),
        Member("HotlinePhoneNumber", Text(pattern=PHONE_NUMBER), required=True),
        Member("AdditionalInfo", ListOf(INFO_TEXT)),
        Member("ChargingStationLocationReference", ListOf(INFO_TEXT)),
        Member("GeoChargingPointEntrance", GEO_COORDINATES),
        Member("IsOpen24Hours", Flag(), required=True),
        Member("OpeningTimes", ListOf(OPENING_TIMES)),
        Member("HubOperatorID", Text(pattern=OPERATOR_ID)),
        Member("ClearinghouseID", Text(max_length=20)),
        Member("IsHubjectCompatible", Flag(), required=True),
        Member("DynamicInfoAvailable", Text(choices=DYNAMIC_INFO), required=True),
    ),
    rules=(_opening_times_unless_open_all_day, _no_payment_alone),
)

__all__ = ["EVSE_DATA_RECORD", "GEO_COORDINATES", "OPENING_TIMES", "PERIOD"]
