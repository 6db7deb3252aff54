"""Refusals of the control API of a ``hubsim stub serve`` process quote the body as it was
sent, in JSON, not as Python writes it."""

from __future__ import annotations

import aiohttp
import pytest

from mockpki import PKIFiles
from tests.load.conftest import stub_process


@pytest.mark.parametrize(
    ("behaviour", "told"),
    [
        ({"type": "reject"}, "got null or nothing"),
        ({"type": "reject", "code": 602}, "got 602"),
        ({"type": "delay", "seconds": True}, "got true"),
        ({"type": None}, "got null or nothing"),
    ],
)
async def test_a_refused_behaviour_quotes_the_value_as_json(
    behaviour: dict[str, object], told: str, pki_files: PKIFiles
) -> None:
    async with stub_process(pki_files) as stub, aiohttp.ClientSession() as http:
        url = f"{stub.control}/behaviours/DE*ABC*E0001"
        async with http.put(url, json=behaviour) as answer:
            status, body = answer.status, await answer.json()
    assert status == 400
    assert body["error"].endswith(told), body
    assert "None" not in body["error"] and "True" not in body["error"]
