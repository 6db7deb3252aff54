"""What every command's options share: port numbers, and help that shows the defaults."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from hubsim.errors import BOTH_TARGETS, CLIError


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port number: give 0 to 65535 (0 picks a free port)"
        )
    return port


def output_file(option: str) -> Callable[[str], Path]:
    """An argparse type for a report file (``--junit``): checked before the command runs, so
    that a long run does not end in a file that cannot be written, with its report lost."""

    def check(text: str) -> Path:
        path = Path(text)
        if not text.strip():
            raise argparse.ArgumentTypeError(f"{option} {text!r}: give a file name")
        if path.is_dir():
            raise argparse.ArgumentTypeError(f"{option} {text!r} is a folder; give a file name")
        if not path.parent.is_dir():
            raise argparse.ArgumentTypeError(
                f"{option} {text!r}: the folder {str(path.parent)!r} does not exist; create it "
                "or give a file in a folder that exists"
            )
        return path

    check.__name__ = option
    return check


def discard_earlier(*paths: Path | None) -> None:
    """Remove the report files an earlier run left at ``paths`` (None: not asked for).

    A run that is refused or interrupted writes none, and a CI step that reads the file
    anyway would show the earlier run's results as this one's. Only a regular file is
    removed: a device (``/dev/stdout``) or a link is left as it is.
    """
    for path in paths:
        if path is not None and path.is_file() and not path.is_symlink():
            # A file that cannot be removed: the write after the run says why.
            with contextlib.suppress(OSError):
                path.unlink()


def write_report_file(option: str, path: Path | None, write: Callable[[Path], None]) -> bool:
    """Write a report file (``--junit``) after the report is shown, so that a failed write
    loses nothing of it; False, with the reason told, when the file could not be written."""
    if path is None:
        return True
    try:
        write(path)
    except OSError as err:
        print(
            f"hubsim: error: {option} {str(path)!r}: the file could not be written "
            f"({err.strerror or err}); the report above is complete",
            file=sys.stderr,
        )
        return False
    return True


EXIT_BAD_INPUT = 2
"""The exit code of a refusal, and of a report file that could not be written: CI must not
pass a run whose JUnit file is missing."""


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """Adds "(default: X)" to an option's help when it has a default worth showing.

    Unlike argparse's own ArgumentDefaultsHelpFormatter it leaves out None, False and empty
    lists (an option that is off or unset), and help that already names its default.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            not action.option_strings
            or default in (None, False, argparse.SUPPRESS)
            or default == []
            or "default" in text
        ):
            return text
        return f"{text} (default: %(default)s)"


def every_parser(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """``parser`` and all its sub-command parsers, depth first."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from every_parser(child)


DEFAULT_HUB = "http://127.0.0.1:8080"


def one_target(args: argparse.Namespace) -> None:
    """Refuse a command line that names a hub's operator and a one-shot URL at once, or the
    hub's options beside a one-shot URL: the run would quietly ignore one of them (a user who
    added --url to an --operator command got a one-shot result for saved settings)."""
    if not args.url:
        return
    if args.operator:
        raise CLIError(BOTH_TARGETS)
    hub_options = (("--hub", args.hub), ("--admin-token", args.admin_token))
    given = [option for option, value in hub_options if value is not None]
    if given:
        raise CLIError(
            f"{', '.join(given)}: only through a hub (--operator ID); a one-shot run (--url) "
            "sends from this process and asks no hub"
        )


def hub_of(args: argparse.Namespace) -> tuple[str, str | None]:
    """The hub's admin API URL and token: the options, else the default and HUBSIM_ADMIN_TOKEN."""
    return args.hub or DEFAULT_HUB, args.admin_token or os.environ.get("HUBSIM_ADMIN_TOKEN")
