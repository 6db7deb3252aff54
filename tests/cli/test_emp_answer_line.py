"""``hubsim emp remote-start``'s answer line, through a hub process to a foreign backend."""

from __future__ import annotations

from pathlib import Path

from mockpki import PKIFiles
from tests.cli.conftest import Served, cpo_with_emp, hubsim, roaming_hub
from tests.load.conftest import nginx_answering

# Valid OICP: Description is optional, and this backend leaves it out.
_NO_DESCRIPTION = """default_type application/json;
            return 200 '{"Result": true, "StatusCode": {"Code": "000"}}';"""


async def test_an_answer_without_a_description_prints_the_codes_words_not_none(
    pki_files: PKIFiles, tmp_path: Path, served: list[Served]
) -> None:
    hub, _ = await roaming_hub(pki_files, served)
    async with nginx_answering(_NO_DESCRIPTION, pki_files, tmp_path) as nginx:
        await cpo_with_emp(hub, nginx.url)
        start = await hubsim(
            "emp", "remote-start", "DE-ICE", "--evse", "DE*ABC*E0001", "--hub", hub.url
        )
    assert start.code == 0, start.err
    assert start.out.splitlines()[0] == "HTTP 200 Result true 000 Success."
