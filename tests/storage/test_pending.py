"""The pending file: exchanges answered with but not yet committed survive a killed hub."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from simulator.storage import Storage
from simulator.storage.exchanges import encode_exchange
from simulator.storage.pending import pending_path
from tests.storage.conftest import ExchangeFactory


async def test_a_recorded_exchange_is_in_the_pending_file_before_it_is_committed(
    tmp_path: Path, make_exchange: ExchangeFactory
) -> None:
    path = str(tmp_path / "hub.db")
    async with await Storage.open(path) as storage:
        recorded = storage.record_exchange(make_exchange(detail="answered"))
        lines = pending_path(path).read_bytes().splitlines()
        await storage.flush()
        emptied = pending_path(path).read_bytes()

    assert recorded.exchange_id == 1
    assert len(lines) == 1 and b'"detail":"answered"' in lines[0]
    assert emptied == b""


async def test_the_next_start_commits_what_a_killed_hub_left_pending(
    tmp_path: Path, make_exchange: ExchangeFactory
) -> None:
    path = str(tmp_path / "hub.db")
    async with await Storage.open(path) as storage:
        storage.record_exchange(make_exchange(detail="committed"))
    left = [
        encode_exchange(dataclasses.replace(make_exchange(detail=f"left {n}"), exchange_id=n))
        for n in (1, 2, 3)  # 1 was committed already: written again, it is kept once
    ]
    cut = left[2][: len(left[2]) // 2]  # the kill came in the middle of this write
    pending_path(path).write_bytes(left[0] + b"\n" + left[1] + b"\n" + cut)

    async with await Storage.open(path) as storage:
        details = [e.detail for e in reversed(await storage.list_exchanges())]
        following = storage.record_exchange(make_exchange())

    assert details == ["committed", "left 2"]
    assert following.exchange_id == 3
