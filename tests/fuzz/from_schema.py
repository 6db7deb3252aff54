"""Hypothesis strategies for JSON values that match a JSON Schema, for the official OICP schemas.

The subset Hubject's OpenAPI uses, converted by :func:`tests.oicp.official.to_json_schema`:
``type`` (one or a list), ``properties`` with ``required``, ``items`` with ``maxItems``,
``enum``, ``pattern``, ``minLength``/``maxLength``, ``minimum``/``maximum``, ``anyOf`` and
``oneOf``, ``format: date-time``. Optional members appear or not at random. hypothesis-jsonschema
would do this too, but its release at the time of writing breaks on the pinned Hypothesis.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

JSON = Any

# Texts short enough that a body stays small, long enough to cross OICP's length limits.
_TEXT_MAX = 60
_ITEMS_MAX = 3

_DATE_TIMES = st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())


def from_schema(schema: JSON) -> st.SearchStrategy[JSON]:
    """Values valid against ``schema`` (for the subset above)."""
    if not isinstance(schema, dict) or not schema:
        return json_values()
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([from_schema(s) for s in schema[key]])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": k}) for k in kind])
    if kind == "object" or "properties" in schema:
        return _object(schema)
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {})), max_size=schema.get("maxItems", 3))
    return _SCALARS.get(kind, lambda _: json_values())(schema)


def _object(schema: JSON) -> st.SearchStrategy[JSON]:
    properties: dict[str, JSON] = schema.get("properties", {})
    required = [k for k in schema.get("required", ()) if k in properties]
    optional = [k for k in properties if k not in required]
    return st.fixed_dictionaries(
        {k: from_schema(properties[k]) for k in required},
        optional={k: from_schema(properties[k]) for k in optional},
    )


def _string(schema: JSON) -> st.SearchStrategy[str]:
    if "pattern" in schema:
        regex = re.compile(schema["pattern"])
        # Hubject's patterns are anchored with ^…$ or not at all; either way the value must
        # match as a whole to be what the schema means.
        return st.from_regex(regex, fullmatch=True).filter(lambda s: _fits(s, schema))
    if schema.get("format") == "date-time":
        return _DATE_TIMES
    low = schema.get("minLength", 0)
    high = min(schema.get("maxLength", _TEXT_MAX), max(low, _TEXT_MAX))
    return st.text(min_size=low, max_size=high)


def _fits(text: str, schema: JSON) -> bool:
    return schema.get("minLength", 0) <= len(text) <= schema.get("maxLength", len(text))


def _number(schema: JSON) -> st.SearchStrategy[float]:
    return st.floats(
        min_value=schema.get("minimum"),
        max_value=schema.get("maximum"),
        allow_nan=False,
        allow_infinity=False,
    )


def _integer(schema: JSON) -> st.SearchStrategy[int]:
    return st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))


_SCALARS = {
    "string": _string,
    "number": _number,
    "integer": _integer,
    "boolean": lambda _: st.booleans(),
    "null": lambda _: st.none(),
}


def json_values(max_leaves: int = 8) -> st.SearchStrategy[JSON]:
    """Any small JSON value (numbers finite: NaN and Infinity are an attack class of their own)."""
    floats = st.floats(allow_nan=False, allow_infinity=False)
    scalars = st.none() | st.booleans() | st.integers() | floats | st.text(max_size=20)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=max_leaves,
    )
