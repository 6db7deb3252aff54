"""``hubsim emp remote-start``'s answer line, through a hub process to a foreign backend."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from mockpki import PKIFiles
from tests.cli.conftest import Served, hubsim, serve
from tests.load.conftest import nginx_answering

# Valid OICP: Description is optional, and this backend leaves it out.
_NO_DESCRIPTION = """default_type application/json;
            return 200 '{"Result": true, "StatusCode": {"Code": "000"}}';"""


async def test_an_answer_without_a_description_prints_the_codes_words_not_none(
    pki_files: PKIFiles, tmp_path: Path, served: list[Served]
) -> None:
    pki = str(pki_files.directory)
    hub = await serve(
        "hub", "serve", "--pki", pki, "--port", "0", "--oicp-port", "0", ready="listening on"
    )
    served.append(hub)
    async with nginx_answering(_NO_DESCRIPTION, pki_files, tmp_path) as nginx:
        async with aiohttp.ClientSession(base_url=hub.url) as api:
            await api.post("/api/operators", json={"operator_id": "DE*ABC"})
            settings = {"online_request": True, "service_url": nginx.url}
            await api.put("/api/operators/DE*ABC/settings/authorization", json=settings)
        assert (await hubsim("emp", "add", "DE-ICE", "--hub", hub.url)).code == 0
        contract = await hubsim("emp", "contract", "DE-ICE", "--with", "DE*ABC", "--hub", hub.url)
        assert contract.code == 0
        start = await hubsim(
            "emp", "remote-start", "DE-ICE", "--evse", "DE*ABC*E0001", "--hub", hub.url
        )
    assert start.code == 0, start.err
    assert start.out.splitlines()[0] == "HTTP 200 Result true 000 Success."
