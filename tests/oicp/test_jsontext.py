"""oicp.jsontext: orjson's speed with the json module's rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from oicp import jsontext


def test_loads_accepts_nan_as_the_json_module_does() -> None:
    value = jsontext.loads('{"Value": NaN}')["Value"]
    assert value != value  # NaN is the one float unequal to itself


def test_loads_reports_bad_json_with_the_json_modules_message() -> None:
    with pytest.raises(json.JSONDecodeError, match="Expecting value: line 1 column 1"):
        jsontext.loads("not json")


def test_dumps_refuses_a_datetime_as_the_json_module_does() -> None:
    with pytest.raises(TypeError):
        jsontext.dumps({"when": datetime.now(UTC)})


def test_dumps_keeps_non_ascii_text_as_utf8() -> None:
    assert jsontext.dumps_bytes({"Name": "Ladesäule"}) == '{"Name":"Ladesäule"}'.encode()


def test_json_nests_64_levels_at_most() -> None:
    assert jsontext.loads("[" * 64 + "]" * 64) is not None
    with pytest.raises(ValueError, match="deeper than 64 levels"):
        jsontext.loads("[" * 65 + "]" * 65)


def test_a_lone_surrogate_escape_is_refused() -> None:
    with pytest.raises(ValueError, match="lone surrogate"):
        jsontext.loads('{"OperatorName": "ABC \\ud800"}')
    assert jsontext.loads('"\\ud83d\\ude00"') == "\U0001f600"  # a pair is a character


def test_an_integer_beyond_64_bits_reads_as_the_same_float_with_or_without_a_nan() -> None:
    big = 123456789012345678901234567890
    alone = jsontext.loads(f"[{big}]")
    beside_nan = jsontext.loads(f"[NaN, {big}]")  # read by the json module
    assert alone == [float(big)] and beside_nan[1] == float(big)
    jsontext.dumps(beside_nan)  # writable again: the exchange log keeps every body
