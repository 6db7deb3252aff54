"""Expectations: requests a test expects the stub to receive, and how to answer each.

They sit in front of the behaviour table (``set_behaviour``): a request that matches an
expectation is answered as the expectation says, any other request as before. Each
expectation keeps its own call list, so a test can assert on exactly the requests it
arranged. Lifetimes follow pytest-httpserver's:

* permanent: answers every matching request;
* one-shot: answers one matching request, then steps aside;
* ordered: one-shot, and the ordered ones must arrive in the order they were declared
  (a request that matches a later one first is recorded as a problem).

    stub.expect_oneshot(evse_id="DE*ABC*E0002").respond_with_code("602")
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Self

from cpo_stub.behaviour import Accept, Behaviour, CloseConnection, Delay, Reject
from cpo_stub.recording import NoRequestsError, StubRecord
from oicp.messages import RemoteRequest
from oicp.operations import Operation

Responder = Callable[[RemoteRequest], Behaviour]
"""A function that picks the answer from the request; what it raises is kept for the test."""


class Lifetime(enum.Enum):
    """How many requests an expectation answers."""

    PERMANENT = "permanent"
    ONESHOT = "oneshot"
    ORDERED = "ordered"


class Expectation:
    """One expected request (matched on EvseID, operation, SessionID) and its answer."""

    def __init__(
        self,
        *,
        evse_id: str | None = None,
        operation: Operation | None = None,
        session_id: str | None = None,
        lifetime: Lifetime = Lifetime.PERMANENT,
    ) -> None:
        self.evse_id = evse_id
        self.operation = operation
        self.session_id = session_id
        self.lifetime = lifetime
        self.calls: list[StubRecord] = []
        self._answer: Behaviour | Responder = Accept()
        self._delay_s: float | None = None
        self._taken = 0  # requests assigned, counted when chosen (calls fill in after answering)

    # --- arranging ----------------------------------------------------------------------

    def respond_with(self, answer: Behaviour | Responder) -> Self:
        """Answer with a behaviour, or with what ``answer(request)`` returns."""
        self._answer = answer
        return self

    def respond_with_code(self, code: str, additional_info: str | None = None) -> Self:
        """Answer Result false with ``code`` ("602" EVSE in use, "603" unknown EVSE …)."""
        return self.respond_with(Reject(code, additional_info))

    def accept(self) -> Self:
        """Answer as a working CPO does (Result true, 000, EVSE state rules apply)."""
        return self.respond_with(Accept())

    def delay(self, seconds: float) -> Self:
        """Wait ``seconds`` before answering (combine with any ``respond_with*``)."""
        Delay(seconds)  # validates the value now, where the test set it
        self._delay_s = seconds
        return self

    def drop(self) -> Self:
        """Close the connection without answering."""
        return self.respond_with(CloseConnection())

    # --- matching -----------------------------------------------------------------------

    def matches(self, message: RemoteRequest) -> bool:
        """True if ``message`` is a request this expectation is about."""
        return (
            (self.evse_id is None or message.evse_id == self.evse_id)
            and (self.operation is None or message.operation is self.operation)
            and (self.session_id is None or message.session_id == self.session_id)
        )

    @property
    def exhausted(self) -> bool:
        """A one-shot or ordered expectation that has answered its request."""
        return self.lifetime is not Lifetime.PERMANENT and self._taken >= 1

    def take(self, message: RemoteRequest) -> Behaviour:
        """Claim ``message`` and return the behaviour that answers it."""
        self._taken += 1
        answer = self._answer if isinstance(self._answer, Behaviour) else self._answer(message)
        return answer if self._delay_s is None else Delay(self._delay_s, answer)

    # --- asserting ----------------------------------------------------------------------

    @property
    def called(self) -> bool:
        """True once a request matched."""
        return self._taken > 0

    @property
    def call_count(self) -> int:
        """How many requests matched."""
        return self._taken

    @property
    def last(self) -> StubRecord:
        """The last request this expectation answered."""
        if not self.calls:
            raise NoRequestsError(f"no request matched {self.describe()}")
        return self.calls[-1]

    def describe(self) -> str:
        """E.g. ``one-shot expectation (remote-start, EvseID DE*ABC*E1)``."""
        parts = [
            self.operation.slug if self.operation else "any operation",
            f"EvseID {self.evse_id}" if self.evse_id else "any EvseID",
        ]
        if self.session_id:
            parts.append(f"SessionID {self.session_id}")
        kind = {"permanent": "permanent", "oneshot": "one-shot", "ordered": "ordered"}
        return f"{kind[self.lifetime.value]} expectation ({', '.join(parts)})"


class ExpectationBook:
    """The stub's expectations, and the problems seen while matching them."""

    def __init__(self) -> None:
        self._items: list[Expectation] = []
        self.problems: list[str] = []

    def add(self, expectation: Expectation) -> Expectation:
        """Register ``expectation``; returns it for chaining."""
        self._items.append(expectation)
        return expectation

    def remove(self, expectation: Expectation) -> None:
        """Forget one expectation (no error if it is not registered)."""
        if expectation in self._items:
            self._items.remove(expectation)

    def clear(self) -> None:
        """Forget every expectation and problem."""
        self._items.clear()
        self.problems.clear()

    @property
    def expectations(self) -> list[Expectation]:
        """Every registered expectation, in the order declared."""
        return list(self._items)

    def unused(self) -> list[Expectation]:
        """The expectations no request has matched yet."""
        return [item for item in self._items if not item.called]

    def choose(self, message: RemoteRequest) -> Expectation | None:
        """The expectation that answers ``message``: ordered, then one-shot, then permanent."""
        if not self._items:  # the usual case, asked on every request
            return None
        ordered = self._ordered_choice(message)
        if ordered is not None:
            return ordered
        for lifetime in (Lifetime.ONESHOT, Lifetime.PERMANENT):
            for item in self._items:
                if item.lifetime is lifetime and not item.exhausted and item.matches(message):
                    return item
        return None

    def _ordered_choice(self, message: RemoteRequest) -> Expectation | None:
        pending = [i for i in self._items if i.lifetime is Lifetime.ORDERED and not i.exhausted]
        if pending and pending[0].matches(message):
            return pending[0]
        skipped = next((item for item in pending[1:] if item.matches(message)), None)
        if skipped is not None:
            self.problems.append(
                f"{message.operation.slug} for EvseID {message.evse_id} matched "
                f"{skipped.describe()} before {pending[0].describe()} was used; ordered "
                "expectations must be met in the order they were declared"
            )
        return None
