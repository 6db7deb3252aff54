"""What every rehearsal case gets: its own copy of the PKI, a backend kind, a work folder."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from hubsim.rehearsal.backends import BackendProcess, BackendSetup, start_backend
from hubsim.rehearsal.report import CaseResult
from hubsim.rehearsal.stage import RehearsalHub
from mockpki.files import PKIFiles


@dataclass(frozen=True)
class CaseContext:
    """One case's world: renewals in ``files`` touch no other case."""

    backend_kind: str
    files: PKIFiles
    work: Path

    @classmethod
    def prepare(cls, template: Path, work: Path, backend_kind: str) -> CaseContext:
        pki = work / "pki"
        shutil.copytree(template, pki)
        return cls(backend_kind=backend_kind, files=PKIFiles(pki), work=work)

    async def backend(self, setup: BackendSetup) -> BackendProcess:
        return await start_backend(self.backend_kind, self.files.directory, setup)

    async def hub(self) -> RehearsalHub:
        return await RehearsalHub.open(self.files.directory)

    def hubject_setup(
        self, *, client_ca: Path | None = None, pinned_client: Path | None = None
    ) -> BackendSetup:
        """The backend of "Hubject certificate" mode: cpo-server.pem, trusting the mock CA
        (or ``client_ca``), or pinning one leaf."""
        files = self.files
        return BackendSetup(
            files.cpo_server_cert,
            files.cpo_server_key,
            client_ca or files.hubject_ca,
            pinned_client=pinned_client,
        )


@dataclass(frozen=True)
class Case:
    """A rehearsal case: its name, what it shows, the backends it runs on, and its run."""

    name: str
    title: str
    expected: str
    backends: tuple[str, ...]
    run: Callable[[CaseContext, Case], Awaitable[CaseResult]]
