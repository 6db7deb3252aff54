"""A JSON Schema of each hub-to-CPO request, derived from this package's own message readers.

The package does not ship Hubject's OpenAPI files, and a hand-written copy would drift from
what :mod:`oicp.messages` really accepts. So the schema is *recorded*: each message's
``read`` method runs once against a :class:`SchemaRecorder`, a :class:`FieldReader` that
writes down every member it is asked for (its type, pattern, length and range, whether it
is required) instead of reading one. A test compares the result with Hubject's official
schemas (tests/fuzz/test_derived_schema.py).

Two deliberate differences from the official schemas, both because our readers accept more:
optional members may be ``null`` (real HBS traffic writes them so, OICP 2.3 digest §2.1),
and remote start's SessionID is optional (Hubject forwards ``"SessionID": null``).
Identification holds RemoteIdentification, the only option remote authorization allows
(IdentificationType, NOTE 2); the other four keys may be present as ``null``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oicp.identification import IDENTIFICATION_KEYS, RemoteIdentification
from oicp.messages import REQUEST_TYPES, RequestType
from oicp.operations import Operation
from oicp.validation import FieldReader, NamedPattern, Problem

JSONSchema = dict[str, Any]

_PLACEHOLDER_IDENTIFICATION = {"RemoteIdentification": {"EvcoID": "DE-8EO-CAET5E4XY-3"}}


class SchemaRecorder(FieldReader):
    """A reader that records the members a message reads, with their rules."""

    def __init__(self) -> None:
        super().__init__({}, "", [])
        self.properties: dict[str, JSONSchema] = {}
        self.required: list[str] = []

    def _record(self, key: str, schema: JSONSchema, required: bool) -> None:
        self.properties[key] = schema if required else {"anyOf": [schema, {"type": "null"}]}
        if required:
            self.required.append(key)

    def string(
        self,
        key: str,
        *,
        required: bool = False,
        pattern: NamedPattern | None = None,
        max_length: int | None = None,
        choices: tuple[str, ...] | None = None,
    ) -> str | None:
        schema: JSONSchema = {"type": "string"}
        if pattern is not None:
            schema["pattern"] = pattern.regex.pattern
        if max_length is not None:
            schema["maxLength"] = max_length
        if choices is not None:
            schema["enum"] = list(choices)
        self._record(key, schema, required)
        return "recorded"

    def integer(
        self, key: str, *, minimum: int, maximum: int, required: bool = False
    ) -> int | None:
        self._record(key, {"type": "integer", "minimum": minimum, "maximum": maximum}, required)
        return minimum

    def boolean(self, key: str, *, required: bool = False) -> bool | None:
        self._record(key, {"type": "boolean"}, required)
        return True

    def value(self, key: str, *, required: bool = False) -> object | None:
        # The only raw member the hub-to-CPO requests read is Identification.
        if key != "Identification":
            raise NotImplementedError(f"no schema rule for the raw member {key!r}")
        self._record(key, remote_identification_schema(), required)
        return _PLACEHOLDER_IDENTIFICATION

    def schema(self, title: str) -> JSONSchema:
        return {
            "title": title,
            "type": "object",
            "properties": self.properties,
            "required": list(self.required),
        }


def _record(read: Any, title: str) -> JSONSchema:
    recorder = SchemaRecorder()
    read(recorder)
    return recorder.schema(title)


def remote_identification_schema() -> JSONSchema:
    """Identification as a remote start or reservation must carry it."""
    remote = _record(RemoteIdentification.read, "RemoteIdentification")
    others = {key: {"type": "null"} for key in IDENTIFICATION_KEYS if key != "RemoteIdentification"}
    return {
        "type": "object",
        "properties": {"RemoteIdentification": remote, **others},
        "required": ["RemoteIdentification"],
    }


def request_schema(operation: Operation) -> JSONSchema:
    """The JSON Schema of ``operation``'s request, as our reader accepts it."""
    cls: RequestType = REQUEST_TYPES[operation]
    return _record(cls.read, operation.value)


def request_schemas() -> Mapping[Operation, JSONSchema]:
    """The schema of each of the four hub-to-CPO requests."""
    return {operation: request_schema(operation) for operation in REQUEST_TYPES}


def problems_of(operation: Operation, body: object) -> list[Problem]:
    """Every problem our reader finds in ``body`` (empty: the body is valid)."""
    from oicp.errors import OICPValidationError
    from oicp.messages import parse_request

    try:
        parse_request(operation, body)
    except OICPValidationError as err:
        return list(err.problems)
    return []
