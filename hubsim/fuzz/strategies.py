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
        if not isinstance(value, str):
            return body
        lowered = value.lower()
        if lowered == value:  # no letters (a DIN EvseID): an ISO-shaped one in lower case
            lowered = "de*abc*e" + ("".join(c for c in value if c.isdigit())[:8] or "1")
        return {**body, key: lowered}

    return f"{key} in lower case", mutate


def _identification(value: object, label: str) -> Mutation:
    return f"Identification {label}", lambda body: {**body, "Identification": value}


def mutations(operation: Operation) -> list[Mutation]:
    """The one-thing-broken changes that apply to ``operation``'s body."""
    schema = request_schema(operation)
    found: list[Mutation] = []
    for key in schema["required"]:
        found += [_drop(key), _set(key, None, "null"), _set(key, 12345, "a number")]
    # EvseID is the one identifier OICP writes in upper case only; the others allow both.
    found += [_lower("EvseID")]
    found += [_set(key, "", "empty") for key in ("EvseID", "ProviderID", "SessionID")]
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


VALID_EVERY = 4
"""One body in four is sent valid, the others near-valid: an endpoint's robustness shows in
how it answers what is slightly wrong."""


def valid_bodies(operation: Operation) -> st.SearchStrategy[Body]:
    """Valid bodies of ``operation``, from the derived schema (hypothesis-jsonschema)."""
    # The schema describes an object, so every value drawn is a dict.
    return cast("st.SearchStrategy[Body]", from_schema(request_schema(operation)))


class Mutator:
    """Turns most valid bodies into near-valid ones, cycling through every mutation.

    Hypothesis chooses the bodies; the mutation is chosen in turn, not drawn: Hypothesis's
    ``sampled_from`` and ``one_of`` favour their first elements, which left most mutations
    unused in a run of a few dozen examples. The cycle starts at a place set by the seed.
    """

    def __init__(self, operation: Operation, seed: int) -> None:
        self._broken = mutations(operation)
        self._next = seed % len(self._broken)
        self._count = 0

    def __call__(self, body: Body) -> Body:
        self._count += 1
        if self._count % VALID_EVERY == 0:
            return body
        _, mutate = self._broken[self._next]
        self._next = (self._next + 1) % len(self._broken)
        return mutate(body)
