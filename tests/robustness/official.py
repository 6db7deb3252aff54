"""Hubject's official CPO OpenAPI schemas (``shared/oicp/openapi-cpo``), as JSON Schema.

The files reference each other with relative ``$ref``s, inlined here. Hubject writes
``maximum: 250`` on strings where it means a length; that becomes ``maxLength`` (the
conversion tests/oicp/test_openapi_crosscheck.py documents). Tests skip when the folder
is not there (the package does not ship it).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from oicp import Operation

from .conftest import official_oicp_dir

_FILES = {
    Operation.AUTHORIZE_REMOTE_START: "eRoamingAuthorizeRemoteStart.yaml",
    Operation.AUTHORIZE_REMOTE_STOP: "eRoamingAuthorizeRemoteStop.yaml",
    Operation.AUTHORIZE_REMOTE_RESERVATION_START: "eRoamingAuthorizeRemoteReservationStart.yaml",
    Operation.AUTHORIZE_REMOTE_RESERVATION_STOP: "eRoamingAuthorizeRemoteReservationStop.yaml",
}


def _schemas_dir() -> Path:
    folder = official_oicp_dir() / "openapi-cpo" / "schemas"
    if not folder.is_dir():
        pytest.skip(f"Hubject's CPO OpenAPI is not available at {folder} (set HUBSIM_OICP_DIR)")
    return folder


def _inline(node: Any, base: Path) -> Any:
    if isinstance(node, list):
        return [_inline(item, base) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = (base / node["$ref"]).resolve()
        return _inline(yaml.safe_load(target.read_text()), target.parent)
    converted = {k: _inline(v, base) for k, v in node.items() if k != "example"}
    if converted.get("type") == "string":
        for number, length in (("maximum", "maxLength"), ("minimum", "minLength")):
            if number in converted:
                converted[length] = converted.pop(number)
    return converted


@functools.cache
def official_request_schema(operation: Operation) -> Any:
    folder = _schemas_dir()
    path = folder / _FILES[operation]
    return _inline(yaml.safe_load(path.read_text()), folder)


def schema_errors(schema: Any, instance: object) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return sorted(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    )


def null_members_dropped(value: Any) -> Any:
    """The body with every null member removed: how a reader of the hbs shape sees it."""
    if isinstance(value, dict):
        return {k: null_members_dropped(v) for k, v in value.items() if v is not None}
    return value
