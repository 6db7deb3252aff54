"""SQLite runs on one worker thread, so the event loop keeps running while the disk waits."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from simulator.model import Operator, ServiceType, ServiceTypeSettings
from simulator.storage import Storage

ONLINE = ServiceTypeSettings(online_request=True, service_url="https://cpo.example/")


async def test_a_save_waiting_for_a_database_lock_does_not_block_the_event_loop(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hub.sqlite3"
    async with await Storage.open(path) as storage:
        await storage.upsert_operator(Operator("DE*ABC"))
        blocker = sqlite3.connect(path, isolation_level=None, timeout=0)
        blocker.execute("BEGIN EXCLUSIVE")
        save = asyncio.create_task(
            storage.save_settings("DE*ABC", ServiceType.AUTHORIZATION, ONLINE)
        )
        # Let the save start. Run on this thread, it would now block the loop until its
        # busy timeout and fail with "database is locked"; on the worker it simply waits.
        await asyncio.sleep(0)
        loop_ran = asyncio.Event()
        asyncio.get_running_loop().call_soon(loop_ran.set)
        await loop_ran.wait()
        save_was_waiting = not save.done()
        blocker.execute("ROLLBACK")
        blocker.close()

        saved = await save

    assert save_was_waiting
    assert saved.revision == 1


async def test_database_calls_run_on_one_thread_other_than_the_event_loops() -> None:
    seen: set[int] = set()
    async with await Storage.open() as storage:
        database = storage._database  # reaching in to prove where the work runs
        for _ in range(3):
            seen.add(await database.read(lambda _c: threading.get_ident()))
            seen.add(await database.write(lambda _c: threading.get_ident()))

    assert len(seen) == 1
    assert threading.get_ident() not in seen
