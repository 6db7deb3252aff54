"""A body gets the same answer prepared in the event loop or in the worker process."""

from __future__ import annotations

import json

import pytest

from oicp.cpo_operations import CPOOperation
from oicp.evse_data import minimal_evse_record
from oicp.operations import Operation
from simulator.inbound.bodies import BodyPreparer, PreparedBody, prepare_body
from tests.hostile.peers import OPERATOR, full_load_bytes


def _evse_push(count: int, *, broken: int | None = None) -> bytes:
    records = [minimal_evse_record(f"{OPERATOR}*E{i:05d}") for i in range(count)]
    if broken is not None:
        records[broken]["Plugs"] = ["Type 9"]
    return full_load_bytes(records)


def _status_push(count: int) -> bytes:
    records = [{"EvseID": f"{OPERATOR}*E{i:05d}", "EvseStatus": "Available"} for i in range(count)]
    push = {
        "ActionType": "fullLoad",
        "OperatorEvseStatus": {"OperatorID": OPERATOR, "EvseStatusRecord": records},
    }
    return json.dumps(push).encode()


CASES = {
    "valid EVSE data, 1,200 records": (CPOOperation.PUSH_EVSE_DATA, _evse_push(1200)),
    "EVSE data, record 700 broken": (CPOOperation.PUSH_EVSE_DATA, _evse_push(1200, broken=700)),
    "valid EVSE status, 5,000 records": (CPOOperation.PUSH_EVSE_STATUS, _status_push(5000)),
    "not JSON": (CPOOperation.AUTHORIZE_START, b"{" + b" " * 400_000),
    "400,000 tiny arrays": (CPOOperation.AUTHORIZE_START, b"[" + b"[[]]," * 80_000 + b"[]]"),
    "not UTF-8": (CPOOperation.CHARGE_DETAIL_RECORD, b'{"a": "\xff' + b" " * 300_000 + b'"}'),
    "an EMP's remote start with a huge EvseID": (
        Operation.AUTHORIZE_REMOTE_START,
        json.dumps({"ProviderID": "DE-ICE", "EvseID": "X" * 300_000}).encode(),
    ),
}


def _seen(prepared: PreparedBody) -> object:
    return (prepared.json_fault, prepared.claimed_ids, prepared.fault, prepared.message)


@pytest.mark.parametrize("case", CASES)
async def test_a_body_gets_the_same_result_from_the_worker_process_as_inline(case: str) -> None:
    operation, raw = CASES[case]
    preparer = BodyPreparer(inline_max_bytes=0)  # every body goes to a worker process
    try:
        from_worker = await preparer.prepare(operation, raw)
    finally:
        preparer.close()

    assert preparer.workers_started == 1
    assert _seen(from_worker) == _seen(prepare_body(operation, raw))


async def test_only_a_body_above_the_inline_bound_goes_to_a_worker_process() -> None:
    preparer = BodyPreparer(inline_max_bytes=100_000)
    small, large = _evse_push(10), _evse_push(4000)
    try:
        await preparer.prepare(CPOOperation.PUSH_EVSE_DATA, small)
        assert preparer.workers_started == 0
        prepared = await preparer.prepare(CPOOperation.PUSH_EVSE_DATA, large)
    finally:
        preparer.close()

    assert len(small) <= 100_000 < len(large)
    assert preparer.workers_started == 1
    assert len(prepared.message.rows) == 4000  # every chunk of rows came back, in order
    assert prepared.message.rows[3999].evse_id == f"{OPERATOR}*E03999"
