"""Reading scenario files: YAML, then the JSON Schema, then the checks that need the whole file.

Every problem names the file, the line and the field (``busy.yaml:14: steps[1].expect.status_code:
…``), and all problems of all files are reported at once, so a CI log shows everything to fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from hubsim.errors import CLIError
from hubsim.scenario.build import build_scenario
from hubsim.scenario.errors import FormatProblem, ScenarioFormatError
from hubsim.scenario.model import Scenario
from hubsim.scenario.validate import schema_problems
from hubsim.scenario.variables import declared_variables, overridden_fields, substitute
from simulator.yaml_lines import JSONPath, LineMap, dotted, line_map

SCENARIO_SUFFIXES = (".yaml", ".yml")


def find_scenario_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, and the ``*.yaml``/``*.yml`` files under the folders named, in order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.suffix in SCENARIO_SUFFIXES)
            if not inside:
                raise CLIError(f"the folder {path} holds no scenario files (*.yaml, *.yml)")
            found.extend(p for p in inside if p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise CLIError(f"{path} does not exist: give a scenario file or a folder of them")
    return found


def load_scenarios(
    paths: Sequence[Path], overrides: Mapping[str, str] | None = None
) -> list[Scenario]:
    """Load every scenario under ``paths``; raise one :class:`ScenarioFormatError` for all."""
    overrides = dict(overrides or {})
    files = find_scenario_files(paths)
    scenarios: list[Scenario] = []
    problems: list[FormatProblem] = []
    declared: set[str] = set()
    for file in files:
        scenario, found, names = _load_file(file, overrides)
        problems.extend(found)
        declared |= names
        if scenario is not None:
            scenarios.append(scenario)
    if problems:
        raise ScenarioFormatError(_once_per_set(problems))
    _check_overrides(overrides, declared)
    return scenarios


def load_scenario(path: Path, overrides: Mapping[str, str] | None = None) -> Scenario:
    """Load one scenario file; raise :class:`ScenarioFormatError` listing its problems."""
    scenario, problems, _ = _load_file(path, dict(overrides or {}))
    if problems or scenario is None:
        raise ScenarioFormatError(problems)
    return scenario


def _check_overrides(overrides: Mapping[str, str], declared: set[str]) -> None:
    unknown = sorted(set(overrides) - declared)
    if unknown:
        names = ", ".join(sorted(declared)) or "none"
        raise CLIError(
            f"--set {', '.join(unknown)}: no scenario declares such a variable; "
            f"declared variables: {names}"
        )


def _load_file(
    path: Path, overrides: Mapping[str, str]
) -> tuple[Scenario | None, list[FormatProblem], set[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [FormatProblem(path, 1, "(file)", f"cannot be read: {exc}")], set()
    try:
        lines = line_map(text)
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return None, [_syntax_problem(path, exc)], set()
    problems = _with_overrides(
        _check_document(path, document, lines, overrides), overridden_fields(document, overrides)
    )
    if problems:
        return None, problems, set(declared_variables(document))
    return _build(path, document, lines, overrides)


def _check_document(
    path: Path, document: object, lines: LineMap, overrides: Mapping[str, str]
) -> list[FormatProblem]:
    if not isinstance(document, dict):
        return [
            FormatProblem(
                path, 1, "(top level)", "a scenario is a YAML mapping with name: and steps:"
            )
        ]
    problems = [
        FormatProblem(path, line, dotted(key), "appears twice; keep one")
        for key, line in lines.duplicates
    ]
    resolved, unknown = substitute(document, overrides)
    for reference in unknown:
        problems.append(
            FormatProblem(
                path,
                lines.line_of(reference.path),
                dotted(reference.path),
                f"uses ${{{reference.name}}}, which is not declared under variables:",
            )
        )
    problems += [FormatProblem(path, *found) for found in schema_problems(resolved, lines)]
    return sorted(problems, key=lambda problem: problem.line)


def _build(
    path: Path, document: Any, lines: LineMap, overrides: Mapping[str, str]
) -> tuple[Scenario | None, list[FormatProblem], set[str]]:
    resolved, _ = substitute(document, overrides)
    assert isinstance(resolved, dict)  # checked by the schema already
    names = set(declared_variables(document))
    scenario, problems = build_scenario(path, resolved, lines)
    problems = _with_overrides(_unique(problems), overridden_fields(document, overrides))
    return (None if problems else scenario), problems, names


def _unique(problems: list[FormatProblem]) -> list[FormatProblem]:
    # A bad value under defaults: is built into every step that inherits it: say it once.
    return list(dict.fromkeys(problems))


def _with_overrides(
    problems: list[FormatProblem], fields: dict[JSONPath, str]
) -> list[FormatProblem]:
    """Name the ``--set`` behind a value a problem is about: the file holds only ``${name}``."""
    by_name = {dotted(path): assignment for path, assignment in fields.items()}
    return [
        replace(
            p,
            message=f"{p.message} (the value comes from {by_name[p.field]})",
            from_set=by_name[p.field],
        )
        if p.field in by_name
        else p
        for p in problems
    ]


def _once_per_set(problems: list[FormatProblem]) -> list[FormatProblem]:
    """A bad ``--set`` value breaks every file of a folder that uses it: say it once, at
    the first file, naming the others."""
    kept: dict[tuple[str, str, str], int] = {}
    others: dict[int, list[str]] = {}
    found: list[FormatProblem] = []
    for problem in problems:
        key = (problem.from_set or "", problem.field, problem.message)
        if problem.from_set is None or key not in kept:
            kept.setdefault(key, len(found))
            found.append(problem)
        else:
            others.setdefault(kept[key], []).append(problem.file.name)
    for index, names in others.items():
        first = found[index]
        also = f", which {len(names)} more file(s) use too: {', '.join(names)})"
        found[index] = replace(first, message=first.message.removesuffix(")") + also)
    return found


def _syntax_problem(path: Path, exc: yaml.YAMLError) -> FormatProblem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc)
    return FormatProblem(path, line, "(YAML syntax)", f"{problem}; fix the YAML at this line")
