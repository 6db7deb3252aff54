"""Hubject's official OICP 2.3 CPO OpenAPI, read at test time, never copied into the project.

The files live read-only beside the repository (``../shared/oicp/openapi-cpo``), or where
``HUBSIM_OICP_DIR`` points (a worktree elsewhere). They reference each other with relative
file ``$ref``s; :func:`load_openapi` inlines them, and :func:`to_json_schema` converts
Hubject's OpenAPI 3.0 quirks as ``tests/oicp/test_openapi_crosscheck.py`` states them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

_BESIDE_REPO = Path(__file__).resolve().parents[2].parent / "shared" / "oicp"
OICP_DIR = Path(os.environ.get("HUBSIM_OICP_DIR") or _BESIDE_REPO)
OPENAPI_DIR = OICP_DIR / "openapi-cpo"
MISSING = f"Hubject's CPO OpenAPI is not available at {OPENAPI_DIR} (set HUBSIM_OICP_DIR)"


class _Loader(yaml.SafeLoader):
    """YAML 1.2's booleans only: YAML 1.1 would read the member name ``on`` (OpeningTimes,
    ProductAvailabilityTimes) as True."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _load(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def _resolve(node: Any, base_dir: Path, stack: tuple[Path, ...]) -> Any:
    """Inline every relative file ``$ref`` below ``node`` (siblings of $ref are ignored)."""
    if isinstance(node, list):
        return [_resolve(item, base_dir, stack) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return {key: _resolve(value, base_dir, stack) for key, value in node.items()}
    file_part, _, fragment = ref.partition("#")
    target = (base_dir / file_part).resolve() if file_part else stack[-1]
    if target in stack and not fragment:
        raise ValueError(f"$ref cycle through {target}")
    document = _load(target)
    for part in filter(None, fragment.split("/")):
        document = document[part.replace("~1", "/").replace("~0", "~")]
    return _resolve(document, target.parent, (*stack, target))


def load_openapi() -> dict[str, Any]:
    """openapi.yaml with every $ref inlined."""
    root = OPENAPI_DIR / "openapi.yaml"
    resolved = _resolve(_load(root), OPENAPI_DIR, (root,))
    assert isinstance(resolved, dict)
    return resolved


def to_json_schema(node: Any) -> Any:
    """Convert an OpenAPI 3.0 schema (as Hubject writes it) to JSON Schema.

    ``maximum``/``minimum`` on a string mean its length; ``nullable`` adds "null";
    ``example`` members are dropped.
    """
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    schema = {key: to_json_schema(value) for key, value in node.items() if key != "example"}
    if schema.get("type") == "string":
        for openapi_key, json_key in (("maximum", "maxLength"), ("minimum", "minLength")):
            if openapi_key in schema:
                schema[json_key] = schema.pop(openapi_key)
    if schema.pop("nullable", False):
        schema["type"] = [schema["type"], "null"]
    return schema


def post_named(openapi: dict[str, Any], wire_name: str) -> tuple[str, dict[str, Any]]:
    """The OpenAPI path and POST object whose operationId names ``wire_name``."""
    for path, item in openapi["paths"].items():
        post = item.get("post", {})
        if str(post.get("operationId", "")).split("_")[0] == wire_name:
            return path, post
    raise AssertionError(f"{wire_name} is not in the official OpenAPI")


def request_schema_named(openapi: dict[str, Any], wire_name: str) -> Any:
    """The JSON Schema of the request body of the operation ``wire_name``."""
    _, post = post_named(openapi, wire_name)
    return to_json_schema(post["requestBody"]["content"]["application/json"]["schema"])


def request_example_named(openapi: dict[str, Any], wire_name: str) -> Any:
    """The official example request body of ``wire_name``."""
    _, post = post_named(openapi, wire_name)
    return post["requestBody"]["content"]["application/json"]["schema"]["example"]
