"""The stub's shared state: behaviours, EVSE state and records, used by every endpoint.

The OICP endpoint, the ``/_stub/requests`` page, the control API and the Python API of
``CPOStub`` all act on one ``StubCore``, so they can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable

from cpo_stub.behaviour import Behaviour, BehaviourTable
from cpo_stub.expectations import ExpectationBook
from cpo_stub.recording import (
    MAX_RECORDS,
    HandshakeFailure,
    NoRequestsError,
    Recorder,
    StubRecord,
)
from cpo_stub.state import EvseBook
from oicp.operations import Operation


class StubCore:
    """Behaviours, EVSE state and the record of traffic for one stub."""

    def __init__(self, max_records: int = MAX_RECORDS) -> None:
        self.behaviours = BehaviourTable()
        self.book = EvseBook()
        self.recorder = Recorder(max_records)
        self.expectations = ExpectationBook()

    def set_behaviour(self, behaviour: Behaviour, evse_id: str | None = None) -> None:
        """Answer requests for ``evse_id`` (None: every EVSE) as ``behaviour`` does."""
        self.behaviours.set(behaviour, evse_id)

    def set_known_evses(self, evse_ids: Iterable[str] | None) -> None:
        """Answer 603 Unknown EVSE ID outside ``evse_ids``; None accepts every EvseID."""
        self.book.set_known_evses(evse_ids)

    def set_unknown_evses(self, evse_ids: Iterable[str]) -> None:
        """Answer 603 Unknown EVSE ID for each of ``evse_ids``."""
        self.book.set_unknown_evses(evse_ids)

    def clear(self) -> None:
        """Forget records, handshake failures, EVSE state, per-EVSE behaviours, expectations."""
        self.recorder.clear()
        self.book.clear()
        self.behaviours.clear_evses()
        self.expectations.clear()

    def requests(
        self, operation: Operation | None = None, evse_id: str | None = None
    ) -> list[StubRecord]:
        """The recorded requests, oldest first, optionally only one operation or EvseID."""
        return [
            record
            for record in self.recorder.records
            if (operation is None or record.operation is operation)
            and (evse_id is None or record.evse_id == evse_id)
        ]

    def last(self) -> StubRecord:
        """The most recent request; NoRequestsError if there is none."""
        if not self.recorder.records:
            raise NoRequestsError(
                "the stub has not received any request yet; check the hub's Service URL "
                "and look at handshake_failures for refused connections"
            )
        return self.recorder.records[-1]

    def handshake_failures(self) -> list[HandshakeFailure]:
        """The failed TLS handshakes, oldest first."""
        return list(self.recorder.handshake_failures)

    def state_json(self) -> dict[str, object]:
        """EVSE states, known EvseIDs and behaviours, for ``GET /state``."""
        known = self.book.known_evses
        return {
            "evses": {state.evse_id: state.to_json() for state in self.book.states()},
            "known_evses": None if known is None else sorted(known),
            "unknown_evses": sorted(self.book.unknown_evses),
            "behaviours": self.behaviours.to_json(),
        }

    async def wait_for_requests(self, count: int = 1, timeout: float = 10.0) -> list[StubRecord]:
        """Wait until at least ``count`` requests arrived since the last clear; return the
        ones kept."""
        await self.recorder.wait_until(
            lambda: self.recorder.records.seen >= count, timeout, f"{count} request(s)"
        )
        return list(self.recorder.records)

    async def wait_for_handshake_failures(
        self, count: int = 1, timeout: float = 10.0
    ) -> list[HandshakeFailure]:
        """Wait until at least ``count`` failed handshakes are recorded; return all of them."""
        await self.recorder.wait_until(
            lambda: self.recorder.handshake_failures.seen >= count,
            timeout,
            f"{count} failed TLS handshake(s)",
        )
        return list(self.recorder.handshake_failures)
