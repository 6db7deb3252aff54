"""The backend matrix: which situations each stack is put in, and what the hub must say.

Each :class:`Case` is a backend set-up plus how the hub calls it (its PKI, the certification
mode, the timeout) and the expected ``hubsim send`` outcome and ``hubsim check`` layer
statuses. :func:`run_cell` runs one case against a running backend, in-process; the tests and
``bench/matrix.py`` both use it, the backends being separate processes either way.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from oicp import Operation
from simulator.check import CheckOptions, CheckReport, check_one_shot
from simulator.model import ServiceType
from simulator.oneshot import ServerCertChoice, send_one_shot
from simulator.requests import SendParams
from tests.backends.materials import Materials
from tests.backends.process import BackendProcess
from tests.backends.spec import Answer, BackendSpec, ServerCert, TLSSpec, Verify, Versions
from tests.backends.stacks import STACKS, Stack

_SKIP_AFTER_TLS = dict.fromkeys(
    ("server_certificate", "client_certificate", "http", "body", "semantics", "latency"), "SKIP"
) | {"round_trip": "SKIP"}
_SKIP_AFTER_SERVER_CERT = {k: v for k, v in _SKIP_AFTER_TLS.items() if k != "server_certificate"}
_SKIP_AFTER_CLIENT_CERT = {
    k: v for k, v in _SKIP_AFTER_SERVER_CERT.items() if k != "client_certificate"
}


@dataclass(frozen=True)
class Case:
    name: str
    spec: BackendSpec
    outcome: str  # the expected ``hubsim send`` outcome
    layers: dict[str, str]  # the expected status of each layer named
    foreign_client: bool = False  # the hub presents a certificate from a foreign CA
    user_cert: bool = False  # User certificate mode, trusting cpo-user-server.pem
    timeout_s: float = 5.0
    refusal: bool = False  # a refusal case: runs at least 5 times in the suite


_GOOD_LAYERS = {
    "tls": "PASS",
    "server_certificate": "PASS",
    "client_certificate": "PASS",
    "http": "PASS",
    "body": "PASS",
    "latency": "PASS",
}
_USER = TLSSpec(cert=ServerCert.USER)

CASES: tuple[Case, ...] = (
    Case("good", BackendSpec(), "accepted", _GOOD_LAYERS),
    Case("good (User certificate)", BackendSpec(_USER), "accepted", _GOOD_LAYERS, user_cert=True),
    Case(
        "client certificate optional",
        BackendSpec(TLSSpec(verify=Verify.OPTIONAL)),
        "accepted",
        _GOOD_LAYERS | {"client_certificate": "WARN"},
    ),
    Case(
        "hub certificate refused",
        BackendSpec(),
        "client_cert_refused",
        {"tls": "PASS", "server_certificate": "PASS", "client_certificate": "FAIL"}
        | _SKIP_AFTER_CLIENT_CERT,
        foreign_client=True,
        refusal=True,
    ),
    Case(
        "hub certificate refused (TLS 1.2)",
        BackendSpec(TLSSpec(versions=Versions.TLS12)),
        "client_cert_refused",
        {"tls": "PASS", "server_certificate": "PASS", "client_certificate": "FAIL"}
        | _SKIP_AFTER_CLIENT_CERT,
        foreign_client=True,
        refusal=True,
    ),
    Case(
        "hub certificate refused (TLS 1.3)",
        BackendSpec(TLSSpec(versions=Versions.TLS13)),
        "client_cert_refused",
        {"tls": "PASS", "server_certificate": "PASS", "client_certificate": "FAIL"}
        | _SKIP_AFTER_CLIENT_CERT,
        foreign_client=True,
        refusal=True,
    ),
    Case(
        "untrusted server certificate (Hubject mode)",
        BackendSpec(_USER),
        "server_cert_untrusted",
        {"tls": "PASS", "server_certificate": "FAIL"} | _SKIP_AFTER_SERVER_CERT,
    ),
    Case(
        "untrusted server certificate (User mode)",
        BackendSpec(),
        "server_cert_untrusted",
        {"tls": "PASS", "server_certificate": "FAIL"} | _SKIP_AFTER_SERVER_CERT,
        user_cert=True,
    ),
    Case(
        "expired server certificate",
        BackendSpec(TLSSpec(cert=ServerCert.EXPIRED)),
        "server_cert_expired",
        {"tls": "PASS", "server_certificate": "FAIL"} | _SKIP_AFTER_SERVER_CERT,
    ),
    Case(
        "wrong host",
        BackendSpec(TLSSpec(cert=ServerCert.WRONG_HOST)),
        "hostname_mismatch",
        {"tls": "PASS", "server_certificate": "FAIL"} | _SKIP_AFTER_SERVER_CERT,
    ),
    Case(
        "TLS 1.1 only, client certificate required",
        BackendSpec(TLSSpec(versions=Versions.TLS11)),
        "tls_version",
        {"tls": "FAIL"} | _SKIP_AFTER_TLS,
    ),
    Case("plain HTTP", BackendSpec(None), "plain_http", {"tls": "FAIL"} | _SKIP_AFTER_TLS),
    Case(
        "HTTP 500",
        BackendSpec(answer=Answer.STATUS_500),
        "http_status",
        {"client_certificate": "PASS", "http": "FAIL", "body": "SKIP", "latency": "PASS"},
    ),
    Case(
        "not JSON",
        BackendSpec(answer=Answer.NOT_JSON),
        "not_json",
        {"client_certificate": "PASS", "body": "FAIL", "semantics": "SKIP"},
    ),
    Case(
        "slower than the timeout",
        BackendSpec(answer=Answer.SLOW),
        "timeout",
        {"http": "SKIP", "body": "SKIP", "latency": "FAIL", "round_trip": "SKIP"},
        timeout_s=1.0,
    ),
    Case(
        "closes without answering",
        BackendSpec(answer=Answer.CLOSE),
        "connection_closed",
        {"client_certificate": "PASS", "http": "FAIL", "body": "SKIP"},
    ),
    Case(
        "not HTTP",
        BackendSpec(answer=Answer.NOT_HTTP),
        "not_http",
        {"client_certificate": "PASS", "http": "FAIL", "body": "SKIP"},
    ),
    Case(
        "100 KB header",
        BackendSpec(answer=Answer.BIG_HEADER),
        "header_too_large",
        {"client_certificate": "PASS", "http": "FAIL", "body": "SKIP"},
    ),
    Case(
        "JSON nested 5,000 deep",
        BackendSpec(answer=Answer.DEEP),
        "invalid_acknowledgement",
        {"http": "PASS", "body": "FAIL", "semantics": "SKIP"},
    ),
    Case(
        "3 MiB answer",
        BackendSpec(answer=Answer.HUGE),
        "answer_too_large",
        {"client_certificate": "PASS", "http": "FAIL", "body": "SKIP"},
    ),
)


# openssl s_server's -www mode answers GET only (a POST waits forever): it serves the cases
# decided in the TLS layers.
_TLS_OUTCOMES = frozenset(
    {
        "client_cert_refused",
        "tls_version",
        "server_cert_untrusted",
        "server_cert_expired",
        "hostname_mismatch",
    }
)


def cells(stacks: dict[str, Stack] = STACKS) -> list[tuple[Case, Stack]]:
    """Every (case, stack) pair the stack can serve."""
    return [
        (case, stack)
        for case, stack in itertools.product(CASES, stacks.values())
        if stack.supports(_spec_for(case, stack))
        and (stack.name != "openssl" or case.outcome in _TLS_OUTCOMES)
    ]


def _spec_for(case: Case, stack: Stack) -> BackendSpec:
    # openssl's -www page is the only answer it has: its "accepted" shows as not JSON.
    if stack.name == "openssl" and case.spec.answer is Answer.ACK:
        return BackendSpec(case.spec.tls, Answer.NOT_JSON)
    return case.spec


def spec_for(case: Case, stack: Stack) -> BackendSpec:
    return _spec_for(case, stack)


@dataclass(frozen=True)
class CellResult:
    outcome: str
    detail: str
    layers: dict[str, str]
    check_ok: bool
    tls_protocol: str | None = None  # what the send's exchange says of its handshake

    def signature(self, case: Case) -> str:
        """The outcome, and the check's statuses for the layers the case names."""
        shown = ",".join(f"{key}={self.layers[key]}" for key in case.layers)
        return f"{self.outcome} | {shown}"


_COUNTER = itertools.count(1)


async def run_cell(
    case: Case, backend: BackendProcess, materials: Materials, *, check: bool = True
) -> CellResult:
    """Send one remote start to ``backend`` as ``case`` says, then check it (one-shot mode)."""
    pki = materials.foreign_pki if case.foreign_client else materials.pki
    choice = (
        ServerCertChoice.parse(f"user:{materials.pki.cpo_user_server_cert}")
        if case.user_cert
        else ServerCertChoice.parse("hubject")
    )
    service_url = f"https://localhost:{backend.port}/cpo-backend"  # https also on a plain port
    evse = f"DE*ABC*E{next(_COUNTER):04d}"  # the stub would refuse a second start on one EVSE
    exchange = await send_one_shot(
        service_url,
        choice,
        pki.directory,
        Operation.AUTHORIZE_REMOTE_START,
        SendParams(evse, "DE*ICE"),
        timeout_s=case.timeout_s,
    )
    layers: dict[str, str] = {}
    ok = True
    if check:
        report = await check_report(service_url, choice, pki.directory, case, evse)
        layers = {layer.key: layer.status.value for layer in report.layers}
        ok = report.ok
    tls = exchange.tls.protocol if exchange.tls else None
    return CellResult(exchange.outcome.value, exchange.detail, layers, ok, tls)


async def check_report(
    service_url: str, choice: ServerCertChoice, pki_dir: Path, case: Case, evse: str
) -> CheckReport:
    options = CheckOptions(timeout_s=case.timeout_s, evse_id=evse)
    return await check_one_shot(service_url, choice, pki_dir, ServiceType.AUTHORIZATION, options)
