"""Judging one exchange against a step's expectations: one sentence per unmet expectation."""

from __future__ import annotations

from hubsim.scenario.model import Expectation
from oicp import describe
from simulator.exchange import Exchange

# A sentence, and whether the exchange's own diagnosis explains it.
_Miss = tuple[str, bool] | None


def judge(expect: Expectation, exchange: Exchange) -> list[str]:
    """Every way ``exchange`` misses ``expect`` (empty when it meets all of them).

    The exchange's diagnosis follows the first sentence it explains, not every one: a
    404 page missing three expectations is quoted once.
    """
    misses = [
        _outcome(expect, exchange),
        _result(expect, exchange),
        _status_code(expect, exchange),
        _latency(expect, exchange),
    ]
    sentences: list[str] = []
    told = False
    for miss in misses:
        if miss is None:
            continue
        sentence, explained = miss
        if explained and not told:
            sentence, told = f"{sentence}: {exchange.detail}", True
        sentences.append(sentence)
    return sentences


def _outcome(expect: Expectation, exchange: Exchange) -> _Miss:
    if expect.outcome is None or exchange.outcome.value == expect.outcome:
        return None
    return f"expected outcome {expect.outcome}, got {exchange.outcome.value}", True


def _result(expect: Expectation, exchange: Exchange) -> _Miss:
    if expect.result is None or exchange.result is expect.result:
        return None
    if exchange.result is None:
        return (
            f"expected Result {str(expect.result).lower()}, but no acknowledgement came back "
            f"(outcome {exchange.outcome.value})",
            True,
        )
    return (
        f"expected Result {str(expect.result).lower()}, got {str(exchange.result).lower()}",
        False,
    )


def _status_code(expect: Expectation, exchange: Exchange) -> _Miss:
    wanted = expect.status_code
    if wanted is None or exchange.status_code == wanted:
        return None
    meaning = describe(wanted) or "unknown code"
    if exchange.status_code is None:
        return (
            f"expected StatusCode {wanted} ({meaning}), but no acknowledgement came back "
            f"(outcome {exchange.outcome.value})",
            True,
        )
    return (
        f"expected StatusCode {wanted} ({meaning}), got {exchange.status_code} "
        f"({exchange.status_description})",
        False,
    )


def _latency(expect: Expectation, exchange: Exchange) -> _Miss:
    bound = expect.max_latency_ms
    if bound is None or exchange.elapsed_ms <= bound:
        return None
    return f"took {exchange.elapsed_ms:.0f} ms, more than max_latency_ms {bound:g}", False
