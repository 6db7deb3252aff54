"""``hubsim hub serve`` in its own process, and the admin API calls the tests need."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import aiohttp

from tests.backends.process import BackendProcess
from tests.backends.stacks import REPO


def start_hub(pki_dir: Path, *extra: str) -> BackendProcess:
    """The hub with an in-memory database; ``port`` is its admin API port."""
    argv = [sys.executable, "-m", "hubsim", "hub", "serve", "--pki", str(pki_dir)]
    argv += ["--port", "0", *extra]
    return BackendProcess(
        "hub",
        argv,
        scheme="http",
        ready_pattern=r"admin API listening on http://127\.0\.0\.1:(\d+)",
        cwd=REPO,
    ).start()


class Admin:
    """A few admin API calls; every answer is (status, JSON)."""

    def __init__(self, session: aiohttp.ClientSession, hub: BackendProcess) -> None:
        self.session = session
        self.base = f"http://127.0.0.1:{hub.port}"

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        async with self.session.request(method, self.base + path, json=body) as resp:
            return resp.status, await resp.json(content_type=None)

    async def operator(self, operator_id: str, service_url: str, timeout_s: float) -> None:
        status, body = await self.call(
            "POST",
            "/api/operators",
            {"operator_id": operator_id, "name": "Test CPO", "timeout_s": timeout_s},
        )
        assert status in (200, 201), body  # created, or updated (a second call)
        settings = {
            "online_request": True,
            "service_url": service_url,
            "server_certification": "hubject",
        }
        status, body = await self.call(
            "PUT", f"/api/operators/{operator_id}/settings/authorization", settings
        )
        assert status in (200, 201), body

    async def remote_start(self, operator_id: str, evse_id: str) -> tuple[int, Any]:
        return await self.call(
            "POST",
            f"/api/operators/{operator_id}/send/remote-start",
            {"evse_id": evse_id, "provider_id": "DE*ICE"},
        )
