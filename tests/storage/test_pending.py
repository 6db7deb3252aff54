"""The pending file: exchanges answered with but not yet committed survive a killed hub."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from simulator.storage import Storage
from simulator.storage.exchanges import encode_exchange
from simulator.storage.pending import MAP_BYTES, PendingFile, pending_path, read_pending
from tests.storage.conftest import ExchangeFactory


async def test_a_recorded_exchange_is_in_the_pending_file_before_it_is_committed(
    tmp_path: Path, make_exchange: ExchangeFactory
) -> None:
    path = str(tmp_path / "hub.db")
    async with await Storage.open(path) as storage:
        recorded = storage.record_exchange(make_exchange(detail="answered"))
        lines = read_pending(pending_path(path))
        await storage.flush()
        emptied = read_pending(pending_path(path))

    assert recorded.exchange_id == 1
    assert len(lines) == 1 and b'"detail":"answered"' in lines[0]
    assert emptied == []


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


def test_the_mapped_file_ends_at_its_first_nul_and_a_cut_line_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "hub.db-exchanges-pending"
    path.write_bytes(b'{"a":1}\n{"b":2}\n{"c":' + bytes(64))

    assert read_pending(path) == [b'{"a":1}', b'{"b":2}']


def test_lines_beyond_the_first_mapping_are_kept_and_emptying_forgets_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hub.db-exchanges-pending"
    pending = PendingFile(path)
    lines = [b'{"n":%d,"pad":"%s"}' % (n, b"x" * 1000) for n in range(3000)]  # about 3 MB
    try:
        for line in lines:
            pending.append(line)
        kept = read_pending(path)
        pending.empty()
        pending.append(b'{"after":true}')
        after = read_pending(path)
    finally:
        pending.close()

    assert kept == lines
    assert after == [b'{"after":true}']
    assert path.stat().st_size == MAP_BYTES


def test_opening_the_pending_file_discards_what_it_held(tmp_path: Path) -> None:
    path = tmp_path / "hub.db-exchanges-pending"
    path.write_bytes(b'{"committed":true}\n')
    pending = PendingFile(path)
    pending.close()

    assert read_pending(path) == []
