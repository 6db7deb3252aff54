"""Copy-paste ``curl`` reproducers for one request the hub (or the tolerance pack, or
``hubsim fuzz``) sent, with the hub's client certificate and the trust it applied.

A finding is only useful when the CPO's developer can send the very same bytes again
without hubsim; the command therefore carries ``--cert``, ``--key`` and ``--cacert``, every
header as sent, and the body byte for byte.
"""

from __future__ import annotations

import hashlib
import shlex
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from simulator.tls import ClientIdentity, ServerTrust

# Printed after the body, so that a script (or a test) can read the status on the last line.
WRITE_OUT = r"\nHTTP %{http_code}\n"


@dataclass(frozen=True)
class CurlTLS:
    """The files curl needs: the hub's service certificate and key, and what to trust."""

    cert: Path
    key: Path
    cacert: Path

    @classmethod
    def for_trust(
        cls, identity: ClientIdentity, trust: ServerTrust, hubject_ca: Path | None
    ) -> CurlTLS:
        """The PKI folder's ``hubject-ca.pem`` in Hubject certificate mode; otherwise the
        trusted uploads, written once to a file named after their digest (they live in the
        hub's database, and curl needs a file)."""
        if hubject_ca is not None and trust.mode.slug == "hubject":
            return cls(identity.cert_chain, identity.key, hubject_ca)
        return cls(identity.cert_chain, identity.key, _anchors_file(trust))


def _anchors_file(trust: ServerTrust) -> Path:
    text = "".join(pem if pem.endswith("\n") else pem + "\n" for pem in trust.anchors_pem)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"hubsim-trust-{digest}.pem"
    if not path.exists():
        path.write_text(text)
    return path


def curl_command(
    url: str, headers: Mapping[str, str], body: bytes, tls: CurlTLS, *, timeout_s: float = 10.0
) -> str:
    """One shell line that POSTs ``body`` to ``url`` with ``headers`` over mutual TLS.

    ``--path-as-is`` and ``--globoff`` keep the path exactly as sent (a literal ``*`` or a
    ``%2A``); ``--http1.1`` is what the hub speaks; ``--max-time`` is the hub's timeout, so
    an endpoint that never answers makes curl give up as the hub did.
    """
    parts = [
        "curl",
        "--silent",
        "--show-error",
        "--http1.1",
        "--path-as-is",
        "--globoff",
        "--cert",
        str(tls.cert),
        "--key",
        str(tls.key),
        "--cacert",
        str(tls.cacert),
        "--max-time",
        f"{timeout_s:g}",
        "--write-out",
        WRITE_OUT,
    ]
    for name, value in headers.items():
        parts += ["-H", f"{name}: {value}"]
    parts += ["--data-binary", body.decode("utf-8", errors="replace"), url]
    return " ".join(shlex.quote(part) for part in parts)
