"""Errors of scenario files: each problem names the file, the line and the field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hubsim.errors import CLIError


@dataclass(frozen=True)
class FormatProblem:
    """One thing wrong in a scenario file."""

    file: Path
    line: int
    field: str
    message: str
    # The ``--set NAME=VALUE`` whose value the problem is about, when the file holds only
    # ``${NAME}`` there.
    from_set: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "file": str(self.file),
            "line": self.line,
            "field": self.field,
            "message": self.message,
        }


class ScenarioFormatError(CLIError):
    """One or more scenario files break the format; nothing was run.

    ``str()`` lists one problem per line as ``FILE:LINE: FIELD: MESSAGE``.
    """

    def __init__(self, problems: Sequence[FormatProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class ScenarioSetupError(Exception):
    """A scenario could not be prepared (settings refused, certificate missing…)."""
