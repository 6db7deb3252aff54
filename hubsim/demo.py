"""``hubsim demo``: the whole product on one machine, in a few seconds.

It writes a mock Hubject PKI to a temporary folder, starts two CPO stubs (one serving a
certificate from the mock Hubject CA, one a self-signed "User certificate"), starts the hub,
configures an operator through the admin API, and runs remote start/stop and reservation
start/stop in both certification modes, plus one wrong-certificate case per mode.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from cpo_stub import CPOStub
from mockpki import MockHubjectPKI, PKIFiles
from simulator.app import HubOptions, running_hub

OPERATOR_ID = "DE*ABC"
PROVIDER_ID = "DE*ICE"
EVCO_ID = "DE-ICE-C12345678-X"


@dataclass(frozen=True)
class DemoStep:
    """One line of the demo report."""

    name: str
    mode: str
    operation: str
    ok: bool
    outcome: str
    status_code: str | None
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "mode": self.mode,
            "operation": self.operation,
            "ok": self.ok,
            "outcome": self.outcome,
            "status_code": self.status_code,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class DemoReport:
    steps: tuple[DemoStep, ...]

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "steps": [s.to_json() for s in self.steps]}


@dataclass
class _Stage:
    """The running parts of the demo."""

    api: aiohttp.ClientSession
    hub_url: str
    files: PKIFiles
    hubject_stub_url: str
    user_stub_url: str


async def run_demo() -> DemoReport:
    # The negative steps make the hub probe a stub's certificate and hang up, which the stub
    # logs as a failed handshake; the report explains those steps, so the log stays quiet.
    logging.getLogger("cpo_stub").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="hubsim-demo-") as tmp:
        async with _stage(Path(tmp)) as stage:
            steps = await _hubject_mode(stage)
            steps += await _user_mode(stage)
    return DemoReport(tuple(steps))


@asynccontextmanager
async def _stage(tmp: Path) -> AsyncIterator[_Stage]:
    files = MockHubjectPKI.create(host="localhost", operator_id=OPERATOR_ID).write(tmp / "pki")
    async with AsyncExitStack() as stack:
        hubject_stub = await stack.enter_async_context(CPOStub.from_pki_dir(files.directory))
        user_stub = await stack.enter_async_context(
            CPOStub.from_pki_dir(files.directory, user_cert=True)
        )
        hub = await stack.enter_async_context(running_hub(HubOptions(pki_dir=files.directory)))
        api = await stack.enter_async_context(aiohttp.ClientSession())
        stage = _Stage(api, hub.url, files, _localhost(hubject_stub.url), _localhost(user_stub.url))
        await _call(
            stage, "POST", "/api/operators", {"operator_id": OPERATOR_ID, "name": "Demo CPO"}
        )
        yield stage


def _localhost(url: str) -> str:
    """The stubs listen on 127.0.0.1; the demo addresses them by the name in their certificate."""
    return url.replace("127.0.0.1", "localhost") + "/cpo-backend"


async def _hubject_mode(stage: _Stage) -> list[DemoStep]:
    await _configure(stage, stage.hubject_stub_url, "hubject")
    steps = await _round_trips(stage, "hubject", evse_suffix="1")
    await _configure(stage, stage.user_stub_url, "hubject", services=("authorization",))
    steps.append(await _negative(stage, "hubject", "self-signed server certificate refused"))
    return steps


async def _user_mode(stage: _Stage) -> list[DemoStep]:
    pem = stage.files.cpo_user_server_cert.read_bytes()
    path = f"/api/operators/{OPERATOR_ID}/certificates?filename=cpo-user-server.pem"
    async with stage.api.post(stage.hub_url + path, data=pem) as resp:
        await _expect(resp, 201)
    await _configure(stage, stage.user_stub_url, "user")
    steps = await _round_trips(stage, "user", evse_suffix="2")
    await _configure(stage, stage.hubject_stub_url, "user", services=("authorization",))
    steps.append(await _negative(stage, "user", "certificate not among the uploads refused"))
    return steps


async def _configure(
    stage: _Stage, url: str, mode: str, services: tuple[str, ...] = ("authorization", "reservation")
) -> None:
    for service in services:
        settings = {"online_request": True, "service_url": url, "server_certification": mode}
        await _call(stage, "PUT", f"/api/operators/{OPERATOR_ID}/settings/{service}", settings)


async def _round_trips(stage: _Stage, mode: str, evse_suffix: str) -> list[DemoStep]:
    evse_start, evse_reserve = f"DE*ABC*E100{evse_suffix}", f"DE*ABC*E200{evse_suffix}"
    start = await _send(stage, "remote-start", {"evse_id": evse_start})
    stop = await _send(
        stage, "remote-stop", {"evse_id": evse_start, "session_id": start.get("session_id")}
    )
    reserve = await _send(stage, "reservation-start", {"evse_id": evse_reserve, "duration": 15})
    release = await _send(
        stage,
        "reservation-stop",
        {"evse_id": evse_reserve, "session_id": reserve.get("session_id")},
    )
    names = ("remote start", "remote stop", "reservation start (15 min)", "reservation stop")
    results = (start, stop, reserve, release)
    return [
        _step(name, mode, ex, ex["outcome"] == "accepted")
        for name, ex in zip(names, results, strict=True)
    ]


async def _negative(stage: _Stage, mode: str, name: str) -> DemoStep:
    exchange = await _send(stage, "remote-start", {"evse_id": "DE*ABC*E9999"})
    return _step(name, mode, exchange, exchange["outcome"] == "server_cert_untrusted")


async def _send(stage: _Stage, operation: str, fields: dict[str, Any]) -> dict[str, Any]:
    body = {"provider_id": PROVIDER_ID, "evco_id": EVCO_ID, **fields}
    body = {k: v for k, v in body.items() if v is not None}
    return await _call(stage, "POST", f"/api/operators/{OPERATOR_ID}/send/{operation}", body)


def _step(name: str, mode: str, exchange: dict[str, Any], ok: bool) -> DemoStep:
    return DemoStep(
        name=name,
        mode=mode,
        operation=exchange.get("operation", ""),
        ok=ok,
        outcome=exchange.get("outcome", "refused"),
        status_code=exchange.get("status_code"),
        detail=exchange.get("detail") or exchange.get("error", ""),
    )


async def _call(stage: _Stage, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    async with stage.api.request(method, stage.hub_url + path, json=body) as resp:
        data: dict[str, Any] = await resp.json()
        if resp.status >= 400:
            issues = "; ".join(i["message"] for i in data.get("issues", []))
            return {"outcome": "refused", "error": f"{data.get('error')}: {issues}"}
        return data


async def _expect(resp: aiohttp.ClientResponse, status: int) -> None:
    if resp.status != status:
        raise RuntimeError(f"the hub answered HTTP {resp.status}: {await resp.text()}")
