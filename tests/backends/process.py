"""One server process on a loopback port: started, waited for without sleeping, torn down.

Readiness is a line the server prints (with its port) or, for servers that print nothing,
the moment the port accepts a TCP connection; either way the wait also ends, with the
server's output, if the process dies first.
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

READY_TIMEOUT_S = 30.0  # a guard against a hung start, not a synchronisation delay


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released) for servers that need one."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass
class BackendProcess:
    """A started server. ``url`` is its base URL with host ``localhost`` (what the certificates
    name)."""

    name: str
    argv: Sequence[str]
    scheme: str = "https"
    port: int | None = None  # known in advance (port polling), or read from the ready line
    ready_pattern: str | None = None  # regex with one group: the port
    cwd: Path | None = None
    proc: subprocess.Popen[str] | None = None
    lines: list[str] = field(default_factory=list)
    _printed: threading.Condition = field(default_factory=threading.Condition)
    companions: list[BackendProcess] = field(default_factory=list)  # stopped with this one
    _ready: threading.Event = field(default_factory=threading.Event)
    _reader: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"{self.scheme}://localhost:{self.port}"

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def start(self) -> BackendProcess:
        self.proc = subprocess.Popen(
            list(self.argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=self.cwd,
        )
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        ok = self._wait_line() if self.ready_pattern else self._wait_port()
        if not ok:
            self.stop()
            raise RuntimeError(f"{self.name} did not start: {' '.join(self.argv)}\n{self.output}")
        return self

    def wait_for_line(self, text: str, timeout_s: float = READY_TIMEOUT_S) -> bool:
        """Block until the process printed a line containing ``text`` (False: it did not, or
        it ended first). For tests that must know a request reached the backend."""
        with self._printed:
            return self._printed.wait_for(
                lambda: any(text in line for line in self.lines) or not self.alive, timeout_s
            ) and any(text in line for line in self.lines)

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._printed:
                self.lines.append(line)
                self._printed.notify_all()
            if self.ready_pattern and not self._ready.is_set():
                found = re.search(self.ready_pattern, line)
                if found:
                    self.port = int(found.group(1))
                    self._ready.set()
        with self._printed:
            self._printed.notify_all()  # the process ended: stop waiting for a line
        self._ready.set()  # the process ended: stop waiting

    def _wait_line(self) -> bool:
        return self._ready.wait(READY_TIMEOUT_S) and self.port is not None and self.alive

    def _wait_port(self) -> bool:
        assert self.proc is not None and self.port is not None
        for _ in range(int(READY_TIMEOUT_S / 0.02)):
            if not self.alive:
                return False
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1.0).close()
                return True
            except OSError:
                # Not listening yet: wait on the process itself, which also notices its death.
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=0.02)
        return False

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        for companion in self.companions:
            companion.stop()
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._reader is not None:
            self._reader.join(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def __enter__(self) -> BackendProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
