"""Certificate files for test backends, all from one mock PKI."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mockpki import LeafCertificate, MockHubjectPKI, PKIFiles, foreign_ca
from mockpki.pki import HUB_SERVICE_NAME
from tests.backends.spec import ServerCert


@dataclass(frozen=True)
class Materials:
    """``pki``: the hub's PKI folder. ``foreign_pki``: the same folder, except that the hub's
    service certificate comes from a foreign CA, so every backend refuses it."""

    directory: Path
    pki: PKIFiles
    foreign_pki: PKIFiles

    @classmethod
    def create(cls, pki: MockHubjectPKI, directory: Path) -> Materials:
        files = pki.write(directory / "pki")
        foreign_dir = directory / "foreign-pki"
        shutil.copytree(files.directory, foreign_dir)
        foreign = PKIFiles(foreign_dir)
        stranger = foreign_ca().issue_client_cert(HUB_SERVICE_NAME, organizational_unit="IT")
        stranger.write(foreign.hub_client_cert, foreign.hub_client_key)
        yesterday = datetime.now(UTC) - timedelta(days=1)
        extra = {
            ServerCert.EXPIRED: pki.issue_server_cert(
                pki.host, not_before=yesterday - timedelta(days=30), not_after=yesterday
            ),
            ServerCert.WRONG_HOST: pki.issue_server_cert("cpo.elsewhere.example"),
        }
        for which, leaf in extra.items():
            _write(leaf, directory, which)
        return cls(directory, files, foreign)

    def server_cert(self, which: ServerCert) -> tuple[Path, Path]:
        """(certificate chain, key) files of the server certificate ``which``."""
        if which is ServerCert.GOOD:
            return self.pki.cpo_server_cert, self.pki.cpo_server_key
        if which is ServerCert.USER:
            return self.pki.cpo_user_server_cert, self.pki.cpo_user_server_key
        return self.directory / f"{which.value}.pem", self.directory / f"{which.value}.key"

    @property
    def client_ca(self) -> Path:
        """What the backends trust for client certificates: the mock Hubject CA chain."""
        return self.pki.hubject_ca

    def combined(self, which: ServerCert) -> Path:
        """Certificate chain and key in one file, as HAProxy's ``crt`` wants it."""
        path = self.directory / f"combined-{which.value}.pem"
        if not path.exists():
            cert, key = self.server_cert(which)
            path.write_bytes(cert.read_bytes() + key.read_bytes())
            path.chmod(0o600)
        return path


def _write(leaf: LeafCertificate, directory: Path, which: ServerCert) -> None:
    leaf.write(directory / f"{which.value}.pem", directory / f"{which.value}.key")
