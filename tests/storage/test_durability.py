"""Durability: once a save has returned, a killed process loses nothing."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from simulator.model import ServiceType, ServiceTypeSettings
from simulator.storage import Storage

_SAVE_THEN_HANG = """
import asyncio
import sys

from simulator.model import Operator, ServiceType, ServiceTypeSettings
from simulator.storage import Storage


async def main(path: str) -> None:
    storage = await Storage.open(path)
    await storage.upsert_operator(Operator("DE*ABC"))
    settings = ServiceTypeSettings(online_request=True, service_url="https://cpo.example/oicp")
    await storage.save_settings("DE*ABC", ServiceType.AUTHORIZATION, settings)
    print("saved", flush=True)
    await asyncio.Event().wait()  # never closes the storage: only SIGKILL ends this


asyncio.run(main(sys.argv[1]))
"""


async def test_saved_settings_survive_kill_9_right_after_saving(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite3"
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _SAVE_THEN_HANG,
        str(path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None
    said = await child.stdout.readline()
    if child.returncode is None:
        child.send_signal(signal.SIGKILL)
    _, errors = await child.communicate()

    assert said == b"saved\n", errors.decode()
    assert child.returncode == -signal.SIGKILL
    async with await Storage.open(path) as storage:
        current = await storage.current_settings("DE*ABC", ServiceType.AUTHORIZATION)
    assert current is not None
    assert current.settings == ServiceTypeSettings(
        online_request=True, service_url="https://cpo.example/oicp"
    )
