"""``hubsim hub serve`` and ``hubsim stub serve`` as separate processes, for hostile tests."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

HUBSIM = [sys.executable, "-m", "hubsim"]
READY_TIMEOUT_S = 60.0  # a guard against a hung start, not a synchronisation delay

ADMIN_LINE = r"hub admin API listening on (\S+)"
OICP_LINE = r"OICP endpoints \(mutual TLS\) on (\S+)"
STUB_LINE = r"CPO stub listening on (\S+)"


@dataclass
class Server:
    """A running ``hubsim`` process, the URLs it printed, and every line it wrote."""

    process: asyncio.subprocess.Process
    urls: list[str]
    lines: list[str] = field(default_factory=list)
    _drain: asyncio.Task[None] | None = None
    _more: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return "".join(self.lines)

    async def wait_for_line(self, pattern: re.Pattern[str]) -> str:
        """The first output line matching ``pattern``, once the process has written it."""
        async with asyncio.timeout(READY_TIMEOUT_S):
            while True:
                for line in self.lines:
                    if pattern.search(line):
                        return line
                self._more.clear()
                await self._more.wait()

    async def wait_for_lines(self, pattern: re.Pattern[str], count: int) -> None:
        """Wait until ``count`` output lines match ``pattern``."""
        async with asyncio.timeout(READY_TIMEOUT_S):
            while sum(1 for line in self.lines if pattern.search(line)) < count:
                self._more.clear()
                await self._more.wait()

    def kill(self) -> None:
        """``kill -9``: no shutdown code runs."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)


async def _read_until_ready(
    process: asyncio.subprocess.Process, patterns: Sequence[str], lines: list[str]
) -> list[str]:
    assert process.stdout is not None
    found: list[str | None] = [None] * len(patterns)
    while not all(found):
        raw = await process.stdout.readline()
        if not raw:
            raise AssertionError("the process ended before it listened:\n" + "".join(lines))
        line = raw.decode(errors="replace")
        lines.append(line)
        for i, pattern in enumerate(patterns):
            match = re.search(pattern, line)
            if match and found[i] is None:
                found[i] = match.group(1)
    return [url for url in found if url is not None]


async def _keep_draining(server: Server) -> None:
    # Reads every line, so that the process never blocks on a full pipe.
    assert server.process.stdout is not None
    async for raw in server.process.stdout:
        server.lines.append(raw.decode(errors="replace"))
        server._more.set()


@asynccontextmanager
async def serving(args: Sequence[str], patterns: Sequence[str]) -> AsyncIterator[Server]:
    """Start ``hubsim ARGS``, wait for the lines matching ``patterns``, kill it at the end."""
    process = await asyncio.create_subprocess_exec(
        *HUBSIM,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    try:
        async with asyncio.timeout(READY_TIMEOUT_S):
            urls = await _read_until_ready(process, patterns, lines)
        server = Server(process, urls, lines)
        server._drain = asyncio.create_task(_keep_draining(server))
        yield server
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
        await process.wait()


async def run_to_end(args: Sequence[str]) -> tuple[int, str]:
    """Run ``hubsim ARGS`` until it exits; its exit code and output."""
    process = await asyncio.create_subprocess_exec(
        *HUBSIM,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={k: v for k, v in os.environ.items() if k != "HUBSIM_ADMIN_TOKEN"},
    )
    async with asyncio.timeout(READY_TIMEOUT_S):
        out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(errors="replace")
