"""JSON text in and out of every OICP body, fast on the hot path, with the json module's rules.

The hub and the stub parse and write a body on every request and the hub writes a log record
for each; orjson does that about five times faster than the json module. Where orjson
refuses a text (bad JSON, or NaN and Infinity, which the json module accepts), the json module
decides, so the error messages users see are the json module's. One difference remains:
orjson reads an integer beyond 64 bits as a float; no OICP field holds such a number, and
validation refuses it either way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson

# orjson would write datetimes and dataclasses on its own; meeting one in a body is a
# caller's mistake, reported as the json module does (TypeError).
_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def loads(text: str) -> Any:
    """Parse JSON text; raises json.JSONDecodeError (a ValueError) as json.loads does."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


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
