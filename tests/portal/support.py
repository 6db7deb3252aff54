"""Helpers of the portal tests: ``hubsim`` server processes and a few page actions."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Locator, Page

HUBSIM = [sys.executable, "-m", "hubsim"]
READY_TIMEOUT_S = 60.0  # a guard against a hung start, not a synchronisation delay

Shoot = Callable[[Page, str], Path]
"""Save a full-page screenshot of a page under a name; returns the file."""

ShootElement = Callable[[Locator, str], Path]
"""Save a screenshot of one element under a name; returns the file."""


@dataclass
class ServerProcess:
    """A ``hubsim … serve`` process; ready once it printed the line that says it listens."""

    args: tuple[str, ...]
    ready: str
    program: tuple[str, ...] = tuple(HUBSIM)  # what runs the args: hubsim by default
    proc: subprocess.Popen[str] | None = None
    url: str = ""
    lines: list[str] = field(default_factory=list)
    _ready: threading.Event = field(default_factory=threading.Event)
    _reader: threading.Thread | None = None

    def start(self) -> ServerProcess:
        self.proc = subprocess.Popen(
            [*self.program, *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        if not self._ready.wait(READY_TIMEOUT_S) or not self.url:
            self.kill()
            output = "".join(self.lines)
            command = " ".join((*self.program, *self.args))
            raise AssertionError(f"{command} did not start:\n{output}")
        return self

    def _drain(self) -> None:
        # Reads every line, so that the process never blocks on a full pipe.
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            found = re.search(self.ready + r" (\S+)", line)
            if found and not self._ready.is_set():
                self.url = found.group(1)
                self._ready.set()
        self._ready.set()  # the process ended: stop waiting

    def kill(self) -> None:
        """``kill -9``: no shutdown code runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self._finish()

    def stop(self) -> None:
        """Terminate the process (SIGTERM), or kill it if it does not end."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=READY_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._finish()

    def _finish(self) -> None:
        if self.proc is None:
            return
        self.proc.wait()
        if self._reader is not None:
            self._reader.join()  # it ends at the end of the output
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def start_hub(pki_dir: Path, database: Path, *extra: str) -> ServerProcess:
    """``hubsim hub serve --pki DIR --db FILE --port 0``, ready when it prints its URL."""
    args = ("hub", "serve", "--pki", str(pki_dir), "--db", str(database), "--port", "0", *extra)
    return ServerProcess(args, ready="listening on").start()


def start_stub(pki_dir: Path, *, user_cert: bool, extra: tuple[str, ...] = ()) -> ServerProcess:
    """``hubsim stub serve``: presents cpo-server.pem, or cpo-user-server.pem with user_cert."""
    args = ["stub", "serve", "--pki", str(pki_dir), "--port", "0", *extra]
    if user_cert:
        args.append("--user-cert")
    return ServerProcess(tuple(args), ready="CPO stub listening on").start()


def service_url_of(stub: ServerProcess) -> str:
    """The Service URL for a stub: its certificates name localhost."""
    return stub.url.replace("127.0.0.1", "localhost") + "/cpo-backend"


# --- page actions -------------------------------------------------------------------------------


def create_operator(page: Page, operator_id: str, name: str = "Test CPO") -> None:
    """Create an operator with the landing page's form; ends on its settings page."""
    page.goto("/portal/")
    page.get_by_label("OperatorID").fill(operator_id)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Create operator").click()
    page.wait_for_url("**/settings/authorization")


def settings_path(operator_id: str, service_type: str = "authorization") -> str:
    return f"/portal/operators/{operator_id}/settings/{service_type}"


def fill_settings(
    page: Page,
    *,
    online: bool,
    url: str | None = None,
    broadcast: bool | None = None,
    certification: str | None = None,
) -> None:
    """Fill the settings form as a user does (with JavaScript on, the gated fields follow)."""
    page.get_by_label("Online Request").set_checked(online)
    if broadcast is not None:
        page.get_by_label("Broadcast Request").set_checked(broadcast)
    if url is not None:
        page.get_by_label("Service URL").fill(url)
    if certification is not None:
        page.get_by_label(certification, exact=True).check()


def save(page: Page) -> None:
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()


def field_errors(page: Page, field_name: str) -> list[str]:
    """The error messages shown next to one field of the settings form."""
    return page.locator(f"#field-{field_name} .field-error .message").all_inner_texts()


def field_warnings(page: Page, field_name: str) -> list[str]:
    """The warnings shown next to one field of the settings form."""
    return page.locator(f"#field-{field_name} .field-warning .message").all_inner_texts()
