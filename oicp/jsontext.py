"""JSON text in and out of every OICP body, fast on the hot path, with the json module's rules.

The hub and the stub parse and write a body on every request and the hub writes a log record
for each; orjson does that about five times faster than the json module. Where orjson
refuses a text (bad JSON, or NaN and Infinity, which the json module accepts), the json module
decides, so the error messages users see are the json module's. orjson reads an integer
beyond 64 bits as a float, and so does the json module here: kept as a Python int, such a
number could not be written again (no OICP field holds one, and validation refuses it).

Whatever a peer sends is bounded: :func:`loads` refuses JSON nested deeper than
:data:`NESTING_MAX` levels (the json module would raise RecursionError, and a body kept by the
hub or the stub must be writable again) and a lone surrogate escape such as ``"\\ud800"``,
which names no character and cannot be written in UTF-8, the encoding OICP mandates. Both
refusals are ValueErrors, as a syntax error is.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson

# orjson would write datetimes and dataclasses on its own; meeting one in a body is a
# caller's mistake, reported as the json module does (TypeError).
_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


NESTING_MAX = 64
"""The deepest nesting of arrays and objects a body may have.

OICP bodies nest about seven levels. Every body kept is written again, inside records a few
levels deeper (the exchange log), by orjson, which writes at most 254 levels.
"""
_ORJSON_WRITES = 254

NESTING_MESSAGE = (
    f"it nests arrays and objects deeper than {NESTING_MAX} levels; "
    "OICP bodies nest only a few levels"
)
SURROGATE_MESSAGE = (
    "it holds a lone surrogate escape (such as \\ud800), which is no Unicode character "
    "and cannot be written in UTF-8; send text as valid UTF-8"
)


def loads(text: str) -> Any:
    """Parse JSON text; raises ValueError (json.JSONDecodeError for syntax) as json.loads does.

    Also refuses, with a ValueError, nesting deeper than :data:`NESTING_MAX` and lone
    surrogates (see the module's docstring).
    """
    try:
        value = _orjson_loads(text)
    except orjson.JSONDecodeError:
        # orjson refuses NaN and Infinity, lone surrogates and nesting over 1024 levels: the
        # json module says which, or accepts NaN as it always did.
        return _loads_with_json(text)
    # Counting brackets is fast C code; fewer of them than the limit cannot nest too deep.
    if text.count("[") + text.count("{") > NESTING_MAX:
        _check_writable(value)
    return value


def _orjson_loads(text: str) -> Any:
    # Parsing creates no reference cycles, but each 700 containers it builds would start a
    # collection of the cyclic garbage collector, which walks the ones built so far: a
    # megabyte of "[[]]," took 300 to 600 ms, 50 without (bench/bench_worst_cases.py).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return orjson.loads(text)
    finally:
        if enabled:
            gc.enable()


_INT64 = range(-(2**63), 2**64)  # what orjson reads as an integer; beyond, it gives a float


def integer_as_orjson_reads_it(digits: str) -> int | float:
    """A ``parse_int`` for the json module: the number orjson would read for ``digits``."""
    # The same number whichever parser read the body: an integer beyond 64 bits, kept as a
    # Python int here, could not be written again (the exchange log answered HTTP 500).
    number = int(digits)
    return number if number in _INT64 else float(number)


def _loads_with_json(text: str) -> Any:
    try:
        value = json.loads(text, parse_int=integer_as_orjson_reads_it)
    except RecursionError:
        raise ValueError(NESTING_MESSAGE) from None
    _check_writable(value)
    return value


def _check_writable(value: object) -> None:
    """Refuse a value nested deeper than NESTING_MAX, or holding a lone surrogate.

    orjson finds both in one C pass while writing: wrapped in 254 - NESTING_MAX lists, the
    value can be written exactly when it nests NESTING_MAX levels at most (about 1 ms a
    megabyte, where a walk in Python takes 16).
    """
    wrapped = value
    for _ in range(_ORJSON_WRITES - NESTING_MAX):
        wrapped = [wrapped]
    try:
        orjson.dumps(wrapped)
    except orjson.JSONEncodeError as exc:
        # orjson names the cause only in its message.
        if "surrogates" in str(exc):
            raise ValueError(SURROGATE_MESSAGE) from None
        if "Recursion limit" in str(exc):
            raise ValueError(NESTING_MESSAGE) from None
        raise ValueError(f"it cannot be written as JSON again ({exc})") from None


def dumps(value: object) -> str:
    """Compact JSON text, non-ASCII kept as is; raises TypeError for a non-JSON value."""
    return orjson.dumps(value, option=_STRICT).decode("utf-8")


def dumps_bytes(value: object) -> bytes:
    """:func:`dumps` as UTF-8 bytes, ready for an HTTP body."""
    return orjson.dumps(value, option=_STRICT)


def dumps_dataclass(value: object, datetime_text: Callable[[datetime], str]) -> bytes:
    """A dataclass instance as a JSON object of its fields, in one C call, in UTF-8.

    Nested dataclasses and enums are written as objects and values; each datetime found is
    written as ``datetime_text`` returns it (which may raise TypeError to refuse it); any
    other non-JSON value raises TypeError.
    """

    def default(found: object) -> str:
        if isinstance(found, datetime):
            return datetime_text(found)
        raise TypeError(f"Object of type {type(found).__name__} is not JSON serializable")

    return orjson.dumps(value, default=default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def nesting_pointer(text: str, limit: int = NESTING_MAX) -> str | None:
    """The JSON pointer of the first value nested deeper than ``limit``, or None.

    Run before parsing a peer's body: both parsers recurse per level, so a body nested
    thousands of levels deep would otherwise end in RecursionError. A body with fewer than
    ``limit`` brackets cannot be that deep, which settles nearly every body with two C calls.
    """
    if text.count("[") + text.count("{") <= limit:
        return None
    return _scan_nesting(text, limit)


# The tokens that matter for nesting: strings (skipped whole, so brackets inside them do not
# count), brackets, commas and the colon after an object key.
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"\s*:?|[\[\]{},]')


def _scan_nesting(text: str, limit: int) -> str | None:
    # A stack of containers: for an object the key being read, for an array the index.
    path: list[str | int] = []
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token[0] == '"':
            if token.endswith(":") and path and isinstance(path[-1], str):
                path[-1] = json.loads(token[:-1].rstrip())
        elif token in "[{":
            if len(path) >= limit:
                return "".join(f"/{_escape(step)}" for step in path)
            path.append(0 if token == "[" else "")
        elif token in "]}":
            if path:
                path.pop()
        elif path and isinstance(path[-1], int):  # a comma inside an array
            path[-1] += 1
    return None


def _escape(step: str | int) -> str:
    return str(step).replace("~", "~0").replace("/", "~1")
