"""The hub's side of the exchange log's writer process (see :mod:`log_writer`)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from simulator.storage import log_writer
from simulator.storage.database import BUSY_TIMEOUT_S
from simulator.storage.errors import StorageError

_SCRIPT = Path(log_writer.__file__)


class LogProcess:
    """A child process that appends batches of encoded exchanges to one database file."""

    def __init__(self, process: asyncio.subprocess.Process, path: str) -> None:
        self._process = process
        self._path = path

    @classmethod
    async def start(cls, path: str, max_exchanges: int) -> LogProcess:
        # Run as a script, so that the child imports the standard library only.
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(_SCRIPT),
            path,
            str(max_exchanges),
            str(BUSY_TIMEOUT_S),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(process, path)

    @property
    def pid(self) -> int:
        return self._process.pid

    async def append(self, lines: Sequence[bytes]) -> None:
        """Write one batch of encoded exchanges; raises StorageError if it was not written."""
        payload = log_writer.batch_bytes(lines)
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(log_writer.FRAME.pack(len(payload)))
            stdin.write(payload)
            await stdin.drain()
            status, length = log_writer.REPLY.unpack(
                await stdout.readexactly(log_writer.REPLY.size)
            )
            problem = (await stdout.readexactly(length)).decode("utf-8")
        except (ConnectionError, asyncio.IncompleteReadError):
            raise StorageError(await self._ended()) from None
        if status != log_writer.WRITTEN:
            raise StorageError(f"database {self._path}: {problem}")

    async def close(self) -> None:
        """End the process once it has written what it was sent."""
        stdin = self._process.stdin
        if stdin is not None and not stdin.is_closing():
            stdin.close()
        await self._process.wait()

    async def _ended(self) -> str:
        code = await self._process.wait()
        stderr = self._process.stderr
        last = ""
        if stderr is not None:
            lines = (await stderr.read()).decode("utf-8", errors="replace").strip().splitlines()
            last = f": {lines[-1]}" if lines else ""
        return (
            f"the exchange log's writer process for {self._path} ended (exit code {code}"
            f"{last}); the exchanges of this batch are lost; restart the hub to log again"
        )
