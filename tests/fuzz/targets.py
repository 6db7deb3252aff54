"""The three servers under attack, each a ``hubsim … serve`` process of its own, and their routes.

- the CPO stub (``hubsim stub serve``): the four hub-to-CPO operations, as the hub calls them;
- the hub's OICP endpoints (``hubsim hub serve --oicp-port``): every CPO-facing operation with
  the CPO's certificate, every EMP-facing one with an EMP's;
- the hub's admin API (another ``hubsim hub serve``): the routes that configure the hub.

Bodies come from Hubject's official request schemas, with the sender's own IDs pinned so
that most requests pass the identity checks and reach validation and the business rules.
"""

from __future__ import annotations

import json
import ssl
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from mockpki import MockHubjectPKI, PKIFiles
from oicp.cpo_operations import CPOOperation, cpo_to_hub_path
from oicp.operations import Operation
from oicp.paths import hub_to_cpo_path, path_template
from tests.fuzz.attacks import Route
from tests.fuzz.from_schema import JSON, from_schema, json_values
from tests.fuzz.wire import Answer, WireClient, admin_problem, oicp_problem
from tests.oicp.official import request_schema_named
from tests.portal.support import ServerProcess, start_hub, start_stub

OPERATOR, PROVIDER = "DE*ABC", "DE-ICE"
Judge = Callable[[Answer, str], "str | None"]


@dataclass
class Target:
    """A server process under attack, a client for it, its routes and its answers' rules."""

    name: str
    process: ServerProcess
    client: WireClient
    routes: list[Route]
    judge: Judge

    def output(self) -> str:
        return "".join(self.process.lines)

    def alive(self) -> bool:
        return self.process.proc is not None and self.process.proc.poll() is None

    def stop(self) -> None:
        self.client.close()
        self.process.stop()


def write_pki(directory: Path) -> tuple[MockHubjectPKI, PKIFiles]:
    pki = MockHubjectPKI.create(host="localhost", operator_id=OPERATOR)
    return pki, pki.write(directory)


def _client_context(pki: MockHubjectPKI, cert: Path | None, key: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    pki.configure_trust(context)
    if cert is not None and key is not None:
        context.load_cert_chain(cert, key)
    return context


def _pinned(ids: dict[str, str]) -> Callable[[JSON], JSON]:
    """Set the sender's IDs wherever a body names them at its top or one level down."""

    def pin(body: JSON) -> JSON:
        if not isinstance(body, dict):
            return body
        out = {k: ids.get(k, v) if k in ids else v for k, v in body.items()}
        for key, member in out.items():
            if isinstance(member, dict):
                out[key] = {k: ids.get(k, v) for k, v in member.items()}
        return out

    return pin


def _bodies(
    openapi: dict[str, Any], wire_name: str, ids: dict[str, str]
) -> st.SearchStrategy[JSON]:
    return from_schema(request_schema_named(openapi, wire_name)).map(_pinned(ids))


# --- the stub ----------------------------------------------------------------------------------


def stub_routes(openapi: dict[str, Any]) -> list[Route]:
    routes = []
    for operation in Operation:
        bodies = _bodies(openapi, operation.value, {"ProviderID": PROVIDER})
        for style in ("hubject", "charging"):
            path = "/cpo" + hub_to_cpo_path(operation, PROVIDER, style)
            routes.append(Route(path, bodies, identity="hub"))
    return routes


def start_stub_target(pki: MockHubjectPKI, files: PKIFiles, openapi: dict[str, Any]) -> Target:
    process = start_stub(files.directory, user_cert=False)
    host, port = _host_port(process.url)
    hub = _client_context(pki, files.hub_client_cert, files.hub_client_key)
    client = WireClient(host, port, {"hub": hub})
    return Target("stub", process, client, stub_routes(openapi), oicp_problem)


# --- the hub's OICP endpoints --------------------------------------------------------------------


def oicp_routes(openapi: dict[str, Any]) -> list[Route]:
    cpo_ids = {"OperatorID": OPERATOR}
    routes = []
    for operation in CPOOperation:
        if operation is CPOOperation.PULL_AUTHENTICATION_DATA:  # OICP 2.2: not in the 2.3 API
            bodies: st.SearchStrategy[JSON] = st.fixed_dictionaries(
                {"OperatorID": st.just(OPERATOR)}, optional={"LastCall": json_values()}
            )
        else:
            bodies = _bodies(openapi, operation.value, cpo_ids)
        operator = OPERATOR if operation.has_operator_in_path else None
        routes.append(Route(cpo_to_hub_path(operation, operator), bodies, identity="cpo"))
    for remote in Operation:
        path = path_template(remote).format(id=PROVIDER)
        bodies = _bodies(openapi, remote.value, {"ProviderID": PROVIDER})
        routes.append(Route(path, bodies, identity="emp"))
    return routes


def start_oicp_target(
    pki: MockHubjectPKI, files: PKIFiles, openapi: dict[str, Any], database: Path
) -> Target:
    process = start_hub(files.directory, database, "--oicp-port", "0")
    _configure_partners(process.url)
    oicp_url = _admin_call(process.url, "GET", "/api/oicp")["url"]
    host, port = _host_port(oicp_url.replace("localhost", "127.0.0.1"))
    emp = pki.issue_client_cert(PROVIDER, organizational_unit=PROVIDER)
    emp_context = _client_context(pki, None, None)
    emp.configure_cert(emp_context)
    cpo = _client_context(pki, files.cpo_client_cert, files.cpo_client_key)
    client = WireClient(host, port, {"cpo": cpo, "emp": emp_context})
    return Target("hub-oicp", process, client, oicp_routes(openapi), oicp_problem)


def _configure_partners(admin_url: str) -> None:
    """The CPO DE*ABC (its Service URL a closed port: forwarding fails fast, with 310) and the
    EMP DE-ICE with contracts for both service types."""
    _admin_call(admin_url, "POST", "/api/operators", {"operator_id": OPERATOR})
    for service in ("authorization", "reservation"):
        settings = {"online_request": True, "service_url": "https://127.0.0.1:9/cpo"}
        _admin_call(admin_url, "PUT", f"/api/operators/{OPERATOR}/settings/{service}", settings)
    _admin_call(admin_url, "POST", "/api/emps", {"provider_id": PROVIDER})
    contracts = [
        {"operator_id": OPERATOR, "service_type": s} for s in ("authorization", "reservation")
    ]
    _admin_call(admin_url, "PUT", f"/api/emps/{PROVIDER}/contracts", {"contracts": contracts})


# --- the admin API -----------------------------------------------------------------------------

_TEXTS = st.text(max_size=30) | st.sampled_from(["DE*ABC", "DE*XYZ", "DE-ICE", "", " ", "*"])
_VALUES = json_values()
_OPERATOR = st.fixed_dictionaries(
    {},
    optional={
        "operator_id": _TEXTS,
        "name": _TEXTS,
        "reservation_path_style": st.sampled_from(["hubject", "charging", "x"]) | _VALUES,
        "timeout_s": st.integers(-5, 100) | st.floats(0, 100) | _VALUES,
    },
)
_SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "online_request": st.booleans() | _VALUES,
        "broadcast_request": st.booleans() | _VALUES,
        "service_url": _TEXTS | st.just("https://127.0.0.1:9/x"),
        "server_certification": st.sampled_from(["hubject", "user"]) | _VALUES,
    },
)
_EMP = st.fixed_dictionaries(
    {}, optional={"provider_id": _TEXTS, "name": _TEXTS, "authentication_data": _VALUES}
)
_CONTRACTS = st.fixed_dictionaries(
    {},
    optional={
        "contracts": st.lists(
            st.fixed_dictionaries(
                {}, optional={"operator_id": _TEXTS, "service_type": _TEXTS | _VALUES}
            ),
            max_size=3,
        )
        | _VALUES
    },
)


def admin_routes() -> list[Route]:
    """The routes that write the hub's configuration (sending and checking call out: left out)."""
    anything = _VALUES
    return [
        Route("/api/operators", _OPERATOR | anything, identity="none"),
        Route(
            f"/api/operators/{OPERATOR.replace('*', '%2A')}/settings/authorization",
            _SETTINGS | anything,
            identity="none",
            method="PUT",
        ),
        Route("/api/emps", _EMP | anything, identity="none"),
        Route(f"/api/emps/{PROVIDER}/contracts", _CONTRACTS | anything, "none", "PUT"),
    ]


def start_admin_target(files: PKIFiles, database: Path) -> Target:
    process = start_hub(files.directory, database)
    _admin_call(process.url, "POST", "/api/operators", {"operator_id": OPERATOR})
    _admin_call(process.url, "POST", "/api/emps", {"provider_id": PROVIDER})
    host, port = _host_port(process.url)
    client = WireClient(host, port, {"none": None})
    return Target("admin", process, client, admin_routes(), admin_problem)


# --- helpers -----------------------------------------------------------------------------------


def _host_port(url: str) -> tuple[str, int]:
    netloc = url.split("://", 1)[1].split("/", 1)[0]
    host, _, port = netloc.rpartition(":")
    return host, int(port)


def _admin_call(base: str, method: str, path: str, body: object = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path.replace("*", "%2A"),
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())
