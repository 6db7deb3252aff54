"""Shrink a JSON body while an answer keeps its UNEXPECTED class.

Hypothesis's own shrinker works on its choice sequence and replays the test many times; a
CPO endpoint has state (a started EVSE is busy), so the fuzzer shrinks the JSON itself:
greedy, deterministic and bounded. A candidate is kept when the endpoint still answers it
with the same class; the result is locally minimal: no member can be removed and no value
made simpler without losing the class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

MAX_ATTEMPTS = 120
"""At most this many requests per shrunk class (each candidate is one request)."""


def shrink(
    body: dict[str, Any],
    still_fails: Callable[[dict[str, Any]], bool],
    time_left: Callable[[], bool] = lambda: True,
) -> dict[str, Any]:
    """The smallest body found, by removing members and simplifying values, that still fails.

    Stops after :data:`MAX_ATTEMPTS` requests, or when ``time_left()`` says the run's
    ``--max-time`` is up; the smallest failing body so far is the answer.
    """
    attempts = 0
    current = body
    improved = True
    while improved and attempts < MAX_ATTEMPTS and time_left():
        improved = False
        for candidate in _candidates(current):
            if attempts >= MAX_ATTEMPTS or not time_left():
                break
            attempts += 1
            if still_fails(candidate):
                current, improved = candidate, True
                break
    return current


def _candidates(value: Any) -> Iterator[Any]:
    """Simpler versions of ``value``, simplest first."""
    if isinstance(value, dict):
        for key in value:
            yield {k: v for k, v in value.items() if k != key}
        for key, member in value.items():
            for simpler in _candidates(member):
                yield {**value, key: simpler}
    elif isinstance(value, str):
        if len(value) > 1:
            yield value[:1]
            yield value[: len(value) // 2]
    elif isinstance(value, list):
        if value:
            yield []
    elif isinstance(value, bool):
        return
    elif isinstance(value, int | float) and value != 0:
        yield 0
