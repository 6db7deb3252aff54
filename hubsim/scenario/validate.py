"""Checking a scenario document against the JSON Schema, with messages that say what to do.

The schema (``schema.json`` next to this module, copied to ``scenarios/schema.json`` for
editors) is the format's single definition; this module only turns jsonschema's errors into
one sentence per problem, each placed on its line with :class:`~simulator.yaml_lines.LineMap`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from simulator.yaml_lines import JSONPath, LineMap, dotted

# The schema's type names as a sentence says them ("it must be a number").
_SCHEMA_TYPES = {
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "empty (null)",
}
# What a schema pattern asks for, in words (docs/scenarios.md says the same).
_PATTERN_WORDS = {"^[A-Za-z0-9_-]+$": "letters, digits, - and _ only"}

_JSON_TYPES = {
    str: "a string",
    bool: "true or false",
    int: "a number",
    float: "a number",
    list: "a list",
    dict: "a mapping",
    type(None): "empty (null)",
}


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (a fresh copy)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


@cache
def _schema_text() -> str:
    return resources.files("hubsim.scenario").joinpath("schema.json").read_text("utf-8")


@cache
def _validator() -> Any:
    schema = scenario_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def schema_problems(document: object, lines: LineMap) -> list[tuple[int, str, str]]:
    """Every schema violation as ``(line, field, message)``, in file order."""
    found = [p for error in _validator().iter_errors(document) for p in _explain(error, lines)]
    return sorted(set(found))


def _explain(error: ValidationError, lines: LineMap) -> Iterator[tuple[int, str, str]]:
    path: JSONPath = tuple(error.absolute_path)
    if error.validator == "required":
        for name in _missing(error):
            yield lines.key_line(path), dotted((*path, name)), "is required but missing"
    elif error.validator == "additionalProperties":
        allowed = ", ".join(sorted(_schema(error).get("properties", {})))
        for name in _extra(error):
            yield (
                lines.key_line((*path, name)),
                dotted((*path, name)),
                f"is not a field of {dotted(path)}; allowed here: {allowed}",
            )
    else:
        yield lines.key_line(path), dotted(path), _sentence(error)


def _schema(error: ValidationError) -> Mapping[str, Any]:
    """The failing (sub)schema; ours are all objects, never the boolean schemas."""
    return error.schema if isinstance(error.schema, Mapping) else {}


def _values(error: ValidationError) -> list[Any]:
    value = error.validator_value
    return list(value) if isinstance(value, list | tuple) else []


def _missing(error: ValidationError) -> list[str]:
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [str(name) for name in _values(error) if name not in instance]


def _extra(error: ValidationError) -> list[str]:
    known = _schema(error).get("properties", {})
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [str(name) for name in instance if name not in known]


def _sentence(error: ValidationError) -> str:
    value, schema = error.instance, _schema(error)
    hint = f" ({schema['description'].rstrip('.')})" if "description" in schema else ""
    if error.validator == "enum":
        choices = ", ".join(str(c) for c in _values(error))
        return f"is {value!r}; use one of: {choices}"
    if error.validator == "type":
        return _type_sentence(value, error.validator_value)
    if error.validator == "pattern":
        words = _PATTERN_WORDS.get(str(error.validator_value))
        if words is not None:
            return f"{value!r} is not allowed here: use {words}{hint}"
        return f"{value!r} does not have the expected form {error.validator_value}{hint}"
    if error.validator == "minItems":
        return f"is empty: give at least {error.validator_value}{hint}"
    if error.validator in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        return f"is {value!r}; it must be {_bound_words(error)}{hint}"
    if error.validator in ("minProperties", "maxProperties") and "stub" in schema.get(
        "properties", {}
    ):
        return "give exactly one of 'stub' (the bundled CPO stub) or 'url' (your Service URL)"
    return f"{error.message}{hint}"


def _type_sentence(value: object, wanted: object) -> str:
    names = wanted if isinstance(wanted, list) else [wanted]
    got = _JSON_TYPES.get(type(value), type(value).__name__)
    if "string" in names and isinstance(value, int | float) and not isinstance(value, bool):
        # YAML reads 000 as the number 0: an OICP code keeps its zeros only in quotes.
        example = f"{value:03d}" if isinstance(value, int) and 0 <= value < 1000 else value
        return f'is the number {value!r}; write it in quotes, as text (e.g. "{example}")'
    wanted_words = " or ".join(_SCHEMA_TYPES.get(str(n), str(n)) for n in names)
    return f"is {got} ({value!r}); it must be {wanted_words}"


def _bound_words(error: ValidationError) -> str:
    bound = error.validator_value
    return {
        "minimum": f"at least {bound}",
        "exclusiveMinimum": f"more than {bound}",
        "maximum": f"at most {bound}",
        "exclusiveMaximum": f"less than {bound}",
    }[str(error.validator)]
