"""Identifier patterns (OICP 2.3 CPO, 03_CPO_Data_Types, "Simple Restricted String Data Types")."""

from __future__ import annotations

import os
import random
import re
import uuid
from collections.abc import Callable

import pytest

from oicp.identifiers import (
    is_evco_id,
    is_evse_id,
    is_operator_id,
    is_provider_id,
    is_session_id,
    is_uid,
    new_session_id,
    operator_id_of_evse,
)

# Hubject's OpenAPI (schemas/EvseID.yaml) writes the EvseID pattern case-insensitively.
OPENAPI_EVSE_ID = re.compile(
    r"^(([A-Za-z]{2}\*?[A-Za-z0-9]{3}\*?E[A-Za-z0-9\*]{1,30})|(\+?[0-9]{1,3}\*[0-9]{3}\*[0-9\*]{1,32}))$"
)


@pytest.mark.parametrize(
    "evse_id",
    ["DE*AB7*E840*6487", "DEAB7E8406487", "+49*810*000*438", "DE*XYZ*ETEST1", "DE*ICE*E0000TEST*9"],
)
def test_evse_id_spec_examples_are_valid(evse_id: str) -> None:
    assert is_evse_id(evse_id)


@pytest.mark.parametrize(
    "evse_id",
    [
        "DE*AB7*840*6487",  # ISO needs the "E" after the operator part
        "DEU*AB7*E840",  # alpha-2 country code only
        "+49810000438",  # DIN needs the "*" separators
        "DE*ICE*I01000*6",  # an EvcoID pasted into EvseID (seen in a Hubject guide)
        "",
    ],
)
def test_evse_id_without_the_spec_shape_is_invalid(evse_id: str) -> None:
    assert not is_evse_id(evse_id)


def test_evse_id_is_upper_case_only_although_the_openapi_accepts_lower_case() -> None:
    # Only the "E" marker is upper case in the OpenAPI pattern.
    assert OPENAPI_EVSE_ID.fullmatch("de*ab7*E840*6487")
    assert not is_evse_id("de*ab7*E840*6487")


@pytest.mark.parametrize("operator_id", ["DE*A36", "DEA36", "+49*536", "DE*ABC"])
def test_operator_id_spec_examples_are_valid(operator_id: str) -> None:
    assert is_operator_id(operator_id)


@pytest.mark.parametrize("operator_id", ["DE*A3", "DEU*A36", "+49536", "DE**A36"])
def test_operator_id_without_the_spec_shape_is_invalid(operator_id: str) -> None:
    assert not is_operator_id(operator_id)


@pytest.mark.parametrize("provider_id", ["DE8EO", "DE-8EO", "DE*8EO", "DE-DCB", "DE*ICE"])
def test_provider_id_spec_examples_are_valid(provider_id: str) -> None:
    assert is_provider_id(provider_id)


@pytest.mark.parametrize("provider_id", ["D-8EO", "DE--8EO", "DE*8E", "DE8EOX", "+49*536"])
def test_provider_id_without_the_spec_shape_is_invalid(provider_id: str) -> None:
    assert not is_provider_id(provider_id)


def test_provider_id_pattern_keeps_the_spec_quirk_admitting_a_pipe() -> None:
    # The spec's class [\*|-] contains a literal "|"; we accept what Hubject accepts.
    assert is_provider_id("DE|8EO")


@pytest.mark.parametrize(
    "evco_id",
    [
        "DE-8EO-CAet5e4XY-3",
        "DE8EOCAet5e43X1",
        "DE*8EO*Aet5e4*3",
        "DE-8EO-Aet5e4-3",
        "DE8EOAet5e43",
        "DE-DCB-C12345678-X",
        "DE*ICE*I01000*6",
    ],
)
def test_evco_id_spec_examples_are_valid(evco_id: str) -> None:
    assert is_evco_id(evco_id)


@pytest.mark.parametrize(
    "evco_id",
    ["DE-8EO-C123-3", "DE*8EO*Aet5e4*Y", "DE*8EO*CAet5e4XY*3X", "DE-DCB", "DE*XYZ*ETEST1"],
)
def test_evco_id_without_the_spec_shape_is_invalid(evco_id: str) -> None:
    assert not is_evco_id(evco_id)


def test_session_id_spec_example_is_valid() -> None:
    assert is_session_id("b2688855-7f00-0002-6d8e-48d883f6abb6")


@pytest.mark.parametrize(
    "session_id",
    [
        "b2688855-7f00-0002-6d8e",
        "{b2688855-7f00-0002-6d8e-48d883f6abb6}",
        "b2688855_7f00_0002_6d8e_48d883f6abb6",
    ],
)
def test_session_id_without_the_guid_shape_is_invalid(session_id: str) -> None:
    assert not is_session_id(session_id)


def test_new_session_id_is_a_valid_and_fresh_session_id() -> None:
    first, second = new_session_id(), new_session_id()
    assert is_session_id(first)
    assert first != second


def test_new_session_id_is_a_version_4_rfc_4122_uuid() -> None:
    for _ in range(200):  # the version and variant bits are set whatever the random bits
        parsed = uuid.UUID(new_session_id())
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)


def test_new_session_id_does_not_repeat_when_the_random_module_is_seeded() -> None:
    random.seed(7)
    first = new_session_id()
    random.seed(7)
    assert new_session_id() != first


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_new_session_id_differs_between_a_forked_child_and_its_parent() -> None:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its first SessionID and leave at once
        os.write(write_end, new_session_id().encode())
        os._exit(0)
    os.close(write_end)
    parent_id = new_session_id()
    with os.fdopen(read_end, "rb") as pipe:
        child_id = pipe.read().decode()
    os.waitpid(pid, 0)
    assert is_session_id(child_id)
    assert child_id != parent_id


@pytest.mark.parametrize("uid", ["7568290FFF765F", "1234ABCD", "0123456789ABCDEF0123"])
def test_uid_of_8_14_or_20_upper_case_hex_digits_is_valid(uid: str) -> None:
    assert is_uid(uid)


@pytest.mark.parametrize("uid", ["AFFH1768", "12345ABCD", "1234abcd", "1234567890"])
def test_uid_spec_counterexamples_are_invalid(uid: str) -> None:
    # "AFFH1768" (data types chapter) and "12345ABCD" (code snippets) are spec examples
    # that break the spec's own UID pattern.
    assert not is_uid(uid)


@pytest.mark.parametrize(
    "check", [is_evse_id, is_provider_id, is_operator_id, is_evco_id, is_session_id, is_uid]
)
def test_identifier_checks_reject_non_strings(check: Callable[[object], bool]) -> None:
    assert check(None) is False
    assert check(12345678) is False


@pytest.mark.parametrize(
    ("evse_id", "operator_id"),
    [
        ("DE*ABC*E123", "DE*ABC"),
        ("DEABCE123", "DEABC"),
        ("+49*810*000*438", "+49*810"),
        ("DE*XYZ*ETEST1", "DE*XYZ"),
    ],
)
def test_operator_id_of_evse_is_the_evse_id_prefix(evse_id: str, operator_id: str) -> None:
    assert operator_id_of_evse(evse_id) == operator_id
    assert is_operator_id(operator_id)


def test_operator_id_of_evse_rejects_a_non_evse_id() -> None:
    with pytest.raises(ValueError, match="'DE-DCB-C12345678-X' is not an EvseID"):
        operator_id_of_evse("DE-DCB-C12345678-X")
