#!/usr/bin/env python3
"""Run the checks against the newest releases, and name the package whose upgrade broke them.

CI installs the toolchain at the versions pinned in ``constraints/test.txt`` so that no
upstream release can change a CI run overnight. This script looks ahead instead:

1. it makes a throwaway virtual environment and installs the project with its ``test`` extra,
   unpinned, so every package comes at its newest release;
2. it runs each check (pytest, ruff, ruff format, mypy) there;
3. when one fails, it lists the packages whose version differs from the pins and bisects
   them: it reinstalls the pins with only half of the upgrades, runs the failing check again,
   and so on, until one package is left. Then it names it: "the upgrade of pytest from 9.2.0
   to 9.3.0 breaks pytest".

    python .ci/newest.py                 # every check
    python .ci/newest.py --check pytest  # one check
    python .ci/newest.py --keep DIR      # keep the environment in DIR to look into it

The exit code is 0 when every check passes with the newest releases, 1 when one fails (the
culprit named, or why none could be), 2 when the environment cannot be set up.
Bisecting assumes one culprit; when the pins with every upgrade but the named one still
fail, it says so, and names the next one it finds.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHECKS: dict[str, list[str]] = {
    "pytest": ["python", "-m", "pytest", "-q", "-x"],
    "ruff": ["ruff", "check", "."],
    "ruff format": ["ruff", "format", "--check", "."],
    "mypy": ["mypy"],
}


@dataclass(frozen=True)
class Upgrade:
    """One package whose newest release differs from its pin."""

    name: str
    pinned: str
    newest: str

    def __str__(self) -> str:
        return f"{self.name} from {self.pinned} to {self.newest}"


def canonical(name: str) -> str:
    """A package name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(text: str) -> dict[str, str]:
    """``name==version`` lines (comments and other lines ignored), by canonical name."""
    pins: dict[str, str] = {}
    for line in text.splitlines():
        match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)", line)
        if match:
            pins[canonical(match[1])] = match[2]
    return pins


def upgrades(pins: dict[str, str], installed: dict[str, str]) -> list[Upgrade]:
    """The pinned packages installed at another version, in name order."""
    return [
        Upgrade(name, pins[name], installed[name])
        for name in sorted(pins)
        if name in installed and installed[name] != pins[name]
    ]


def bisect(candidates: Sequence[Upgrade], fails_with: Callable[[list[Upgrade]], bool]) -> Upgrade:
    """The one upgrade that makes the check fail, by halving ``candidates``.

    ``fails_with(subset)`` runs the check with the pins plus only ``subset`` upgraded. The
    caller has seen it fail with all of ``candidates``.
    """
    remaining = list(candidates)
    while len(remaining) > 1:
        half = remaining[: len(remaining) // 2]
        remaining = half if fails_with(half) else remaining[len(half) :]
    return remaining[0]


class Environment:
    """The throwaway virtual environment and the commands run in it."""

    def __init__(
        self,
        folder: Path,
        project: Path,
        extra: str,
        pins_file: Path,
        log: Callable[[str], None] = print,
    ) -> None:
        self.folder = folder
        self.project = project
        self.extra = extra
        self.pins_file = pins_file
        self.log = log
        self.bin = folder / "venv" / "bin"

    def create(self) -> None:
        subprocess.run([sys.executable, "-m", "venv", str(self.folder / "venv")], check=True)

    def install(self, constraints: dict[str, str] | None) -> subprocess.CompletedProcess[str]:
        """Install the project; ``constraints`` None means newest releases of everything."""
        target = f"{self.project}[{self.extra}]" if self.extra else str(self.project)
        command = [str(self.bin / "python"), "-m", "pip", "install", "-q", "--upgrade"]
        if constraints is not None:
            file = self.folder / "constraints.txt"
            file.write_text("".join(f"{n}=={v}\n" for n, v in sorted(constraints.items())))
            command += ["-c", str(file)]
        return self._run([*command, target], cwd=self.project)

    def installed(self) -> dict[str, str]:
        frozen = self._run(
            [str(self.bin / "python"), "-m", "pip", "list", "--format=freeze"], cwd=self.project
        )
        return read_pins(frozen.stdout)

    def check(self, command: Sequence[str]) -> subprocess.CompletedProcess[str]:
        return self._run(list(command), cwd=self.project)

    def _run(self, command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        env["PATH"] = os.pathsep.join([str(self.bin), env.get("PATH", "")])
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)


def find_culprit(env: Environment, name: str, command: Sequence[str]) -> int:
    """After ``command`` failed with the newest releases: name the upgrade that broke it."""
    pins = read_pins(env.pins_file.read_text())
    newest = env.installed()
    candidates = upgrades(pins, newest)
    if not candidates:
        env.log(f"{name} fails, and every pinned package is at its pin: no upgrade broke it")
        return 1
    env.log(f"{name} fails; {len(candidates)} package(s) differ from the pins:")
    for upgrade in candidates:
        env.log(f"  {upgrade}")

    def fails_with(subset: list[Upgrade]) -> bool:
        wanted = {**newest, **pins, **{u.name: u.newest for u in subset}}
        installing = env.install(wanted)
        if installing.returncode != 0:
            raise SetupError(
                f"cannot install the pins with {_names(subset)} upgraded:\n"
                f"{installing.stderr[-2000:]}"
            )
        failed = env.check(command).returncode != 0
        env.log(f"  pins + {_names(subset)} upgraded: {name} {'fails' if failed else 'passes'}")
        return failed

    if fails_with([]):
        env.log(f"{name} fails with every package at its pin too: the breakage is not an upgrade")
        return 1
    culprit = bisect(candidates, fails_with)
    env.log(f"the upgrade of {culprit} breaks {name}")
    others = [u for u in candidates if u != culprit]
    if others and fails_with(others):
        env.log(f"(with {culprit.name} kept at its pin, {name} still fails: more than one cause)")
    return 1


class SetupError(Exception):
    """The throwaway environment could not be made as asked."""


def _names(subset: Sequence[Upgrade]) -> str:
    return ", ".join(u.name for u in subset) or "nothing"


def run(args: argparse.Namespace) -> int:
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hubsim-newest-"))
    folder.mkdir(parents=True, exist_ok=True)
    env = Environment(folder, Path(args.project), args.extra, Path(args.pins))
    checks = {name: CHECKS[name] for name in args.check} if args.check else CHECKS
    if args.command:
        checks = {"the check": args.command}
    try:
        env.create()
        installing = env.install(None)
        if installing.returncode != 0:
            raise SetupError(f"cannot install the newest releases:\n{installing.stderr[-2000:]}")
        env.log(
            "newest releases installed: "
            + ", ".join(f"{n} {v}" for n, v in sorted(env.installed().items()))
        )
        for name, command in checks.items():
            result = env.check(command)
            if result.returncode == 0:
                env.log(f"{name}: passes with the newest releases")
                continue
            env.log(f"{name}: FAILS with the newest releases:\n{_tail(result)}")
            return find_culprit(env, name, command)
        return 0
    except SetupError as exc:
        env.log(f"error: {exc}")
        return 2
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def _tail(result: subprocess.CompletedProcess[str], lines: int = 30) -> str:
    text = (result.stdout + result.stderr).rstrip().splitlines()[-lines:]
    return "\n".join(f"    {line}" for line in text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="append", choices=sorted(CHECKS), help="run only this")
    parser.add_argument("--keep", metavar="DIR", help="make the environment in DIR and keep it")
    parser.add_argument("--project", default=str(ROOT), help=argparse.SUPPRESS)
    parser.add_argument("--extra", default="test", help=argparse.SUPPRESS)
    parser.add_argument(
        "--pins", default=str(ROOT / "constraints" / "test.txt"), help=argparse.SUPPRESS
    )
    parser.add_argument("command", nargs="*", help=argparse.SUPPRESS)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
