"""Imports point down only (docs/architecture.md), read from the source with ``ast``.

Every ``import`` counts, including those inside functions and under ``TYPE_CHECKING``: a
lazy import that breaks a circle at run time still makes the two modules one idea.
"""

from __future__ import annotations

import ast
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("oicp", "mockpki", "httpguard", "simulator", "cpo_stub", "hubsim")

ALLOWED = {
    "oicp": set(),
    "mockpki": set(),
    "httpguard": set(),
    "simulator": {"oicp", "mockpki", "httpguard"},
    "cpo_stub": {"oicp", "mockpki", "httpguard"},
    "hubsim": {"oicp", "mockpki", "httpguard", "simulator", "cpo_stub"},
}
"""Which project packages each package may import: the layers, bottom to top."""


def _module_files() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = _module_files()


def _imported(module: str, path: Path) -> Iterator[str]:
    """The project modules ``module`` imports; ``from P import m`` counts as ``P.m``."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                if path.name != "__init__.py":
                    anchor.pop()
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def _graph() -> dict[str, set[str]]:
    return {
        module: {name for name in _imported(module, path) if name in MODULES}
        for module, path in MODULES.items()
    }


GRAPH = _graph()


def _reachable(start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for name in GRAPH[todo.pop()]:
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def test_the_import_reader_sees_a_known_import() -> None:
    # Guards the tests below against a reader that finds nothing and so passes anything.
    assert "simulator.session_model" in GRAPH["simulator.storage.sessions"]
    assert "oicp.errors" in GRAPH["oicp.messages"]


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    wrong = sorted(
        f"{module} imports {name}"
        for module, names in GRAPH.items()
        if module.split(".")[0] == package
        for name in names
        if name.split(".")[0] not in {package, *ALLOWED[package]}
    )
    assert wrong == []


def test_no_module_imports_itself_back_through_others() -> None:
    circles = sorted(module for module in GRAPH if module in _reachable(module))
    assert circles == []


def test_storage_takes_value_types_only_from_modules_below_it() -> None:
    # simulator's subpackages (inbound, partners, portal, check) sit above storage; the value
    # types storage keeps live in simulator's top-level modules, which never import storage.
    wrong: list[str] = []
    for module, names in GRAPH.items():
        if not module.startswith("simulator.storage"):
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] != "simulator" or name.startswith("simulator.storage"):
                continue
            if len(parts) > 2 or any(n.startswith("simulator.storage") for n in _reachable(name)):
                wrong.append(f"{module} imports {name}")
    assert wrong == []


def test_no_tracked_file_is_ignored_by_git() -> None:
    # A tracked file that .gitignore lists is one a newcomer's change to it silently drops.
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "--cached", "--ignored", "--exclude-standard"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert listed.stdout.split() == []
