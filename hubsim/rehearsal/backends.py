"""The backends a rehearsal runs against, each in its own process: the CPO stub and nginx.

A backend serves one certificate (leaf first, then whatever intermediates it sends) and asks
the hub for a client certificate, trusting the files it is given. A backend that *pins* the
hub's leaf accepts that one certificate only: the stub gets the leaf as its only anchor (each
anchor counts on its own there), nginx checks ``$ssl_client_fingerprint``, as nginx users pin.
nginx cannot anchor on an intermediate alone (OpenSSL without partial chains asks for the root
as well), so "trusts only the old intermediate" is rehearsed on the stub.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from mockpki.inspect import load_pem_chain

NGINX = "/usr/sbin/nginx"
START_TIMEOUT_S = 60.0
BACKEND_KINDS = ("stub", "nginx")

# A remote start acknowledged with Result true: what nginx answers to every request.
_NGINX_ACK = (
    '{"Result": true, "StatusCode": {"Code": "000", "Description": null, '
    '"AdditionalInfo": null}, "SessionID": null, "CPOPartnerSessionID": null, '
    '"EMPPartnerSessionID": null}'
)


class BackendError(Exception):
    """A backend could not be started; the message says why."""


@dataclass(frozen=True)
class BackendSetup:
    """What a backend serves and which client certificates it accepts."""

    server_cert: Path  # leaf first, then the intermediates the server sends
    server_key: Path
    client_ca: Path  # anchors for the hub's client certificate
    pinned_client: Path | None = None  # accept this one leaf only

    def describe(self) -> str:
        trust = (
            f"pins {self.pinned_client.name}"
            if self.pinned_client
            else f"trusts {self.client_ca.name}"
        )
        return f"serves {self.server_cert.name}, {trust}"


class BackendProcess:
    """A running backend process; ``url`` is the Service URL to configure (host localhost)."""

    kind = ""

    def __init__(self, proc: asyncio.subprocess.Process, port: int, scratch: Path) -> None:
        self._proc = proc
        self.port = port
        self._scratch = scratch

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}"

    async def stop(self) -> None:
        if self._proc.returncode is None:
            self._proc.terminate()
            await self._proc.wait()
        shutil.rmtree(self._scratch, ignore_errors=True)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


async def start_backend(kind: str, pki_dir: Path, setup: BackendSetup) -> BackendProcess:
    """Start a ``kind`` backend ("stub" or "nginx") serving ``setup``.

    The backend gets its own copies of the files, as a server has its own: renewing the
    PKI folder afterwards changes nothing for it until it is restarted with new files.
    """
    if kind not in BACKEND_KINDS:
        raise BackendError(f"unknown backend {kind!r}: use one of {', '.join(BACKEND_KINDS)}")
    scratch = Path(tempfile.mkdtemp(prefix=f"rehearse-{kind}-"))
    own = _own_copies(setup, scratch)
    if kind == "stub":
        return await _start_stub(pki_dir, own, scratch)
    return await _start_nginx(own, scratch)


def _own_copies(setup: BackendSetup, scratch: Path) -> BackendSetup:
    def copy(path: Path, name: str) -> Path:
        target = scratch / name
        shutil.copyfile(path, target)
        return target

    pinned = None
    if setup.pinned_client is not None:
        # The pin is the leaf alone: the file's intermediate would be an anchor too.
        pinned = scratch / "pinned.pem"
        leaf = load_pem_chain(setup.pinned_client.read_bytes())[0]
        pinned.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    return BackendSetup(
        server_cert=copy(setup.server_cert, "server.pem"),
        server_key=copy(setup.server_key, "server.key"),
        client_ca=copy(setup.client_ca, "client-ca.pem"),
        pinned_client=pinned,
    )


async def _start_stub(pki_dir: Path, setup: BackendSetup, scratch: Path) -> BackendProcess:
    anchors = setup.pinned_client or setup.client_ca
    args = [
        *("-m", "hubsim", "stub", "serve", "--pki", str(pki_dir), "--port", "0"),
        *("--server-cert", str(setup.server_cert), "--server-key", str(setup.server_key)),
        *("--client-ca", str(anchors)),
    ]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    line = await _line_with(proc.stdout, "CPO stub listening on", "hubsim stub serve")
    port = int(line.rsplit(":", 1)[1])
    return _Stub(proc, port, scratch)


class _Stub(BackendProcess):
    kind = "stub"


async def _start_nginx(setup: BackendSetup, scratch: Path) -> BackendProcess:
    if not Path(NGINX).is_file():
        raise BackendError(
            f"nginx is not installed at {NGINX}: install nginx-light, or use --backend stub"
        )
    port = free_port()
    (scratch / "nginx.conf").write_text(nginx_config(scratch, port, setup))
    proc = await asyncio.create_subprocess_exec(
        NGINX,
        *("-p", str(scratch), "-c", str(scratch / "nginx.conf"), "-e", "stderr"),
        *("-g", "daemon off;"),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    # nginx logs this (at notice level) once its worker accepts connections.
    await _line_with(proc.stderr, "start worker process", "nginx")
    return _Nginx(proc, port, scratch)


class _Nginx(BackendProcess):
    kind = "nginx"


def nginx_config(scratch: Path, port: int, setup: BackendSetup) -> str:
    """A one-server nginx.conf: TLS with client verification, a static acknowledgement."""
    pin = ""
    if setup.pinned_client is not None:
        fingerprint = _sha1_hex(setup.pinned_client)
        pin = f"""
      if ($ssl_client_fingerprint != "{fingerprint}") {{
        return 403 '{{"message": "client certificate not pinned"}}';
      }}"""
    temp = "\n".join(
        f"  {name}_temp_path {scratch}/{name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""worker_processes 1;
error_log stderr notice;
pid {scratch}/nginx.pid;
events {{ worker_connections 64; }}
http {{
  access_log off;
{temp}
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate {setup.server_cert};
    ssl_certificate_key {setup.server_key};
    ssl_client_certificate {setup.client_ca};
    ssl_verify_client on;
    ssl_verify_depth 3;
    location / {{{pin}
      default_type application/json;
      return 200 '{_NGINX_ACK}';
    }}
  }}
}}
"""


def _sha1_hex(path: Path) -> str:
    # nginx's $ssl_client_fingerprint is the SHA-1 of the DER certificate, lower-case hex.
    cert: x509.Certificate = load_pem_chain(path.read_bytes())[0]
    return cert.fingerprint(hashes.SHA1()).hex()


def free_port() -> int:
    """A loopback port the OS says is free now (nginx cannot bind port 0 and report it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _line_with(stream: asyncio.StreamReader, text: str, what: str) -> str:
    """Read ``stream`` up to the line containing ``text``: the process says it is ready."""
    seen: list[str] = []
    while True:
        raw = await asyncio.wait_for(stream.readline(), START_TIMEOUT_S)
        if not raw:
            said = " / ".join(seen[-3:]) or "nothing"
            raise BackendError(f"{what} exited before it was ready; it said: {said}")
        line = raw.decode(errors="replace").strip()
        seen.append(line)
        if text in line:
            return line
