"""An exchange the hub has answered with is in the log at once, by the exchange_id of the
answer, and a ``kill -9`` right after the answer does not lose it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp

from mockpki import PKIFiles
from simulator.storage import Storage
from tests.hostile.conftest import hub_args
from tests.hostile.peers import OPERATOR
from tests.hostile.processes import ADMIN_LINE, OICP_LINE, STUB_LINE, serving

EMP = "DE-ICE"
SENDS = 24


def start(n: int) -> dict[str, str]:
    """A remote start on an EVSE of its own (the stub refuses a second start on one)."""
    return {"evse_id": f"{OPERATOR}*E{n:04d}", "provider_id": EMP, "evco_id": "DE-ICE-C12345678-X"}


async def _json(session: aiohttp.ClientSession, method: str, url: str, body: object = None) -> Any:
    async with session.request(method, url, json=body) as response:
        assert response.status < 400, await response.text()
        return await response.json()


async def _configure(session: aiohttp.ClientSession, admin: str, stub_url: str) -> None:
    await _json(session, "POST", f"{admin}/api/operators", {"operator_id": OPERATOR})
    settings = {"online_request": True, "service_url": stub_url}
    await _json(
        session, "PUT", f"{admin}/api/operators/{OPERATOR}/settings/authorization", settings
    )
    await _json(session, "POST", f"{admin}/api/emps", {"provider_id": EMP})
    contracts = {"contracts": [{"operator_id": OPERATOR, "service_type": "authorization"}]}
    await _json(session, "PUT", f"{admin}/api/emps/{EMP}/contracts", contracts)


async def test_answered_exchanges_are_readable_at_once_and_survive_kill_9(
    pki_files: PKIFiles, tmp_path: Path
) -> None:
    database = tmp_path / "hub.sqlite3"
    stub_args = ["stub", "serve", "--pki", str(pki_files.directory), "--port", "0"]
    async with (
        serving(stub_args, [STUB_LINE]) as stub,
        serving(hub_args(pki_files, database), [ADMIN_LINE, OICP_LINE]) as hub,
        aiohttp.ClientSession() as session,
    ):
        admin = hub.urls[0]
        await _configure(session, admin, stub.urls[0].replace("127.0.0.1", "localhost"))
        direct = f"{admin}/api/operators/{OPERATOR}/send/remote-start"
        through_oicp = f"{admin}/api/emps/{EMP}/send/remote-start"
        answers = await asyncio.gather(
            *(_json(session, "POST", direct, start(n)) for n in range(SENDS)),
            *(_json(session, "POST", through_oicp, start(SENDS + n)) for n in range(SENDS)),
        )
        ids = [answer["exchange_id"] for answer in answers]
        read_back = await _json(session, "GET", f"{admin}/api/exchanges/{ids[-1]}")
        hub.kill()
        await hub.process.wait()

    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == 2 * SENDS
    assert read_back["exchange_id"] == ids[-1]
    async with await Storage.open(str(database)) as storage:
        kept = {i: await storage.get_exchange(i) for i in ids}
    assert [i for i, exchange in kept.items() if exchange is None] == []
    assert {e.outcome.value for e in kept.values() if e is not None} == {"accepted"}
