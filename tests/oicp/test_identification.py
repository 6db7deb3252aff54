"""IdentificationType and its five options (OICP 2.3 CPO, 03_CPO_Data_Types)."""

from __future__ import annotations

from typing import Any

import pytest

from oicp.errors import OICPValidationError
from oicp.messages import (
    HashedPIN,
    Identification,
    LegacyHashData,
    PlugAndChargeIdentification,
    QRCodeIdentification,
    RemoteIdentification,
    RFIDIdentification,
    RFIDMifareFamilyIdentification,
    identification_from_wire,
    identification_to_wire,
)
from oicp.validation import Problem

EVCO = "DE-DCB-C12345678-X"


def problems_of(obj: object) -> set[tuple[str, str]]:
    with pytest.raises(OICPValidationError) as caught:
        identification_from_wire(obj, "/Identification")
    return {(p.pointer, p.rule) for p in caught.value.problems}


@pytest.mark.parametrize(
    ("ident", "wire"),
    [
        (RemoteIdentification(EVCO), {"RemoteIdentification": {"EvcoID": EVCO}}),
        (
            RFIDMifareFamilyIdentification("7568290FFF765F"),
            {"RFIDMifareFamilyIdentification": {"UID": "7568290FFF765F"}},
        ),
        (PlugAndChargeIdentification(EVCO), {"PlugAndChargeIdentification": {"EvcoID": EVCO}}),
        (
            QRCodeIdentification(EVCO, pin="1234"),
            {"QRCodeIdentification": {"EvcoID": EVCO, "PIN": "1234"}},
        ),
        (
            QRCodeIdentification(
                EVCO, hashed_pin=HashedPIN("a5ghdhf73h", legacy_hash_data=LegacyHashData("MD5"))
            ),
            {
                "QRCodeIdentification": {
                    "EvcoID": EVCO,
                    "HashedPIN": {
                        "Value": "a5ghdhf73h",
                        "Function": "Bcrypt",
                        "LegacyHashData": {"Function": "MD5"},
                    },
                }
            },
        ),
        (
            RFIDIdentification(
                "7568290FFF765F", "mifareCls", EVCO, "9876655", "2021-01-23T14:21:36+01:00"
            ),
            {
                "RFIDIdentification": {
                    "UID": "7568290FFF765F",
                    "RFID": "mifareCls",
                    "EvcoID": EVCO,
                    "PrintedNumber": "9876655",
                    "ExpiryDate": "2021-01-23T14:21:36+01:00",
                }
            },
        ),
    ],
)
def test_each_option_round_trips_under_its_wire_name(
    ident: Identification, wire: dict[str, Any]
) -> None:
    assert identification_to_wire(ident) == wire
    assert identification_from_wire(wire) == ident


def test_explicit_nulls_write_all_five_keys_with_one_set() -> None:
    wire = identification_to_wire(RemoteIdentification(EVCO), explicit_nulls=True)
    assert wire == {
        "RFIDMifareFamilyIdentification": None,
        "RFIDIdentification": None,
        "QRCodeIdentification": None,
        "PlugAndChargeIdentification": None,
        "RemoteIdentification": {"EvcoID": EVCO},
    }


def test_null_options_are_ignored() -> None:
    wire = {"QRCodeIdentification": None, "RemoteIdentification": {"EvcoID": EVCO}}
    assert identification_from_wire(wire) == RemoteIdentification(EVCO)


def test_identification_must_be_an_object() -> None:
    assert problems_of(["RemoteIdentification"]) == {("/Identification", "type:object")}


def test_identification_needs_exactly_one_option() -> None:
    assert problems_of({}) == {("/Identification", "one-of:Identification")}


def test_unknown_option_is_named_in_the_message() -> None:
    with pytest.raises(OICPValidationError) as caught:
        identification_from_wire({"RemoteReservationIdentification": {"EvcoID": EVCO}})
    [problem] = caught.value.problems
    assert problem == Problem(
        "",
        "one-of:Identification",
        "Identification must contain exactly one non-null option of "
        "RFIDMifareFamilyIdentification, RFIDIdentification, QRCodeIdentification, "
        "PlugAndChargeIdentification, RemoteIdentification; got none "
        "(other members: RemoteReservationIdentification)",
    )


def test_two_options_are_rejected_and_both_are_still_checked() -> None:
    wire = {"RemoteIdentification": {"EvcoID": EVCO}, "PlugAndChargeIdentification": {}}
    assert problems_of(wire) == {
        ("/Identification", "one-of:Identification"),
        ("/Identification/PlugAndChargeIdentification/EvcoID", "required"),
    }


@pytest.mark.parametrize("uid", ["AFFH1768", "12345ABCD"])
def test_mifare_uid_spec_counterexamples_are_rejected(uid: str) -> None:
    wire = {"RFIDMifareFamilyIdentification": {"UID": uid}}
    assert problems_of(wire) == {
        ("/Identification/RFIDMifareFamilyIdentification/UID", "pattern:UID")
    }


def test_qr_code_pin_is_at_most_20_characters() -> None:
    wire = {"QRCodeIdentification": {"EvcoID": EVCO, "PIN": "1" * 21}}
    assert problems_of(wire) == {("/Identification/QRCodeIdentification/PIN", "maxLength:20")}


def test_qr_code_carries_pin_or_hashed_pin_not_both() -> None:
    hashed = {"Value": "a5ghdhf73h", "Function": "Bcrypt"}
    wire = {"QRCodeIdentification": {"EvcoID": EVCO, "PIN": "1234", "HashedPIN": hashed}}
    assert problems_of(wire) == {
        ("/Identification/QRCodeIdentification/HashedPIN", "at-most-one:PIN,HashedPIN")
    }


def test_hashed_pin_function_is_bcrypt_and_value_a_hash_value() -> None:
    wire = {
        "QRCodeIdentification": {"EvcoID": EVCO, "HashedPIN": {"Value": "x", "Function": "MD5"}}
    }
    assert problems_of(wire) == {
        ("/Identification/QRCodeIdentification/HashedPIN/Value", "pattern:HashValue"),
        ("/Identification/QRCodeIdentification/HashedPIN/Function", "enum:Function"),
    }


def test_legacy_hash_function_is_md5_or_sha1() -> None:
    hashed = {"Value": "a5ghdhf73h", "Function": "Bcrypt", "LegacyHashData": {"Function": "SHA256"}}
    wire = {"QRCodeIdentification": {"EvcoID": EVCO, "HashedPIN": hashed}}
    pointer = "/Identification/QRCodeIdentification/HashedPIN/LegacyHashData/Function"
    assert problems_of(wire) == {(pointer, "enum:Function")}


def test_rfid_identification_needs_uid_and_a_known_rfid_type() -> None:
    wire = {"RFIDIdentification": {"RFID": "magstripe"}}
    assert problems_of(wire) == {
        ("/Identification/RFIDIdentification/UID", "required"),
        ("/Identification/RFIDIdentification/RFID", "enum:RFID"),
    }


def test_rfid_identification_expiry_date_must_be_a_date_time() -> None:
    wire = {"RFIDIdentification": {"UID": "1234ABCD", "RFID": "nfc", "ExpiryDate": "soon"}}
    assert problems_of(wire) == {
        ("/Identification/RFIDIdentification/ExpiryDate", "format:date-time")
    }


def test_rfid_identification_printed_number_is_at_most_150_characters() -> None:
    wire = {"RFIDIdentification": {"UID": "1234ABCD", "RFID": "nfc", "PrintedNumber": "9" * 151}}
    assert problems_of(wire) == {
        ("/Identification/RFIDIdentification/PrintedNumber", "maxLength:150")
    }
