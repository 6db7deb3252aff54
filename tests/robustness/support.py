"""Real processes for the robustness tests: the CPO stub, the seeded backend, nginx, node.

Each is started as its own process and waited for by what it prints or by its port
accepting connections, never by sleeping a fixed time. nginx runs non-daemon with its own
prefix and configuration in a temporary folder. (The reusable launchers of issue 12's
``tests/backends/`` had not landed on main when these were written.)
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NGINX = "/usr/sbin/nginx"
NODE = "/usr/bin/node"
STARTUP_S = 60.0


@dataclass
class Process:
    proc: subprocess.Popen[str]
    url: str


def _read_until(proc: subprocess.Popen[str], marker: str) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            err = proc.stderr.read() if proc.stderr else ""
            raise AssertionError(f"{proc.args} exited before printing {marker!r}: {err}")
        if marker in line:
            return line
    raise AssertionError(f"{proc.args} printed no {marker!r}")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return env


def _popen(args: list[str], cwd: Path | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        cwd=cwd,
    )


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


@contextmanager
def stub_process(pki_dir: Path, *, user_cert: bool = False) -> Iterator[Process]:
    """``python -m hubsim stub serve`` on a free port (``--user-cert``: the self-signed one)."""
    args = [sys.executable, "-m", "hubsim", "stub", "serve", "--pki", str(pki_dir), "--port", "0"]
    proc = _popen([*args, "--user-cert"] if user_cert else args)
    try:
        line = _read_until(proc, "listening on")
        url = line.split(" on ")[1].split()[0].replace("127.0.0.1", "localhost")
        yield Process(proc, url)
    finally:
        _stop(proc)


@contextmanager
def seeded_backend(bugs: list[str], tls_pki: Path | None = None) -> Iterator[Process]:
    """The seeded backend; plain HTTP, or mutual TLS itself with ``tls_pki``."""
    args = [sys.executable, str(HERE / "seeded_backend.py"), "--bugs", ",".join(bugs)]
    if tls_pki is not None:
        args += ["--tls", str(tls_pki)]
    proc = _popen(args)
    try:
        port = int(_read_until(proc, "listening on").split()[-1])
        scheme = "https" if tls_pki else "http"
        host = "localhost" if tls_pki else "127.0.0.1"
        yield Process(proc, f"{scheme}://{host}:{port}")
    finally:
        _stop(proc)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[str]) -> None:
    """Until the port accepts a TCP connection (or the process has died)."""
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            raise AssertionError(f"nginx exited: {err}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.02)  # polling a condition, not synchronising on time
    raise AssertionError(f"nothing listens on port {port}")


NGINX_CONF = """
worker_processes 1;
error_log {dir}/error.log info;
pid {dir}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name localhost;
        ssl_certificate {pki}/cpo-server.pem;
        ssl_certificate_key {pki}/cpo-server.key;
        ssl_client_certificate {pki}/hubject-ca.pem;
        ssl_verify_client on;
        ssl_verify_depth 3;
        location / {{
            proxy_pass {upstream};
            proxy_http_version 1.1;
        }}
    }}
}}
"""


@contextmanager
def nginx_in_front(upstream: str, pki_dir: Path, folder: Path) -> Iterator[Process]:
    """nginx terminating mutual TLS (mock Hubject CA) and proxying to ``upstream``."""
    folder.mkdir(parents=True, exist_ok=True)
    for attempt in range(5):
        port = free_port()
        conf = folder / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=folder, port=port, pki=pki_dir, upstream=upstream))
        proc = _popen([NGINX, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"])
        try:
            _wait_for_port(port, proc)
        except AssertionError:
            _stop(proc)
            if attempt == 4:
                raise
            continue  # the port was taken between choosing and binding: choose again
        try:
            yield Process(proc, f"https://localhost:{port}")
        finally:
            _stop(proc)
        return


RECORDER_JS = r"""
const https = require('https');
const fs = require('fs');
const [cert, key, ca, log] = process.argv.slice(2);
let answered = 0;
const server = https.createServer(
  {cert: fs.readFileSync(cert), key: fs.readFileSync(key), ca: fs.readFileSync(ca),
   requestCert: true, rejectUnauthorized: true},
  (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      fs.appendFileSync(log, JSON.stringify(
        {method: req.method, url: req.url, rawHeaders: req.rawHeaders, body}) + '\n');
      let sessionId = null;
      try { sessionId = JSON.parse(body).SessionID ?? null; } catch (e) {}
      answered += 1;
      res.writeHead(200, {'Content-Type': 'application/json'});
      res.end(JSON.stringify({Result: true, StatusCode: {Code: '000'}, SessionID: sessionId,
                              CPOPartnerSessionID: 'REC-' + answered}));
    });
  });
server.listen(0, '127.0.0.1', () => console.log('recorder listening on ' + server.address().port));
"""


@dataclass
class Recorder:
    """An independent HTTPS server (node) that writes down every request exactly."""

    url: str
    log: Path

    def requests(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


@contextmanager
def node_recorder(pki_dir: Path, folder: Path) -> Iterator[Recorder]:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "recorder.js"
    script.write_text(RECORDER_JS)
    log = folder / "requests.jsonl"
    args = [
        NODE,
        str(script),
        str(pki_dir / "cpo-server.pem"),
        str(pki_dir / "cpo-server.key"),
        str(pki_dir / "hubject-ca.pem"),
        str(log),
    ]
    proc = _popen(args)
    try:
        port = int(_read_until(proc, "listening on").split()[-1])
        yield Recorder(f"https://localhost:{port}", log)
    finally:
        _stop(proc)


def hubsim(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``python -m hubsim ARGS`` and return its exit code and output."""
    return subprocess.run(
        [sys.executable, "-m", "hubsim", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(),
    )


def run_curl(command: str) -> subprocess.CompletedProcess[str]:
    """Run a printed curl reproducer as a user pastes it into a shell."""
    assert command.startswith("curl "), command
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)


def parse_curl(command: str) -> tuple[str, dict[str, str], str]:
    """The URL, headers and body a printed curl command sends."""
    parts = shlex.split(command)
    headers = dict(parts[i + 1].split(": ", 1) for i, p in enumerate(parts) if p == "-H")
    body = parts[parts.index("--data-binary") + 1]
    return parts[-1], headers, body
