"""Renew certificates in a PKI folder, keeping each replaced file beside the new one.

Renewal day in production: Hubject renews its service certificate (new key and serial, same
name), rotates its intermediate under the same root (the real one ends on 2028-01-16), or a
CPO replaces its server certificate. :func:`renew_pki_dir` does each of these to a folder
written by ``hubsim pki init`` and keeps every replaced file as ``NAME.previous.pem`` /
``NAME.previous.key``, so that a test can point a backend (or the hub) at either generation.
Only one generation back is kept: a second renewal replaces the ``.previous`` files.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path

from mockpki.errors import PKIError
from mockpki.expiry import require_future
from mockpki.files import PKIFiles, write_public, write_secret
from mockpki.pki import MockHubjectPKI


class RenewalTarget(Enum):
    """What ``hubsim pki renew`` renews; the values are the command's words."""

    HUB_CLIENT = "hub-client"
    INTERMEDIATE = "intermediate"
    CPO_SERVER = "cpo-server"
    CPO_USER_SERVER = "cpo-user-server"
    HUB_SERVER = "hub-server"

    @classmethod
    def from_text(cls, text: str) -> RenewalTarget:
        try:
            return cls(text)
        except ValueError:
            choices = ", ".join(t.value for t in cls)
            raise PKIError(f"cannot renew {text!r}: choose one of {choices}") from None


@dataclass(frozen=True)
class Renewal:
    """What a renewal changed: the files rewritten and where their previous content went."""

    target: RenewalTarget
    files: PKIFiles
    replaced: tuple[tuple[Path, Path], ...]  # (new file, previous file)
    pki: MockHubjectPKI  # the PKI after the renewal

    @property
    def written(self) -> tuple[Path, ...]:
        return tuple(new for new, _ in self.replaced)


_Leaves = tuple[str, ...]
# Which leaves each renewal re-issues (attribute names of MockHubjectPKI and PKIFiles stems).
_LEAVES: dict[RenewalTarget, _Leaves] = {
    RenewalTarget.HUB_CLIENT: ("hub_client",),
    RenewalTarget.HUB_SERVER: ("hub_server",),
    RenewalTarget.CPO_SERVER: ("cpo_server",),
    RenewalTarget.CPO_USER_SERVER: ("cpo_user_server",),
    RenewalTarget.INTERMEDIATE: ("hub_client", "hub_server", "cpo_server", "cpo_client"),
}


def renew_pki(
    pki: MockHubjectPKI, target: RenewalTarget, not_after: datetime | None = None
) -> MockHubjectPKI:
    """The PKI with ``target`` renewed, in memory (see the ``renew_*`` methods)."""
    operations: dict[RenewalTarget, Callable[..., MockHubjectPKI]] = {
        RenewalTarget.HUB_CLIENT: pki.renew_hub_client,
        RenewalTarget.HUB_SERVER: pki.renew_hub_server,
        RenewalTarget.CPO_SERVER: pki.renew_cpo_server,
        RenewalTarget.CPO_USER_SERVER: pki.renew_cpo_user_server,
        RenewalTarget.INTERMEDIATE: pki.rotate_intermediate,
    }
    return operations[target](not_after=not_after)


def renew_pki_dir(
    directory: Path, target: RenewalTarget, *, not_after: datetime | None = None
) -> Renewal:
    """Renew ``target`` in the PKI folder ``directory``; keep the replaced files as .previous.

    Refuses a folder that is not a complete mock PKI and an expiry that is not in the future,
    before touching any file.
    """
    files = PKIFiles(Path(directory))
    _require_pki(files)
    require_future(not_after, field="the expiry")
    before = MockHubjectPKI.load(files.directory)
    after = renew_pki(before, target, not_after)
    if target is RenewalTarget.INTERMEDIATE:
        write_public(files.previous_intermediate_cert, before.intermediate_cert_pem)
    replaced = [
        _replace(files, path, data, secret)
        for path, data, secret in _contents(files, after, target)
    ]
    return Renewal(target=target, files=files, replaced=tuple(replaced), pki=after)


def _require_pki(files: PKIFiles) -> None:
    if not files.directory.is_dir():
        raise PKIError(
            f"{files.directory} is not a folder: renew works in a mock PKI folder; "
            f"create one with `hubsim pki init --dir {files.directory}`"
        )
    missing = [Path(p).name for p in files.missing()]
    if missing:
        shown = ", ".join(missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        raise PKIError(
            f"{files.directory} is not a mock PKI folder: it lacks {shown}; "
            f"renew works in a folder written by `hubsim pki init --dir {files.directory}`"
        )


def _contents(
    files: PKIFiles, pki: MockHubjectPKI, target: RenewalTarget
) -> list[tuple[Path, bytes, bool]]:
    """(path, new content, is a key) for every file the renewal rewrites."""
    out: list[tuple[Path, bytes, bool]] = []
    if target is RenewalTarget.INTERMEDIATE:
        out.append((files.hubject_ca, pki.ca_chain_pem, False))
        out.append((files.intermediate_key, pki.intermediate.key_pem, True))
    for name in _LEAVES[target]:
        leaf = getattr(pki, name)
        out.append((getattr(files, f"{name}_cert"), leaf.chain_pem, False))
        out.append((getattr(files, f"{name}_key"), leaf.key_pem, True))
    return out


def _replace(files: PKIFiles, path: Path, data: bytes, secret: bool) -> tuple[Path, Path]:
    """Keep ``path`` as its .previous file, then put ``data`` in its place in one rename."""
    previous = files.previous(path)
    writer = write_secret if secret else write_public
    writer(previous, path.read_bytes())
    fresh = path.with_name(f".{path.name}.new")
    writer(fresh, data)
    os.replace(fresh, path)  # readers see the old file or the new one, never half of one
    return path, previous
