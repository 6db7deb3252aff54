"""The ``hubsim`` command line: one sub-command module per verb, registered here."""

from __future__ import annotations

import argparse
import asyncio
import difflib
import os
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from hubsim.commands import (
    check_cmd,
    demo_cmd,
    emp_cmd,
    fuzz_cmd,
    hub_cmd,
    load_cmd,
    pki_cmd,
    rehearse_cmd,
    scenario_cmd,
    send_cmd,
    stub_cmd,
    wait_cmd,
)
from hubsim.commands.options import DefaultsHelpFormatter, every_parser
from hubsim.errors import user_error_message
from hubsim.stdout import CLOSED, StdoutLost, lost_sentence, told_stdout

SIGPIPE_EXIT = 141
"""What a shell reports for a command whose reader went away (128 + SIGPIPE)."""

COMMANDS = (
    pki_cmd,
    hub_cmd,
    stub_cmd,
    send_cmd,
    check_cmd,
    load_cmd,
    demo_cmd,
    scenario_cmd,
    emp_cmd,
    rehearse_cmd,
    wait_cmd,
    fuzz_cmd,
)


class OneLineParser(argparse.ArgumentParser):
    """argparse's refusals in the shape of every other refusal: one line on stderr, exit 2.

    The usage block argparse prints first is what ``--help`` is for; in a CI log it hid the
    sentence that says what to change.
    """

    _given: Sequence[str] = ()

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._given = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        hint = ""
        if message.startswith("the following arguments are required"):
            # A misspelt option leaves its right spelling missing: say both at once.
            hint = _hint(_misspelt(self, self._given))
        self.exit(2, f"hubsim: error: {option_message(message)}{hint}; see '{self.prog} --help'\n")


_ARGUMENT = re.compile(r"argument (\S+): (.*)", re.DOTALL)


def option_message(message: str) -> str:
    """``argument --rate: '0': give ...`` as ``--rate '0': give ...``; an option's own
    message that already starts with the option's name keeps it once."""
    found = _ARGUMENT.fullmatch(message)
    if found is None:
        return message
    name, rest = found.groups()
    if rest == "expected one argument":  # also when the value starts with '-', as -5s does
        option = name.split("/")[-1]
        return f"{name}: give it a value (one that starts with '-' is written {option}=VALUE)"
    if any(rest.startswith(spelling) for spelling in name.split("/")):
        return rest
    return f"{name} {rest}" if rest.startswith("'") else f"{name}: {rest}"


def _unknown_arguments(
    parser: argparse.ArgumentParser, args: argparse.Namespace, unknown: list[str]
) -> NoReturn:
    """Refuse arguments no option takes, in the terms of the command they were given to
    (argparse's own refusal named the top-level ``hubsim --help``) and with the nearest
    option of that command for a misspelt one."""
    command = _command_parser(parser, args)
    command.exit(
        2,
        f"hubsim: error: unrecognized arguments: {' '.join(unknown)}"
        f"{_hint(_misspelt(command, unknown))}; see '{command.prog} --help'\n",
    )


def _misspelt(parser: argparse.ArgumentParser, given: Sequence[str]) -> list[str]:
    """'--evse-id: did you mean --evse?' for each argument that looks like a misspelt option
    of ``parser``."""
    spellings = [s for action in parser._actions for s in action.option_strings]
    hints = []
    for each in given:
        name = each.split("=")[0]
        near = difflib.get_close_matches(name, spellings, n=1)
        if each.startswith("-") and name not in spellings and near:
            hints.append(f"{each}: did you mean {near[0]}?")
    return hints


def _hint(hints: list[str]) -> str:
    return f" ({'; '.join(hints)})" if hints else ""


def _command_parser(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> argparse.ArgumentParser:
    """The parser of the (sub)command ``args`` were parsed for: ``hubsim emp add``'s, say."""
    while True:
        subcommands = next(
            (a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None
        )
        name = getattr(args, subcommands.dest, None) if subcommands is not None else None
        if subcommands is None or name not in subcommands.choices:
            return parser
        parser = subcommands.choices[name]


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="hubsim",
        description="A mock of Hubject's e-roaming hub (HBS) and a simulated CPO backend.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    for each in every_parser(parser):
        each.formatter_class = DefaultsHelpFormatter
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a refusal prints one line to stderr, never a traceback."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        _unknown_arguments(parser, args, unknown)
    if sys.stdout is None and getattr(args, "prints_report", True):
        print(f"hubsim: error: {CLOSED}", file=sys.stderr)
        return 2
    try:
        with told_stdout():
            result = args.func(args)
            code = asyncio.run(result) if asyncio.iscoroutine(result) else result
    except StdoutLost as lost:
        print(f"hubsim: error: {lost_sentence(lost)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader stopped early (``| head``): not an error to tell anyone about. Point
        # stdout at /dev/null so that the interpreter's last flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return SIGPIPE_EXIT
    except Exception as exc:  # the last guard: no traceback reaches a CLI user
        print(f"hubsim: error: {user_error_message(exc)}", file=sys.stderr)
        return 2
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
