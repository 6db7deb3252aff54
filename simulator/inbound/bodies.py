"""The bodies CPOs and EMPs send, decoded and checked; the large ones in a worker process.

Decoding and checking a body costs CPU in proportion to its size, and in the event loop
that time stalls every other request of the hub (admin API, portal, sends, the OICP port).
A PushEvseData fullLoad of 10,000 records (about 20 MB, ``oicp.limits``) took half a
second; 1 MiB of tiny JSON arrays, which any operation's body may be, over 100 ms. So a
body above :data:`INLINE_MAX_BYTES` is prepared in a worker process: every OICP message a
CPO or EMP sends but the data pushes is a few KB, and a push of a few hundred records is below
the bound too. The worker hands back only what the handler needs: the OperatorID the body
names (for the certificate check), and either the FaultBody's text or the message. A
PushEvseData comes back as the rows the hub stores, each record serialised already and in
chunks, so that the event loop never unpickles more than a few hundred KB at once.

The steps are one function either way (:func:`prepare_body`), so a body gets the same
answer and the same stored rows whatever its size.
"""

from __future__ import annotations

import asyncio
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

from oicp.authentication_data import PullAuthenticationData
from oicp.authorization import AuthorizeStart, AuthorizeStop
from oicp.cdr import ChargeDetailRecord
from oicp.cpo_operations import CPOOperation, body_operator_id
from oicp.errors import OICPValidationError
from oicp.evse_data import PushEvseData, PushEvseStatus
from oicp.faults import validation_fault
from oicp.messages import parse_request
from oicp.notifications import ChargingNotification
from oicp.operations import Operation
from oicp.pricing import PushEVSEPricing, PushPricingProductData
from simulator.inbound.replies import Reply, json_text, oicp_text, parse_json_body
from simulator.storage import EvseRow, evse_row

INLINE_MAX_BYTES = 256 * 1024
"""The largest body prepared in the event loop (its worst cases take it under 50 ms,
``bench/bench_worst_cases.py``); larger ones go to a worker process."""

_MESSAGES: dict[CPOOperation, Any] = {
    CPOOperation.AUTHORIZE_START: AuthorizeStart,
    CPOOperation.AUTHORIZE_STOP: AuthorizeStop,
    CPOOperation.PUSH_EVSE_STATUS: PushEvseStatus,
    CPOOperation.CHARGING_NOTIFICATION: ChargingNotification,
    CPOOperation.CHARGE_DETAIL_RECORD: ChargeDetailRecord,
    CPOOperation.PUSH_PRICING_PRODUCT_DATA: PushPricingProductData,
    CPOOperation.PUSH_EVSE_PRICING: PushEVSEPricing,
    CPOOperation.PULL_AUTHENTICATION_DATA: PullAuthenticationData,
}


@dataclass(frozen=True)
class EvseDataRows:
    """An eRoamingPushEvseData as the hub stores it: each record serialised (EvseRow)."""

    operator_id: str
    action_type: str
    rows: tuple[EvseRow, ...] = ()


@dataclass(frozen=True)
class PreparedBody:
    """A body, decoded and checked, with what the handler answers in Hubject's order.

    ``json_fault`` is the text of the 400 FaultBody when the body is not JSON in UTF-8
    (answered first); ``claimed_ids`` the IDs the body claims for its sender, as sent, for
    the 017 checks; ``fault`` the text of the 400 FaultBody when the body breaks the schema
    (answered after those checks), else ``message`` is the parsed message
    (:class:`EvseDataRows` for a PushEvseData).
    """

    json_fault: str | None = None
    claimed_ids: tuple[object, ...] = ()
    fault: str | None = None
    message: Any = None


ReceivedOperation = CPOOperation | Operation
"""An operation the hub receives: from a CPO, or from an EMP (remote start and stop)."""


def prepare_body(operation: ReceivedOperation, raw: bytes) -> PreparedBody:
    """Decode and check one body of ``operation`` (runs in either process)."""
    try:
        body = parse_json_body(raw)
    except OICPValidationError as error:
        return PreparedBody(json_fault=json_text(validation_fault(error.problems)))
    claimed = _claimed_ids(operation, body)
    try:
        message = _parse(operation, body)
    except OICPValidationError as error:
        return PreparedBody(None, claimed, json_text(validation_fault(error.problems)))
    return PreparedBody(None, claimed, None, message)


def checked_message(prepared: PreparedBody, check_ids: Callable[[tuple[object, ...]], None]) -> Any:
    """The message, after Hubject's refusals in Hubject's order: a body that is not JSON
    (400), then the IDs the body claims (017, raised by ``check_ids``), then the schema
    (400 with every problem)."""
    if prepared.json_fault is not None:
        raise Reply(oicp_text(prepared.json_fault, 400))
    check_ids(prepared.claimed_ids)
    if prepared.fault is not None:
        raise Reply(oicp_text(prepared.fault, 400))
    return prepared.message


def _claimed_ids(operation: ReceivedOperation, body: object) -> tuple[object, ...]:
    if isinstance(operation, Operation):  # an EMP names itself as ProviderID, even as null
        return (body["ProviderID"],) if isinstance(body, dict) and "ProviderID" in body else ()
    found = body_operator_id(operation, body)
    return () if found is None else (found,)


def _parse(operation: ReceivedOperation, body: object) -> Any:
    if isinstance(operation, Operation):
        return parse_request(operation, body)
    if operation is not CPOOperation.PUSH_EVSE_DATA:
        return _MESSAGES[operation].from_wire(body)
    push = PushEvseData.from_wire(body)
    rows = tuple(evse_row(r.evse_id, r.is_hubject_compatible, r.record) for r in push.records)
    return EvseDataRows(push.operator_id, push.action_type, rows)


class BodyPreparer:
    """Prepares the bodies of the OICP port: small ones at once, large ones in a worker process.

    Each large body gets a worker process of its own (``python -m``
    :mod:`simulator.inbound.bodies_worker`), which reads the body on stdin, writes the
    result on stdout and exits: decoding 24 MiB of JSON grows a process by a few hundred MB
    that Python would keep, and large bodies are rare. A worker whose hub was killed
    finishes its one body and ends; none is left behind. Large bodies are prepared one at a
    time, in arrival order, so that their memory does not add up.
    """

    def __init__(self, inline_max_bytes: int = INLINE_MAX_BYTES) -> None:
        self._inline_max = inline_max_bytes
        self._one_at_a_time = asyncio.Lock()
        self._worker: asyncio.subprocess.Process | None = None
        self.workers_started = 0  # how many bodies went to a worker process

    async def prepare(self, operation: ReceivedOperation, raw: bytes) -> PreparedBody:
        if len(raw) <= self._inline_max:
            return prepare_body(operation, raw)
        async with self._one_at_a_time:
            return await self._in_worker(operation, raw)

    async def _in_worker(self, operation: ReceivedOperation, raw: bytes) -> PreparedBody:
        worker = self._worker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            _WORKER,
            operation.value,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        self.workers_started += 1
        assert worker.stdin is not None and worker.stdout is not None
        try:
            # The worker reads the whole body before it writes a byte: no deadlock.
            worker.stdin.write(raw)
            await worker.stdin.drain()
            worker.stdin.close()
            prepared = await _read_result(worker.stdout)
            code = await worker.wait()
        except (OSError, asyncio.IncompleteReadError) as exc:
            code = await worker.wait()
            raise RuntimeError(f"the hub's body worker process failed (exit code {code})") from exc
        finally:
            self._worker = None
            if worker.returncode is None:  # cancelled (the CPO hung up) or failed: stop it
                worker.kill()
        if code != 0:  # its traceback went to the hub's stderr
            raise RuntimeError(f"the hub's body worker process failed (exit code {code})")
        return prepared

    def close(self) -> None:
        """Stop a worker that is still preparing a body (the hub is shutting down)."""
        if self._worker is not None and self._worker.returncode is None:
            self._worker.kill()


# The worker's answer: a head frame, the PreparedBody without its EVSE rows and how many
# chunks of rows follow, then the chunks. Each frame is its length (8 bytes) and a pickle.
CHUNK_ROWS = 250  # a few hundred KB, about a millisecond to unpickle
_LENGTH_BYTES = 8
_WORKER = "simulator.inbound.bodies_worker"  # run with -m; it imports this module


@dataclass(frozen=True)
class WorkerHead:
    prepared: PreparedBody
    chunks: int


def write_result(out: BinaryIO, prepared: PreparedBody) -> None:
    """Write ``prepared`` as the worker answers (in the worker process)."""
    message = prepared.message
    rows: tuple[EvseRow, ...] = ()
    if isinstance(message, EvseDataRows):
        rows, prepared = message.rows, replace(prepared, message=replace(message, rows=()))
    chunks = [rows[i : i + CHUNK_ROWS] for i in range(0, len(rows), CHUNK_ROWS)]
    _write_frame(out, WorkerHead(prepared, len(chunks)))
    for chunk in chunks:
        _write_frame(out, chunk)


async def _read_result(stream: asyncio.StreamReader) -> PreparedBody:
    head = await _read_frame(stream)
    if not isinstance(head, WorkerHead):
        raise RuntimeError(f"the hub's body worker answered {type(head).__name__}")
    if head.chunks == 0:
        return head.prepared
    rows: list[EvseRow] = []
    for _ in range(head.chunks):
        rows.extend(await _read_frame(stream))
        await asyncio.sleep(0)  # let other requests run between chunks
    message = replace(head.prepared.message, rows=tuple(rows))
    return replace(head.prepared, message=message)


async def _read_frame(stream: asyncio.StreamReader) -> Any:
    size = int.from_bytes(await stream.readexactly(_LENGTH_BYTES), "big")
    return pickle.loads(await stream.readexactly(size))  # trusted: our own worker wrote it


def _write_frame(out: BinaryIO, value: object) -> None:
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    out.write(len(data).to_bytes(_LENGTH_BYTES, "big") + data)
