"""The stacks of the backend matrix and how each one is started for a :class:`BackendSpec`.

Each stack says what it can do (answers, TLS versions, client-certificate modes); a spec it
cannot serve raises :class:`Unsupported`, so that a matrix skips that cell by name.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.backends.materials import Materials
from tests.backends.process import BackendProcess, free_port
from tests.backends.spec import (
    ACK_BODY,
    SLOW_S,
    Answer,
    BackendSpec,
    ServerCert,
    Verify,
    Versions,
)

REPO = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"
HAPROXY = "/usr/sbin/haproxy"
_STATIC_ANSWERS = frozenset({Answer.ACK, Answer.STATUS_500, Answer.NOT_JSON})
_ALL_ANSWERS = frozenset(Answer) - {Answer.NOT_ROUTED}
_MODERN = frozenset({Versions.MODERN, Versions.TLS13, Versions.TLS12})
# Answers a TLS terminator (nginx, HAProxy) passes on from an application behind it.
_PROXIED_ANSWERS = frozenset({Answer.ECHO, Answer.SLOW})


class Unsupported(Exception):
    """This stack cannot be set up as the spec asks."""


Launcher = Callable[[BackendSpec, Materials, Path], BackendProcess]


@dataclass(frozen=True)
class Stack:
    name: str
    launch: Launcher
    answers: frozenset[Answer]
    versions: frozenset[Versions]
    verify: frozenset[Verify] = frozenset(Verify)
    certs: frozenset[ServerCert] = frozenset(ServerCert)
    plain: bool = True

    def supports(self, spec: BackendSpec) -> bool:
        if spec.answer not in self.answers:
            return False
        if spec.tls is None:
            return self.plain
        tls = spec.tls
        return (
            tls.versions in self.versions and tls.verify in self.verify and tls.cert in self.certs
        )


def start_backend(stack: Stack, spec: BackendSpec, materials: Materials) -> BackendProcess:
    """Start ``stack`` as ``spec`` says; the caller stops it (it is a context manager)."""
    if not stack.supports(spec):
        raise Unsupported(f"{stack.name} cannot serve {spec}")
    workdir = Path(tempfile.mkdtemp(prefix=f"{stack.name}-", dir=materials.directory))
    return stack.launch(spec, materials, workdir).start()


# --- nginx ------------------------------------------------------------------------------------

_NGINX_VERSIONS = {
    Versions.MODERN: "TLSv1.2 TLSv1.3",
    Versions.TLS13: "TLSv1.3",
    Versions.TLS12: "TLSv1.2",
}
_NGINX_VERIFY = {Verify.REQUIRED: "on", Verify.OPTIONAL: "optional"}


def _nginx_return(answer: Answer) -> str:
    if answer is Answer.STATUS_500:
        return "default_type text/plain; return 500 'boom';"
    if answer is Answer.NOT_JSON:
        return "default_type text/plain; return 200 'hello, not JSON';"
    return f"default_type application/json; return 200 '{ACK_BODY}';"


def _nginx(spec: BackendSpec, materials: Materials, workdir: Path) -> BackendProcess:
    port = free_port()
    companions: list[BackendProcess] = []
    location = _nginx_return(spec.answer)
    if spec.answer in _PROXIED_ANSWERS:
        # nginx as the TLS front of an application, the usual CPO deployment.
        app = _application(spec.answer, materials, workdir)
        companions.append(app)
        location = f"proxy_pass http://127.0.0.1:{app.port};"
    locations = f"location / {{ {location} }}"
    if spec.answer is Answer.NOT_ROUTED:  # a typical slip: only the team's own prefix routed
        locations = (
            f"location /oicp/ {{ {_nginx_return(Answer.ACK)} }} location / {{ return 404; }}"
        )
    tls_lines, listen = "", f"listen 127.0.0.1:{port};"
    if spec.tls is not None:
        cert, key = materials.server_cert(spec.tls.cert)
        listen = f"listen 127.0.0.1:{port} ssl;"
        tls_lines = (
            f"ssl_certificate {cert}; ssl_certificate_key {key}; "
            f"ssl_protocols {_NGINX_VERSIONS[spec.tls.versions]};"
        )
        if spec.tls.verify is not Verify.NONE:
            tls_lines += (
                f" ssl_client_certificate {materials.client_ca}; ssl_verify_depth 3;"
                f" ssl_verify_client {_NGINX_VERIFY[spec.tls.verify]};"
            )
    temp = " ".join(
        f"{kind}_temp_path {workdir}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = workdir / "nginx.conf"
    conf.write_text(
        f"worker_processes 1; pid {workdir}/nginx.pid; error_log {workdir}/error.log warn;\n"
        "events { worker_connections 512; }\n"
        f"http {{ access_log off; {temp}\n"
        f"  server {{ {listen} server_name localhost; {tls_lines}\n"
        f"    {locations} }} }}\n"
    )
    argv = [NGINX, "-p", str(workdir), "-c", str(conf), "-g", "daemon off;"]
    scheme = "http" if spec.tls is None else "https"
    nginx = BackendProcess("nginx", argv, scheme=scheme, port=port, cwd=workdir)
    nginx.companions = companions
    return nginx


# --- HAProxy ----------------------------------------------------------------------------------

_HAPROXY_VERSIONS = {
    Versions.MODERN: "ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3",
    Versions.TLS13: "ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.3",
    Versions.TLS12: "ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2",
}


def _haproxy_return(answer: Answer) -> str:
    if answer is Answer.STATUS_500:
        return "http-request return status 500 content-type text/plain string boom"
    if answer is Answer.NOT_JSON:
        return "http-request return status 200 content-type text/plain string 'hello, not JSON'"
    return f"http-request return status 200 content-type application/json string '{ACK_BODY}'"


def _application(answer: Answer, materials: Materials, workdir: Path) -> BackendProcess:
    """The plain-HTTP aiohttp application a TLS terminator forwards to, already started."""
    return _python("aiohttp")(BackendSpec(None, answer), materials, workdir).start()


def _haproxy(spec: BackendSpec, materials: Materials, workdir: Path) -> BackendProcess:
    port = free_port()
    companions: list[BackendProcess] = []
    route = _haproxy_return(spec.answer)
    backend = ""
    if spec.answer in _PROXIED_ANSWERS:
        # HAProxy as the TLS front of an application, forwarding over plain HTTP.
        app = _application(spec.answer, materials, workdir)
        companions.append(app)
        route = "default_backend app"
        backend = f"backend app\n  server app 127.0.0.1:{app.port}\n"
    bind = f"bind 127.0.0.1:{port}"
    if spec.tls is not None:
        bind += (
            f" ssl crt {materials.combined(spec.tls.cert)} {_HAPROXY_VERSIONS[spec.tls.versions]}"
        )
        if spec.tls.verify is not Verify.NONE:
            bind += f" ca-file {materials.client_ca} verify {spec.tls.verify.value}"
    conf = workdir / "haproxy.cfg"
    conf.write_text(
        "global\n  nbthread 1\n"
        "defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n"
        f"frontend cpo\n  {bind}\n  {route}\n{backend}"
    )
    scheme = "http" if spec.tls is None else "https"
    haproxy = BackendProcess("haproxy", [HAPROXY, "-db", "-f", str(conf)], scheme=scheme, port=port)
    haproxy.companions = companions
    return haproxy


# --- openssl s_server -------------------------------------------------------------------------

_OPENSSL_VERSIONS = {
    Versions.MODERN: [],
    Versions.TLS13: ["-tls1_3"],
    Versions.TLS12: ["-tls1_2"],
    Versions.TLS11: ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
}


def _openssl(spec: BackendSpec, materials: Materials, workdir: Path) -> BackendProcess:
    assert spec.tls is not None
    cert, key = materials.server_cert(spec.tls.cert)
    argv = ["openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", str(cert), "-key", str(key)]
    argv += ["-cert_chain", str(cert), *_OPENSSL_VERSIONS[spec.tls.versions], "-www"]
    if spec.tls.verify is not Verify.NONE:
        flag = "-Verify" if spec.tls.verify is Verify.REQUIRED else "-verify"
        argv += ["-CAfile", str(materials.client_ca), flag, "3", "-verify_return_error"]
    return BackendProcess("openssl", argv, ready_pattern=r"^ACCEPT 127\.0\.0\.1:(\d+)")


# --- Node, Python, hubsim stub ----------------------------------------------------------------


def _node(spec: BackendSpec, materials: Materials, workdir: Path) -> BackendProcess:
    config: dict[str, object] = {
        "ack": ACK_BODY,
        "answer": spec.answer.value,
        "slow_ms": int(SLOW_S * 1000),
        "plain": spec.tls is None,
    }
    if spec.tls is not None:
        cert, key = materials.server_cert(spec.tls.cert)
        config |= {
            "cert": str(cert),
            "key": str(key),
            "ca": str(materials.client_ca),
            "verify": spec.tls.verify.value,
            "versions": spec.tls.versions.value,
        }
    argv = ["node", str(Path(__file__).with_name("node_server.js")), json.dumps(config)]
    return BackendProcess(
        "node", argv, scheme="https" if spec.tls else "http", ready_pattern=r"^READY (\d+)"
    )


def _python(mode: str, *extra: str) -> Launcher:
    def launch(spec: BackendSpec, materials: Materials, workdir: Path) -> BackendProcess:
        argv = [sys.executable, "-m", "tests.backends.pyserver", "--mode", mode, *extra]
        argv += ["--answer", spec.answer.value]
        if spec.tls is None:
            argv.append("--plain")
        else:
            cert, key = materials.server_cert(spec.tls.cert)
            argv += ["--cert", str(cert), "--key", str(key), "--ca", str(materials.client_ca)]
            argv += ["--verify", spec.tls.verify.value, "--versions", spec.tls.versions.value]
        scheme = "https" if spec.tls else "http"
        return BackendProcess(mode, argv, scheme=scheme, ready_pattern=r"^READY (\d+)", cwd=REPO)

    return launch


def start_aiohttp(spec: BackendSpec, materials: Materials, *extra: str) -> BackendProcess:
    """The aiohttp backend with extra ``pyserver`` flags (``--hold N``, ``--slow-s S``)."""
    workdir = Path(tempfile.mkdtemp(prefix="aiohttp-", dir=materials.directory))
    return _python("aiohttp", *extra)(spec, materials, workdir).start()


def _stub(spec: BackendSpec, materials: Materials, workdir: Path) -> BackendProcess:
    assert spec.tls is not None
    argv = [sys.executable, "-m", "hubsim", "stub", "serve", "--pki", str(materials.pki.directory)]
    argv += ["--port", "0"]
    if spec.tls.cert is ServerCert.USER:
        argv.append("--user-cert")
    return BackendProcess(
        "stub", argv, ready_pattern=r"CPO stub listening on https://127\.0\.0\.1:(\d+)", cwd=REPO
    )


STACKS: dict[str, Stack] = {
    stack.name: stack
    for stack in (
        Stack("nginx", _nginx, _STATIC_ANSWERS | _PROXIED_ANSWERS | {Answer.NOT_ROUTED}, _MODERN),
        Stack("haproxy", _haproxy, _STATIC_ANSWERS | _PROXIED_ANSWERS, _MODERN),
        Stack(
            "openssl",
            _openssl,
            frozenset({Answer.NOT_JSON}),  # its -www status page is HTML
            frozenset(Versions),
            plain=False,
        ),
        Stack("node", _node, _STATIC_ANSWERS | {Answer.SLOW}, _MODERN),
        Stack("blocking", _python("blocking"), _ALL_ANSWERS - {Answer.ECHO}, frozenset(Versions)),
        Stack("aiohttp", _python("aiohttp"), _ALL_ANSWERS, frozenset(Versions)),
        Stack(
            "stub",
            _stub,
            frozenset({Answer.ACK}),
            frozenset({Versions.MODERN}),
            verify=frozenset({Verify.REQUIRED}),
            certs=frozenset({ServerCert.GOOD, ServerCert.USER}),
            plain=False,
        ),
    )
}
