"""The names of the files a mock PKI is written to, and how they are written.

``hubsim pki init --dir DIR`` writes these files; the hub, the CPO stub and tests read them.
Certificate files hold the leaf followed by the mock intermediate, so that they can be handed
to ``ssl.SSLContext.load_cert_chain`` as they are. Key files are readable by their owner only.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mockpki.errors import PKIError

HUBJECT_CA = "hubject-ca.pem"
ROOT_KEY = "hubject-root.key"
INTERMEDIATE_KEY = "hubject-intermediate.key"
HUB_CLIENT = "hub-client"
HUB_SERVER = "hub-server"
CPO_SERVER = "cpo-server"
CPO_USER_SERVER = "cpo-user-server"
CPO_CLIENT = "cpo-client"

SECRET_MODE = 0o600
# ``hubsim pki renew`` keeps the file it replaces under this infix: hub-client.previous.pem.
PREVIOUS = "previous"


@dataclass(frozen=True)
class PKIFiles:
    """The paths of a mock PKI written to ``directory`` (whether or not they exist yet)."""

    directory: Path

    @property
    def hubject_ca(self) -> Path:
        """Root "Hubject CA" then intermediate "Hubject Intermediate CA IT": the trust anchors."""
        return self.directory / HUBJECT_CA

    @property
    def root_key(self) -> Path:
        """The mock root's private key."""
        return self.directory / ROOT_KEY

    @property
    def intermediate_key(self) -> Path:
        """The mock intermediate's private key, to issue more certificates later."""
        return self.directory / INTERMEDIATE_KEY

    @property
    def hub_client_cert(self) -> Path:
        """The hub's service certificate, presented as client certificate on calls to a CPO."""
        return self._cert(HUB_CLIENT)

    @property
    def hub_client_key(self) -> Path:
        return self._key(HUB_CLIENT)

    @property
    def hub_server_cert(self) -> Path:
        """The hub's own HTTPS server certificate (what service-qa.hubject.com presents)."""
        return self._cert(HUB_SERVER)

    @property
    def hub_server_key(self) -> Path:
        return self._key(HUB_SERVER)

    @property
    def cpo_server_cert(self) -> Path:
        """The CPO backend's server certificate, issued by the mock intermediate."""
        return self._cert(CPO_SERVER)

    @property
    def cpo_server_key(self) -> Path:
        return self._key(CPO_SERVER)

    @property
    def cpo_user_server_cert(self) -> Path:
        """A self-signed CPO server certificate: what a CPO uploads as "User certificate"."""
        return self._cert(CPO_USER_SERVER)

    @property
    def cpo_user_server_key(self) -> Path:
        return self._key(CPO_USER_SERVER)

    @property
    def cpo_client_cert(self) -> Path:
        """The CPO's client certificate for its OperatorID, signed by the mock intermediate."""
        return self._cert(CPO_CLIENT)

    @property
    def cpo_client_key(self) -> Path:
        return self._key(CPO_CLIENT)

    def all_paths(self) -> list[Path]:
        """Every file of the PKI, trust anchors and CA keys first."""
        leaves = (HUB_CLIENT, HUB_SERVER, CPO_SERVER, CPO_USER_SERVER, CPO_CLIENT)
        pairs = [path for stem in leaves for path in (self._cert(stem), self._key(stem))]
        return [self.hubject_ca, self.root_key, self.intermediate_key, *pairs]

    def exists(self) -> bool:
        """True when every file of the PKI is present."""
        return not self.missing()

    def missing(self) -> list[str]:
        """The paths (as strings) of the files that are not there, in :meth:`all_paths` order."""
        return [str(path) for path in self.all_paths() if not path.is_file()]

    @property
    def previous_intermediate_cert(self) -> Path:
        """The intermediate a rotation replaced, alone: what a backend that trusts only the
        old intermediate was given (written by ``hubsim pki renew intermediate``)."""
        return self.directory / f"hubject-intermediate.{PREVIOUS}.pem"

    def previous(self, path: Path) -> Path:
        """Where a renewal keeps the file ``path`` it replaced: ``hub-client.previous.pem``."""
        return path.with_name(f"{path.stem}.{PREVIOUS}{path.suffix}")

    def require(self, needed: Iterable[Path] | None = None) -> None:
        """Raise PKIError naming this folder and each of ``needed`` (default: all) absent.

        The one message every command gives for a wrong ``--pki`` folder.
        """
        paths = list(needed) if needed is not None else self.all_paths()
        absent = [path.name for path in paths if not path.is_file()]
        if not absent:
            return
        create = f"create it with 'hubsim pki init --dir {self.directory}'"
        if self.directory.exists() and not self.directory.is_dir():
            raise PKIError(
                f"the PKI folder {self.directory} is a file, not a folder; pass the folder "
                "that 'hubsim pki init' wrote"
            )
        if not self.directory.is_dir():
            raise PKIError(f"the PKI folder {self.directory} does not exist; {create}")
        raise PKIError(
            f"the PKI folder {self.directory} lacks {', '.join(absent)}; {create}, or pass "
            "the folder that 'hubsim pki init' wrote"
        )

    def _cert(self, stem: str) -> Path:
        return self.directory / f"{stem}.pem"

    def _key(self, stem: str) -> Path:
        return self.directory / f"{stem}.key"


def write_public(path: Path, data: bytes) -> None:
    """Write a certificate file."""
    path.write_bytes(data)


def write_secret(path: Path, data: bytes) -> None:
    """Write a private key readable by its owner only (mode 0o600), also when the file existed."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, SECRET_MODE)
    with os.fdopen(descriptor, "wb") as stream:
        os.fchmod(stream.fileno(), SECRET_MODE)
        stream.write(data)
