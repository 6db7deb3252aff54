"""What the stub CPO saw: every request it answered and every TLS handshake that failed.

Tests read these lists to check what the hub sent; ``wait_for_*`` lets them wait for traffic
that arrives asynchronously (a failed handshake is recorded after the client already saw
its connection drop) without sleeping.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from oicp import jsontext
from oicp.operations import Operation

T = TypeVar("T")


class NoRequestsError(LookupError):
    """The stub has not recorded the request a test asked for."""


# Not frozen: a frozen dataclass sets each of these 13 fields through object.__setattr__,
# which doubled the cost of the record every request makes. Nothing changes a record once
# it is built.
@dataclass
class StubRecord:
    """One request the stub received and how it answered.

    ``raw_body`` is the text as received (bytes that were not UTF-8 replaced), ``is_json``
    whether it parsed as JSON, and :attr:`body` the parsed JSON. When the stub dropped the
    connection (``CloseConnection``), ``response_status`` is 0 and ``response_body`` None.
    ``client_subject`` is the client certificate's subject (RFC 4514).
    """

    operation: Operation | None
    path: str
    provider_id: str | None
    raw_body: str
    is_json: bool
    evse_id: str | None
    session_id: str | None
    response_status: int
    response_body: str | None
    behaviour: str
    client_subject: str | None
    received_at: datetime
    method: str = "POST"

    @property
    def body(self) -> object:
        """The request body as parsed JSON; None when it was not JSON.

        Parsed again on each access rather than kept: every request's parsed body (three
        or four nested dicts) kept the garbage collector busy, and by 40,000 requests its
        full collections paused the stub for about 70 ms each."""
        return jsontext.loads(self.raw_body) if self.is_json else None

    def to_json(self) -> dict[str, object]:
        """The JSON form served by ``/_stub/requests`` and the control API."""
        return {
            "operation": self.operation.value if self.operation else None,
            "method": self.method,
            "path": self.path,
            "ProviderID": self.provider_id,
            "EvseID": self.evse_id,
            "SessionID": self.session_id,
            "body": self.body,
            "raw_body": self.raw_body,
            "response_status": self.response_status,
            "response_body": self.response_body,
            "behaviour": self.behaviour,
            "client_subject": self.client_subject,
            "received_at": self.received_at.isoformat(),
        }


@dataclass(frozen=True)
class HandshakeFailure:
    """A TLS handshake the stub refused or lost, with OpenSSL's reason.

    ``reason`` reads like "peer did not return a certificate" or "certificate has
    expired"; ``verify_message`` is set when certificate verification failed.
    """

    peer: str
    reason: str
    verify_message: str | None
    at: datetime

    def to_json(self) -> dict[str, object]:
        """The JSON form served next to the requests."""
        return {
            "peer": self.peer,
            "reason": self.reason,
            "verify_message": self.verify_message,
            "at": self.at.isoformat(),
        }


MAX_RECORDS = 10_000
"""How many requests (and, apart, failed handshakes) the stub keeps by default: about
12 MB of records. Older ones are dropped and counted."""


class Bounded(Generic[T]):
    """The newest ``cap`` items, oldest first, and how many older ones were dropped."""

    def __init__(self, cap: int) -> None:
        if cap < 1:
            raise ValueError(f"the stub must keep at least 1 record, not {cap}")
        self._items: deque[T] = deque(maxlen=cap)
        self.dropped = 0

    def append(self, item: T) -> None:
        if len(self._items) == self._items.maxlen:
            self.dropped += 1
        self._items.append(item)

    @property
    def seen(self) -> int:
        """Every item ever appended since the last clear, kept or dropped."""
        return len(self._items) + self.dropped

    def clear(self) -> None:
        self._items.clear()
        self.dropped = 0

    def pop(self, index: int = -1) -> T:
        if index == 0:
            return self._items.popleft()
        return self._items.pop()

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __getitem__(self, index: int) -> T:
        return self._items[index]


class Recorder:
    """Keeps the newest records and wakes up whoever waits for more of them.

    ``max_records`` bounds the requests, the failed handshakes and the handler errors each;
    ``dropped`` counts what was forgotten to stay within it.
    """

    def __init__(self, max_records: int = MAX_RECORDS) -> None:
        self.records: Bounded[StubRecord] = Bounded(max_records)
        self.handshake_failures: Bounded[HandshakeFailure] = Bounded(max_records)
        self.listeners: list[Callable[[StubRecord], None]] = []
        # Exceptions raised while answering, kept so that a test can raise them again.
        self.handler_errors: Bounded[Exception] = Bounded(max_records)
        # Created only while someone waits: most records are added with nobody waiting.
        self._changed: asyncio.Event | None = None

    def add_record(self, record: StubRecord) -> None:
        """Append a request record."""
        self.records.append(record)
        for listener in self.listeners:
            listener(record)
        self._notify()

    def add_handshake_failure(self, failure: HandshakeFailure) -> None:
        """Append a failed handshake."""
        self.handshake_failures.append(failure)
        self._notify()

    def add_handler_error(self, error: Exception) -> None:
        """Keep an exception raised while answering a request."""
        self.handler_errors.append(error)

    def clear(self) -> None:
        """Forget every record, failure and handler error, and the counts of dropped ones."""
        self.records.clear()
        self.handshake_failures.clear()
        self.handler_errors.clear()

    def dropped_json(self) -> dict[str, int]:
        """How many of each were dropped to stay within the bound."""
        return {
            "requests": self.records.dropped,
            "handshake_failures": self.handshake_failures.dropped,
        }

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        """Return once ``ready()`` is true; raise TimeoutError naming ``what`` after ``timeout``."""
        try:
            async with asyncio.timeout(timeout):
                while not ready():
                    if self._changed is None:
                        self._changed = asyncio.Event()
                    await self._changed.wait()
        except TimeoutError:
            raise TimeoutError(f"the stub did not see {what} within {timeout:g} s") from None

    def to_json(self) -> dict[str, object]:
        """``{"requests": [...], "handshake_failures": [...]}``."""
        return {
            "requests": [record.to_json() for record in self.records],
            "handshake_failures": [failure.to_json() for failure in self.handshake_failures],
            "dropped": self.dropped_json(),
        }
