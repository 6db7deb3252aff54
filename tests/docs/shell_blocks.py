"""Run the shell blocks of a Markdown file as a reader would (the convention: docs/writing.md).

- Every fenced block whose language is ``sh``, ``bash`` or ``shell`` runs; ``text``, ``yaml``
  and the rest are never run.
- One bash session per file: its blocks run in order, so a block may use what an earlier one
  wrote, started or exported. The session runs ``set -e``: the first failing command fails
  its block and ends the session.
- The session starts in a fresh copy of the checkout (a temporary folder), with this
  environment's ``python`` and ``hubsim`` first on ``PATH``.
- Where the kernel allows it, the session gets a network namespace of its own, with only a
  loopback: the examples' fixed ports (8080, 8443 ...) never meet another run's servers.
- A server started in the background (``hubsim hub serve ... &``) lives until the file's
  last block has run; then every process of the session is killed. Wait for it with
  ``hubsim wait URL``, never with ``sleep``.
- ``<!-- not-run: REASON -->`` on the line just before a block's opening fence skips it;
  REASON is required (say why it cannot run here: docker, apt-get, installing packages).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SHELL_LANGUAGES = frozenset({"sh", "bash", "shell"})
FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
NOT_RUN = re.compile(r"^<!--\s*not-run:(?P<reason>.*?)-->\s*$")
MARKER = "\x1ehubsim-doc-block "
"""Printed to the session's output before each block, so its output can be cut per block."""

HEAD_LINES, OUTPUT_LINES = 40, 60
"""How many of a failing block's first and last output lines its failure message shows."""


class ConventionError(Exception):
    """The Markdown breaks the convention (an unclosed fence, a not-run without a reason)."""


@dataclass(frozen=True)
class Block:
    """One shell block: its place in the file, its text and, if skipped, why."""

    path: Path
    number: int  # 1 for the file's first shell block
    line: int  # the line of its opening fence, 1-based
    code: str
    not_run: str | None = None

    def where(self, root: Path) -> str:
        return f"{_shown(self.path, root)}, shell block {self.number} (line {self.line})"


@dataclass(frozen=True)
class Failure:
    """A session that did not run to its end: which block, how, and what it printed."""

    block: Block | None  # None: the session failed before its first block
    reason: str
    output: str

    def message(self, root: Path) -> str:
        where = self.block.where(root) if self.block else "before the first block"
        code = self.block.code if self.block else ""
        lines = self.output.splitlines()
        if len(lines) > HEAD_LINES + OUTPUT_LINES:
            cut = len(lines) - HEAD_LINES - OUTPUT_LINES
            lines = [*lines[:HEAD_LINES], f"[... {cut} lines ...]", *lines[-OUTPUT_LINES:]]
        return (
            f"{where} {self.reason}.\nThe block:\n{_indent(code)}\n"
            f"It printed:\n{_indent(chr(10).join(lines)) or '    (nothing)'}"
        )


def shell_blocks(path: Path) -> list[Block]:
    """Every shell block of ``path``, in order, with its not-run reason if it has one."""
    blocks: list[Block] = []
    lines = path.read_text().splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, lang = opening["fence"], opening["lang"].lower()
        end = next(
            (i for i in range(index + 1, len(lines)) if lines[i].startswith(fence)),
            None,
        )
        if end is None:
            raise ConventionError(f"{path}:{index + 1}: a ``` block that is never closed")
        if lang in SHELL_LANGUAGES:
            code = "\n".join(lines[index + 1 : end])
            reason = _not_run_reason(path, lines, index)
            blocks.append(Block(path, len(blocks) + 1, index + 1, code, reason))
        index = end + 1
    return blocks


def _not_run_reason(path: Path, lines: list[str], fence_index: int) -> str | None:
    previous = lines[fence_index - 1].strip() if fence_index else ""
    marked = NOT_RUN.match(previous)
    if not marked:
        if "not-run" in previous:
            raise ConventionError(
                f"{path}:{fence_index}: write the skip mark as <!-- not-run: REASON -->"
            )
        return None
    reason = marked["reason"].strip()
    if not reason:
        raise ConventionError(f"{path}:{fence_index}: <!-- not-run: --> needs a reason")
    return reason


def session_script(blocks: list[Block]) -> str:
    """The bash script of one file's session: each runnable block after its marker."""
    parts = ["set -e"]
    for block in blocks:
        if block.not_run is None:
            parts.append(f"printf '\\n{MARKER}%s\\n' {block.number}")
            parts.append(block.code)
    return "\n".join(parts) + "\n"


def run_session(blocks: list[Block], workdir: Path, *, timeout_s: float = 600) -> Failure | None:
    """Run the blocks in one bash session in ``workdir``; None when every block passed."""
    if not any(b.not_run is None for b in blocks):
        return None
    script = workdir / ".doc-session.sh"
    script.write_text(session_script(blocks))
    log = workdir / ".doc-session.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*isolation_prefix(), "bash", str(script)],
            cwd=workdir,
            env=session_environment(),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the cleanup kills all of it
        )
        try:
            code: int | None = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            _kill_group(process)
    return _judge(blocks, log.read_text(errors="replace"), code, timeout_s)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _judge(blocks: list[Block], output: str, code: int | None, timeout_s: float) -> Failure | None:
    if code == 0:
        return None
    by_number = {b.number: b for b in blocks}
    pieces = output.split(MARKER)
    last = pieces[-1]
    block = None
    if len(pieces) > 1:
        number, _, last = last.partition("\n")
        block = by_number[int(number)]
    reason = (
        f"was still running after {timeout_s:g} s"
        if code is None
        else f"failed with exit code {code}"
    )
    return Failure(block, reason, last)


def session_environment() -> dict[str, str]:
    """This environment, with its interpreter's folder first on PATH and no admin token."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUBSIM_", "PYTEST_"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONUNBUFFERED"] = "1"  # background servers' lines appear in the order printed
    return env


@cache
def isolation_prefix() -> tuple[str, ...]:
    """``unshare`` into a private network namespace with loopback up, if the kernel allows.

    As root, without a user namespace: one that maps only root would make a server's chown
    to another user (nginx's workers) fail. As another user, with one.
    """
    unshare, ip = shutil.which("unshare"), shutil.which("ip") or "/usr/sbin/ip"
    if unshare is None or not Path(ip).exists():
        return ()
    script = ("sh", "-c", f'{ip} link set lo up && "$@"', "-")
    for flags in (("--net",), ("--net", "--map-root-user")):
        prefix = (unshare, *flags, *script)
        if subprocess.run([*prefix, "true"], capture_output=True, check=False).returncode == 0:
            return prefix
    return ()


def copy_checkout(root: Path, into: Path) -> Path:
    """A copy of the checkout's files (tracked or not ignored), as a fresh clone would have."""
    listed = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:  # not a git checkout: copy everything but the usual clutter
        ignore = shutil.ignore_patterns(".git", "__pycache__", "*_cache", "*.egg-info", "build")
        shutil.copytree(root, into, ignore=ignore, dirs_exist_ok=True)
        return into
    for name in listed.stdout.decode().split("\0"):
        source = root / name
        if name and source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())
