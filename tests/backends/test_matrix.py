"""The backend matrix: every stack in its own process, every situation, the same answer.

Each cell sends one remote start (``hubsim send``'s one-shot code) and runs the one-shot
check (``hubsim check``), and asserts the send outcome and the status of every layer the
case names. Refusal cases run five times each against the same backend process.
"""

from __future__ import annotations

import pytest

from tests.backends.matrix import Case, cells, run_cell, spec_for
from tests.backends.pool import BackendPool
from tests.backends.stacks import Stack

REPEATS = 5


def _params() -> list[object]:
    params: list[object] = []
    for case, stack in cells():
        for repeat in range(REPEATS if case.refusal else 1):
            ident = f"{stack.name}-{case.name}" + (f"-run{repeat + 1}" if case.refusal else "")
            params.append(pytest.param(case, stack, id=ident.replace(" ", "_")))
    return params


@pytest.mark.parametrize(("case", "stack"), _params())
async def test_each_backend_situation_gets_its_one_outcome(
    case: Case, stack: Stack, backends: BackendPool
) -> None:
    backend = backends.get(stack.name, spec_for(case, stack))
    result = await run_cell(case, backend, backends.materials)
    assert result.outcome == case.outcome, result.detail
    assert {key: result.layers[key] for key in case.layers} == case.layers


@pytest.mark.parametrize(
    ("case", "stack"),
    [
        pytest.param(case, stack, id=f"{stack.name}-{case.name}".replace(" ", "_"))
        for case, stack in cells()
        if case.outcome in ("not_http", "header_too_large")
    ],
)
async def test_an_http_parsers_complaint_is_one_line_of_the_sentence(
    case: Case, stack: Stack, backends: BackendPool
) -> None:
    # aiohttp's complaint spans lines: the bytes on one, a caret under the spot on the next.
    backend = backends.get(stack.name, spec_for(case, stack))
    result = await run_cell(case, backend, backends.materials, check=False)
    assert "\n" not in result.detail and "^" not in result.detail, result.detail
