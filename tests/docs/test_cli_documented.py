"""Every option of every ``hubsim`` command is named in README.md or docs/*.md."""

from __future__ import annotations

from pathlib import Path

from hubsim.cli import build_parser
from hubsim.commands.options import every_parser

ROOT = Path(__file__).resolve().parents[2]


def test_every_command_line_option_is_documented() -> None:
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    text = "\n".join(path.read_text() for path in documents)
    missing = sorted(
        f"{parser.prog} {option}"
        for parser in every_parser(build_parser())
        for action in parser._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help" and option not in text
    )
    assert missing == []
