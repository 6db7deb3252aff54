"""Readers shared by the CPO-to-hub messages: whole bodies, arrays, numbers, partner session IDs.

The hub-to-CPO messages (``oicp.messages``) read simple members only; the messages a CPO
sends to Hubject also carry arrays (EvseDataRecord, EvseStatusRecord …) and decimals
(ConsumedEnergy, MeterValueStart …). These helpers add that to :class:`FieldReader`
without changing it, and keep the "collect every problem" rule of ``oicp.validation``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

from oicp.errors import OICPValidationError
from oicp.validation import (
    FieldReader,
    Problem,
    ProblemList,
    TooManyProblems,
    as_object,
    child_pointer,
    json_type_name,
    problems_cut_short,
)

PARTNER_SESSION_ID_MAX = 250
"""Maximum length of CPOPartnerSessionID and EMPPartnerSessionID (OICP 2.3)."""

ACTION_TYPES = ("fullLoad", "update", "insert", "delete")
"""ActionType of every data push (OICP 2.3 CPO, eRoamingPushEvseData and siblings)."""

_T = TypeVar("_T")


def parse_body(read: Callable[[FieldReader], _T | None], body: object, name: str) -> _T:
    """Run a ``read`` method on a whole body; raise OICPValidationError with every problem."""
    problems = ProblemList()
    try:
        reader = as_object(body, "", problems, name=name)
        parsed = None if reader is None else read(reader)
    except TooManyProblems:
        raise OICPValidationError(problems_cut_short(problems)) from None
    if problems or parsed is None:
        if not problems:  # pragma: no cover - every reader records why it returned None
            problems.append(Problem("", "invalid", f"{name} could not be read"))
        raise OICPValidationError(problems)
    return parsed


def partner_session_ids(reader: FieldReader) -> tuple[str | None, str | None]:
    """CPOPartnerSessionID and EMPPartnerSessionID, each at most 250 characters."""
    return (
        reader.string("CPOPartnerSessionID", max_length=PARTNER_SESSION_ID_MAX),
        reader.string("EMPPartnerSessionID", max_length=PARTNER_SESSION_ID_MAX),
    )


def read_array(reader: FieldReader, key: str, *, required: bool = False) -> list[object] | None:
    """An array member, or None (absent, null or not an array, which is recorded)."""
    value = reader.value(key, required=required)
    if value is None:
        return None
    if not isinstance(value, list):
        reader.add(
            key, "type:array", f"{reader.label(key)} must be an array, got {json_type_name(value)}"
        )
        return None
    return value


def read_objects(reader: FieldReader, key: str, *, required: bool = False) -> list[FieldReader]:
    """Readers for each object of an array member; non-objects are recorded as problems."""
    items = read_array(reader, key, required=required) or []
    pointer = reader.pointer_to(key)
    readers = []
    for index, item in enumerate(items):
        item_reader = as_object(item, f"{pointer}/{index}", reader.problems, name=f"{key}[{index}]")
        if item_reader is not None:
            readers.append(item_reader)
    return readers


def read_number(reader: FieldReader, key: str, *, required: bool = False) -> float | None:
    """A JSON number (integer or decimal, never a boolean or a string)."""
    value = reader.value(key, required=required)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        got = json_type_name(value)
        reader.add(key, "type:number", f"{reader.label(key)} must be a number, got {got}")
        return None
    if not math.isfinite(value):
        # The json module's NaN and Infinity are no JSON numbers (RFC 8259 §6).
        reader.add(key, "type:number", f"{reader.label(key)} must be a finite number, got {value}")
        return None
    return float(value)


def read_strings(reader: FieldReader, key: str, *, required: bool = False) -> tuple[str, ...]:
    """An array of strings (e.g. EvseIDProductList); other items are recorded."""
    items = read_array(reader, key, required=required) or []
    found = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            found.append(item)
        else:
            reader.problems.append(
                Problem(
                    child_pointer(reader.pointer_to(key), str(index)),
                    "type:string",
                    f"{key}[{index}] must be a string, got {json_type_name(item)}",
                )
            )
    return tuple(found)


def read_meter_values(
    reader: FieldReader, key: str = "MeterValueInBetween"
) -> tuple[float, ...] | None:
    """``{"meterValues": [..]}``: an object around the list, not a bare list (digest §10.6)."""
    inner = reader.object(key)
    if inner is None:
        return None
    values = inner.value("meterValues")
    if not isinstance(values, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    ):
        inner.add("meterValues", "type:array", "meterValues must be an array of numbers (kWh)")
        return None
    return tuple(float(v) for v in values)


def read_action_type(reader: FieldReader) -> str | None:
    """The ActionType of a data push: fullLoad, update, insert or delete."""
    return reader.string("ActionType", required=True, choices=ACTION_TYPES)


__all__ = [
    "ACTION_TYPES",
    "PARTNER_SESSION_ID_MAX",
    "parse_body",
    "partner_session_ids",
    "read_action_type",
    "read_array",
    "read_meter_values",
    "read_number",
    "read_objects",
    "read_strings",
]
