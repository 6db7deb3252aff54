"""The CodeType table (OICP 2.3 CPO, 03_CPO_Data_Types)."""

from __future__ import annotations

import re

from oicp import status
from oicp.status import STATUS_CODES, area_of_usage, describe, is_known_code

SPEC_CODES = [
    "000",
    "001",
    "002",
    "009",
    "017",
    "018",
    "019",
    "021",
    "022",
    "101",
    "102",
    "103",
    "105",
    "106",
    "110",
    "120",
    "121",
    "122",
    "200",
    "210",
    "300",
    "310",
    "320",
    "400",
    "501",
    "510",
    "601",
    "602",
    "603",
    "604",
    "700",
]


def test_status_table_has_all_31_codes_of_the_spec_in_order() -> None:
    assert len(STATUS_CODES) == 31
    assert list(STATUS_CODES) == SPEC_CODES


def test_status_codes_are_three_digit_strings() -> None:
    assert all(re.fullmatch(r"[0-9]{3}", code) for code in STATUS_CODES)


def test_status_descriptions_are_the_spec_texts() -> None:
    assert describe("000") == "Success."
    assert describe("022") == "Data error."
    assert describe("101") == "QR Code Authentication failed \u2013 Invalid Credentials."
    assert describe("105") == "PLC Authentication failed - invalid EvcoID."
    assert describe("602") == "EVSE already in use/ wrong token."
    assert describe("604") == "EVSE ID is not Hubject compatible."
    assert describe("700") == "EVSE out of service."


def test_unknown_code_has_no_description() -> None:
    assert describe("999") is None
    assert not is_known_code("999")
    assert not is_known_code("0")
    assert is_known_code("310")


def test_area_of_usage_is_recorded() -> None:
    assert area_of_usage("603") == "EVSE codes"
    assert area_of_usage("106") == "Authentication codes / Internal system codes"


def test_named_constants_are_codes_of_the_table() -> None:
    constants = {
        name: value
        for name, value in vars(status).items()
        if name.isupper() and isinstance(value, str)
    }
    assert set(constants.values()) == set(STATUS_CODES)
    assert constants["SUCCESS"] == "000"
    assert constants["DATA_ERROR"] == "022"
    assert constants["UNAUTHORIZED"] == "017"
    assert constants["NO_VALID_CONTRACT"] == "210"
    assert constants["PARTNER_NOT_FOUND"] == "300"
    assert constants["PARTNER_DID_NOT_RESPOND"] == "310"
    assert constants["SESSION_INVALID"] == "400"
    assert constants["COMMUNICATION_TO_EVSE_FAILED"] == "501"
    assert constants["EVSE_ALREADY_RESERVED"] == "601"
    assert constants["EVSE_ALREADY_IN_USE"] == "602"
    assert constants["UNKNOWN_EVSE_ID"] == "603"
    assert constants["EVSE_NOT_HUBJECT_COMPATIBLE"] == "604"
    assert constants["EVSE_OUT_OF_SERVICE"] == "700"
