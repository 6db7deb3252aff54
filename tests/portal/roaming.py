"""A small roaming world in separate processes, for the Process Monitor and session pages.

``hubsim hub serve --oicp-port 0`` (admin API, portal and OICP listener), a CPO stub
``hubsim stub serve --hub-url`` whose backend sends notifications and CDRs back to the hub,
the CPO DE*ABC online at that stub, and simulated EMPs with contracts. Calls go over real
sockets: JSON to the admin API, and OICP over mutual TLS with ``cpo-client.pem`` for what
the test sends as the CPO.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockpki import PKIFiles
from oicp.cpo_operations import CPOOperation, cpo_to_hub_path
from oicp.evse_data import minimal_evse_record
from tests.portal.support import ServerProcess, start_hub, start_stub

OPERATOR = "DE*ABC"  # the OperatorID of the PKI's cpo-client.pem
EMP_ID = "DE-ICE"
UNREACHABLE_EMP = "DE-UNR"
EVSE_COUNT = 40
EVSES = [f"DE*ABC*E{number:04d}" for number in range(1, EVSE_COUNT + 1)]
HTTP_TIMEOUT_S = 30.0  # a guard against a hung process, not a synchronisation delay


@dataclass
class Roaming:
    """The running hub and stub, and the calls the tests make to them."""

    hub: ServerProcess
    stub: ServerProcess
    pki: PKIFiles
    oicp_url: str = ""
    _evses: Iterator[str] = field(default_factory=lambda: iter(EVSES))

    def next_evse(self) -> str:
        """An EVSE no test has used yet: the stub keeps each EVSE busy while it charges."""
        return next(self._evses)

    @property
    def url(self) -> str:
        return self.hub.url

    def api(self, method: str, path: str, body: object | None = None) -> tuple[int, Any]:
        """One admin API call; returns the HTTP status and the JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def ok(self, method: str, path: str, body: object | None = None) -> Any:
        status, answer = self.api(method, path, body)
        assert status in (200, 201), (status, answer)
        return answer

    def as_cpo(self, operation: CPOOperation, body: object) -> dict[str, Any]:
        """Post ``body`` to the hub's OICP listener as the CPO (cpo-client.pem)."""
        context = ssl.create_default_context(cafile=str(self.pki.hubject_ca))
        context.load_cert_chain(self.pki.cpo_client_cert, self.pki.cpo_client_key)
        request = urllib.request.Request(
            self.oicp_url + urllib.parse.quote(cpo_to_hub_path(operation, OPERATOR), safe="/*"),
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S, context=context) as answer:
            parsed: dict[str, Any] = json.loads(answer.read())
            return parsed

    def emp_send(self, provider_id: str, operation: str, **fields: object) -> dict[str, Any]:
        """The simulated EMP sends a remote start/stop through the hub's OICP listener."""
        answer: dict[str, Any] = self.ok(
            "POST", f"/api/emps/{provider_id}/send/{operation}", fields
        )
        return answer

    def remote_start(self, evse_id: str, provider_id: str = EMP_ID) -> str:
        answer = self.emp_send(provider_id, "remote-start", evse_id=evse_id)
        assert answer["session_id"], answer
        return str(answer["session_id"])

    def remote_stop(self, session_id: str, evse_id: str, provider_id: str = EMP_ID) -> None:
        answer = self.emp_send(provider_id, "remote-stop", evse_id=evse_id, session_id=session_id)
        assert answer["response_body"]["Result"] is True, answer

    def session(self, session_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.ok("GET", f"/api/sessions/{session_id}")
        return answer

    def stop(self) -> None:
        self.stub.stop()
        self.hub.stop()


def start_roaming(pki: PKIFiles, database: Path) -> Roaming:
    """Start the hub and the stub, and configure the CPO, its EVSEs and two EMPs."""
    hub = start_hub(pki.directory, database, "--oicp-port", "0")
    roaming = Roaming(hub, hub, pki)
    try:
        roaming.oicp_url = str(roaming.ok("GET", "/api/oicp")["url"])
        roaming.stub = start_backend_stub(pki.directory, roaming.oicp_url)
        _configure(roaming)
    except BaseException:
        roaming.stop()
        raise
    return roaming


def start_backend_stub(pki_dir: Path, hub_oicp_url: str) -> ServerProcess:
    process = start_stub(pki_dir, user_cert=False, extra=("--hub-url", hub_oicp_url))
    return process


def _configure(roaming: Roaming) -> None:
    roaming.ok("POST", "/api/operators", {"operator_id": OPERATOR, "name": "ABC Charging"})
    service_url = roaming.stub.url.replace("127.0.0.1", "localhost") + "/cpo-backend"
    for service in ("authorization", "reservation"):
        roaming.ok(
            "PUT",
            f"/api/operators/{OPERATOR}/settings/{service}",
            {"online_request": True, "service_url": service_url},
        )
    for provider_id, reachable in ((EMP_ID, True), (UNREACHABLE_EMP, False)):
        roaming.ok("POST", "/api/emps", {"provider_id": provider_id, "reachable": reachable})
        contracts = [{"operator_id": OPERATOR, "service_type": "authorization"}]
        roaming.ok("PUT", f"/api/emps/{provider_id}/contracts", {"contracts": contracts})
    push = {
        "ActionType": "fullLoad",
        "OperatorEvseData": {
            "OperatorID": OPERATOR,
            "OperatorName": "ABC Charging",
            "EvseDataRecord": [minimal_evse_record(evse_id) for evse_id in EVSES],
        },
    }
    assert roaming.as_cpo(CPOOperation.PUSH_EVSE_DATA, push)["Result"] is True
