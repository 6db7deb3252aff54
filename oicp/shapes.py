"""Declarative shapes of OICP JSON objects, checked member by member, nested to the bottom.

OICP's data types (EvseDataRecordType, PricingProductDataRecordType …) nest objects in
arrays in objects, each member with its type, pattern, enum or length (OICP 2.3 CPO,
03_CPO_Data_Types). A :class:`Record` writes one such type down as a table of members, and
:func:`check_record` reads a JSON object against it with the collecting readers of
:mod:`oicp.validation`: every problem of every member at any depth is recorded with its JSON
pointer (``/OperatorEvseData/EvseDataRecord/0/Plugs/0``), and none stops the others.

The work is linear in the body: each member is visited once, and every pattern is bounded or
possessive (no backtracking over a long input).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from oicp.bodies import read_array, read_number
from oicp.validation import FieldReader, ItemReader, NamedPattern, Problem


@dataclass(frozen=True)
class Text:
    """A string member: an optional pattern, length bounds, allowed values or date-time."""

    pattern: NamedPattern | None = None
    max_length: int | None = None
    min_length: int = 0
    choices: tuple[str, ...] | None = None
    date_time: bool = False


@dataclass(frozen=True)
class Number:
    """A JSON number (integer or decimal), optionally within bounds."""

    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Integer:
    """A JSON integer within bounds."""

    minimum: int = -(2**63)
    maximum: int = 2**63 - 1


@dataclass(frozen=True)
class Flag:
    """A JSON boolean."""


@dataclass(frozen=True)
class ListOf:
    """A JSON array whose every item has the shape ``items``."""

    items: Shape
    max_items: int | None = None


@dataclass(frozen=True)
class Member:
    """One member of a record: its wire name, shape and whether it is mandatory."""

    name: str
    shape: Shape
    required: bool = False


Rule = Callable[[FieldReader], None]
"""A rule across members (e.g. "OpeningTimes mandatory if IsOpen24Hours is false")."""


@dataclass(frozen=True)
class Record:
    """A JSON object type: its members, in the spec's order, and rules across them."""

    name: str
    members: tuple[Member, ...]
    rules: tuple[Rule, ...] = field(default=())

    def member(self, name: str) -> Member:
        """The member called ``name`` (for tests and cross-checks)."""
        return next(m for m in self.members if m.name == name)


Shape = Text | Number | Integer | Flag | ListOf | Record


def check_record(record: Record, reader: FieldReader) -> None:
    """Check every member of the object ``reader`` reads, then the record's rules."""
    if _valid(record)(reader.body):
        return  # the common case: one quick pass, no problem to describe
    for member in record.members:
        check_member(reader, member.name, member.shape, required=member.required)
    for rule in record.rules:
        rule(reader)


def check_member(reader: FieldReader, key: str, shape: Shape, *, required: bool) -> None:
    """Check one member (or array item) against its shape, recording every problem."""
    if isinstance(shape, Text):
        _check_text(reader, key, shape, required)
    elif isinstance(shape, Number):
        _check_number(reader, key, shape, required)
    elif isinstance(shape, Integer):
        reader.integer(key, minimum=shape.minimum, maximum=shape.maximum, required=required)
    elif isinstance(shape, Flag):
        reader.boolean(key, required=required)
    elif isinstance(shape, ListOf):
        _check_list(reader, key, shape, required)
    else:
        inner = reader.object(key, required=required)
        if inner is not None:
            check_record(shape, inner)


# --- the quick pass ------------------------------------------------------------------------------
# A predicate per shape says whether a value is valid, without describing anything; only a
# value it refuses goes through the readers above, which describe every problem. A push of
# thousands of valid records so costs one pass of plain tests (issue 14, linear work).

Valid = Callable[[object], bool]


@functools.cache
def _valid(shape: Shape) -> Valid:
    if isinstance(shape, Text):
        return _valid_text(shape)
    if isinstance(shape, Number):
        low = -math.inf if shape.minimum is None else shape.minimum
        high = math.inf if shape.maximum is None else shape.maximum
        return lambda v: (
            isinstance(v, int | float)
            and not isinstance(v, bool)
            and math.isfinite(v)
            and low <= v <= high
        )
    if isinstance(shape, Integer):
        low_int, high_int = shape.minimum, shape.maximum
        return lambda v: isinstance(v, int) and not isinstance(v, bool) and low_int <= v <= high_int
    if isinstance(shape, Flag):
        return lambda v: isinstance(v, bool)
    if isinstance(shape, ListOf):
        return _valid_list(shape)
    return _valid_record(shape)


def _valid_text(shape: Text) -> Valid:
    fullmatch = None if shape.pattern is None else shape.pattern.regex.fullmatch
    choices = None if shape.choices is None else frozenset(shape.choices)
    low, high = shape.min_length, math.inf if shape.max_length is None else shape.max_length
    date_time = shape.date_time

    def valid(v: object) -> bool:
        if not isinstance(v, str) or not low <= len(v) <= high:
            return False
        if date_time:
            try:
                datetime.fromisoformat(v)
            except ValueError:
                return False
        return (fullmatch is None or fullmatch(v) is not None) and (choices is None or v in choices)

    return valid


def _valid_list(shape: ListOf) -> Valid:
    item = _valid(shape.items)
    most = math.inf if shape.max_items is None else shape.max_items
    return lambda v: isinstance(v, list) and len(v) <= most and all(item(i) for i in v)


def _valid_record(shape: Record) -> Valid:
    checks = {m.name: _valid(m.shape) for m in shape.members}
    required = [m.name for m in shape.members if m.required]
    rules = shape.rules

    def valid(v: object) -> bool:
        if not isinstance(v, dict):
            return False
        for name in required:
            if v.get(name) is None:
                return False
        # Only the members present: a record carries about half of the optional ones.
        for name, value in v.items():
            check = checks.get(name)
            if check is not None and value is not None and not check(value):
                return False
        if rules:
            scratch: list[Problem] = []
            reader = FieldReader(v, "", scratch)
            for rule in rules:
                rule(reader)
            return not scratch
        return True

    return valid


def _check_text(reader: FieldReader, key: str, shape: Text, required: bool) -> None:
    if shape.date_time:
        reader.date_time(key, required=required)
        return
    value = reader.string(
        key,
        required=required,
        pattern=shape.pattern,
        max_length=shape.max_length,
        choices=shape.choices,
    )
    if value is not None and len(value) < shape.min_length:
        reader.add(
            key,
            f"minLength:{shape.min_length}",
            f"{reader.label(key)} is {len(value)} characters long; OICP requires at least "
            f"{shape.min_length}",
        )


def _check_number(reader: FieldReader, key: str, shape: Number, required: bool) -> None:
    value = read_number(reader, key, required=required)
    if value is None:
        return
    low, high = shape.minimum, shape.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = (
            f"between {low:g} and {high:g}"
            if low is not None and high is not None
            else (f"at least {low:g}" if low is not None else f"at most {high:g}")
        )
        reader.add(key, "range", f"{reader.label(key)} is {value:g}; it must be {bounds}")


def _check_list(reader: FieldReader, key: str, shape: ListOf, required: bool) -> None:
    items = read_array(reader, key, required=required)
    if items is None:
        return
    if shape.max_items is not None and len(items) > shape.max_items:
        reader.add(
            key,
            f"maxItems:{shape.max_items}",
            f"{reader.label(key)} has {len(items)} entries; OICP allows at most {shape.max_items}",
        )
    item_reader = ItemReader(reader.label(key), items, reader.pointer_to(key), reader.problems)
    for index in range(len(items)):
        check_member(item_reader, str(index), shape.items, required=True)


def exactly_one_of(*names: str) -> Rule:
    """A rule: exactly one of the members ``names`` is given (e.g. GeoCoordinates' formats)."""

    def rule(reader: FieldReader) -> None:
        given = [n for n in names if reader.present(n)]
        if len(given) == 1:
            return
        listed = ", ".join(names)
        found = "none" if not given else ", ".join(given)
        message = f"give exactly one of {listed}; found {found}"
        reader.problems.append(Problem(reader.pointer, "one-of", message))

    return rule


__all__ = [
    "Flag",
    "Integer",
    "ListOf",
    "Member",
    "Number",
    "Record",
    "Shape",
    "Text",
    "check_member",
    "check_record",
    "exactly_one_of",
]
