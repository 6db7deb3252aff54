"""The ``hubsim`` command line: one sub-command module per verb, registered here."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    args = build_parser().parse_args(argv)
    try:
        result = args.func(args)
        code = asyncio.run(result) if asyncio.iscoroutine(result) else result
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
