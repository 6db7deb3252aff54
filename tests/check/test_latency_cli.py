"""Layer 11 (latency) as a user meets it: ``hubsim check`` in its own process against the
stub in its own process, told to answer late."""

from __future__ import annotations

import json

from mockpki import PKIFiles
from tests.cli.conftest import hubsim
from tests.load.conftest import stub_process


async def _latency(pki: PKIFiles, url: str, timeout: str) -> dict[str, object]:
    run = await hubsim(
        "check", "--url", url, "--server-cert", "hubject", "--pki", str(pki.directory),
        "--json", "--no-reservation", "--timeout", timeout,
    )  # fmt: skip
    assert run.code == 1, run.err
    return {layer["key"]: layer for layer in json.loads(run.out)["layers"]}["latency"]


async def test_a_timeout_shorter_than_hubjects_asks_for_10_s_not_a_faster_backend(
    pki_files: PKIFiles,
) -> None:
    async with stub_process(pki_files) as stub:
        await stub.behave("_default", {"type": "delay", "seconds": 1.5, "then": {"type": "accept"}})
        latency = await _latency(pki_files, stub.url, "1")
    assert latency["status"] == "FAIL"
    assert latency["fix"] == (
        "The check waited 1 s, less than the 10 s Hubject waits: run it with a timeout of 10 s "
        "(--timeout 10, or timeout_s in the admin API) to see whether the backend answers "
        "within Hubject's budget. If it needs longer than that, answer the request at once and "
        "act on the EVSE afterwards."
    )
