"""Where each value of a YAML document sits: JSON paths mapped to line numbers (scenario files
and the hub's config file).

The JSON Schema reports the path of a bad value (``steps/1/expect/status_code``); the line
comes from composing the YAML into nodes, whose marks keep their position. PyYAML silently
keeps the last of two equal keys, so duplicates are found here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import yaml

PathPart = str | int
JSONPath = tuple[PathPart, ...]


@dataclass
class LineMap:
    """Line numbers (1-based) of the values and keys of one YAML document."""

    values: dict[JSONPath, int] = field(default_factory=dict)
    keys: dict[JSONPath, int] = field(default_factory=dict)
    duplicates: list[tuple[JSONPath, int]] = field(default_factory=list)

    def line_of(self, path: Sequence[PathPart]) -> int:
        """The line of the value at ``path``, or of its nearest parent that has one."""
        parts = tuple(path)
        while parts:
            line = self.values.get(parts)
            if line is not None:
                return line
            parts = parts[:-1]
        return self.values.get((), 1)

    def key_line(self, path: Sequence[PathPart]) -> int:
        """The line of the key that names ``path`` (falls back to its value's line)."""
        return self.keys.get(tuple(path)) or self.line_of(path)


def line_map(text: str) -> LineMap:
    """Compose ``text`` and record where every value is; raises ``yaml.YAMLError``."""
    lines = LineMap()
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is not None:
        _walk(node, (), lines)
    return lines


def _walk(node: yaml.Node, path: JSONPath, lines: LineMap) -> None:
    lines.values[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        _walk_mapping(node, path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def _walk_mapping(node: yaml.MappingNode, path: JSONPath, lines: LineMap) -> None:
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = str(key_node.value)
        child = (*path, key)
        if key in seen:
            lines.duplicates.append((child, key_node.start_mark.line + 1))
        seen.add(key)
        lines.keys[child] = key_node.start_mark.line + 1
        _walk(value_node, child, lines)


def dotted(path: Sequence[PathPart]) -> str:
    """``("steps", 1, "expect")`` -> ``steps[1].expect`` (the field name in messages)."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"
