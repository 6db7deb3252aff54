"""``${name}`` in scenario strings: the values a CPO changes to run a suite on its own backend.

A scenario declares its variables with defaults that suit the bundled stub (``variables:``);
``hubsim scenario run --set evse_id=DE*XYZ*E1`` replaces a default, so the onboarding suite
runs unchanged against a CPO's EvseIDs and OperatorID.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from simulator.yaml_lines import JSONPath

_REFERENCE = re.compile(r"\$\{([^}]*)\}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class UnknownVariable:
    """A ``${name}`` that the scenario does not declare."""

    path: JSONPath
    name: str


def declared_variables(document: object) -> dict[str, str]:
    """The ``variables:`` mapping of a document, or nothing if it is missing or malformed."""
    if not isinstance(document, dict):
        return {}
    variables = document.get("variables")
    if not isinstance(variables, dict):
        return {}
    return {str(k): v for k, v in variables.items() if isinstance(v, str)}


def substitute(
    document: object, overrides: Mapping[str, str]
) -> tuple[object, list[UnknownVariable]]:
    """The document with every ``${name}`` replaced, and the references to undeclared names.

    The ``variables`` section itself is left as written.
    """
    values = {**declared_variables(document), **_declared_only(document, overrides)}
    unknown: list[UnknownVariable] = []
    if not isinstance(document, dict):
        return document, unknown
    result = {
        key: value if key == "variables" else _replace(value, (key,), values, unknown)
        for key, value in document.items()
    }
    return result, unknown


def _declared_only(document: object, overrides: Mapping[str, str]) -> dict[str, str]:
    declared = declared_variables(document)
    return {name: value for name, value in overrides.items() if name in declared}


def _replace(
    value: object, path: JSONPath, values: Mapping[str, str], unknown: list[UnknownVariable]
) -> object:
    if isinstance(value, str):
        return _replace_text(value, path, values, unknown)
    if isinstance(value, dict):
        return {k: _replace(v, (*path, str(k)), values, unknown) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, (*path, i), values, unknown) for i, v in enumerate(value)]
    return value


def _replace_text(
    text: str, path: JSONPath, values: Mapping[str, str], unknown: list[UnknownVariable]
) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        unknown.append(UnknownVariable(path, name))
        return match.group(0)

    return _REFERENCE.sub(one, text)


def overridden_fields(document: object, overrides: Mapping[str, str]) -> dict[JSONPath, str]:
    """Where a ``--set`` value went: each path whose text uses an overridden variable, with
    the ``--set NAME=VALUE`` that put it there (for the messages about that field)."""
    found: dict[JSONPath, str] = {}
    used = _declared_only(document, overrides)

    def walk(value: object, path: JSONPath) -> None:
        if isinstance(value, str):
            names = [n for n in _REFERENCE.findall(value) if n in used]
            if names:
                found[path] = ", ".join(f"--set {n}={used[n]}" for n in names)
        elif isinstance(value, dict):
            for key, item in value.items():
                if path or key != "variables":
                    walk(item, (*path, str(key)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))

    walk(document, ())
    return found


def parse_assignment(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` from the command line; ValueError says what is wrong."""
    name, sep, value = text.partition("=")
    if not sep or not _NAME.fullmatch(name):
        raise ValueError(
            f"--set {text!r} is not NAME=VALUE with NAME made of letters, digits and '_' "
            "(e.g. --set evse_id=DE*ABC*E0001)"
        )
    return name, value
