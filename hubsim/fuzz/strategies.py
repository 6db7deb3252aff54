"""Hypothesis strategies for valid and near-valid bodies of one hub-to-CPO operation.

Valid bodies come from the derived JSON Schema (:mod:`oicp.json_schema`) through
hypothesis-jsonschema. A near-valid body is a valid one with exactly one thing broken: a
required member dropped or null, a wrong JSON type, a lower-case identifier, an over-long
string, a Duration out of range, an Identification without its EvcoID. Whether a body is
valid is decided afterwards by our own reader, never by the strategy that made it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from oicp.json_schema import request_schema
from oicp.operations import Operation

Body = dict[str, Any]
Mutation = tuple[str, Callable[[Body], Body]]


def _drop(key: str) -> Mutation:
    return f"drop {key}", lambda body: {k: v for k, v in body.items() if k != key}


def _set(key: str, value: object, label: str) -> Mutation:
    return f"{key} {label}", lambda body: {**body, key: value}


def _lower(key: str) -> Mutation:
    def mutate(body: Body) -> Body:
        value = body.get(key)
        return {**body, key: value.lower() if isinstance(value, str) else value}

    return f"{key} in lower case", mutate


def _identification(value: object, label: str) -> Mutation:
    return f"Identification {label}", lambda body: {**body, "Identification": value}


def mutations(operation: Operation) -> list[Mutation]:
    """The one-thing-broken changes that apply to ``operation``'s body."""
    schema = request_schema(operation)
    found: list[Mutation] = []
    for key in schema["required"]:
        found += [_drop(key), _set(key, None, "null"), _set(key, 12345, "a number")]
    for key in ("EvseID", "ProviderID", "SessionID"):
        found += [_lower(key), _set(key, "", "empty")]
    found += [_set("CPOPartnerSessionID", "X" * 251, "251 characters")]
    if "Identification" in schema["properties"]:
        found += [
            _identification({}, "empty"),
            _identification({"RemoteIdentification": {}}, "without EvcoID"),
            _identification({"RemoteIdentification": {"EvcoID": None}}, "with EvcoID null"),
            _identification({"RemoteIdentification": {"EvcoID": "not-an-evco"}}, "bad EvcoID"),
        ]
        found += [_set("PartnerProductID", "P" * 51, "51 characters")]
    if "Duration" in schema["properties"]:
        found += [
            _set("Duration", 0, "0"),
            _set("Duration", 100, "100"),
            _set("Duration", "15", "a string"),
        ]
    return found


def bodies(operation: Operation) -> st.SearchStrategy[Body]:
    """Valid bodies and near-valid ones, about half each."""
    # The schema describes an object, so every value drawn is a dict.
    valid = cast("st.SearchStrategy[Body]", from_schema(request_schema(operation)))
    broken = st.tuples(valid, st.sampled_from(mutations(operation))).map(
        lambda pair: pair[1][1](pair[0])
    )
    return st.one_of(valid, broken)
