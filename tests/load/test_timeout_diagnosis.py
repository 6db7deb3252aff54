"""A timeout says whether the request could have reached the backend.

HAProxy at its ``maxconn`` and a port that accepts TCP without speaking TLS leave the
hub's handshake waiting; the timeout's sentence told the CPO to make its backend answer the
remote start sooner, for a request it never got (and said "remote start" for reservations).
"""

from __future__ import annotations

import json

from mockpki import PKIFiles
from tests.cli.conftest import hubsim
from tests.load.conftest import StubProcess, script_server

# Accepts every connection and keeps it, never reading or writing a byte.
_SILENT = """
import socket
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
held = []
while True:
    held.append(server.accept()[0])
"""


async def _reserve(url: str, pki: PKIFiles) -> dict[str, str]:
    run = await hubsim(
        *("send", "reservation-start", "--url", url, "--server-cert", "hubject"),
        *("--pki", str(pki.directory), "--timeout", "1", "--duration", "15"),
        *("--provider", "DE*ICE", "--evse", "DE*ABC*E0001", "--json"),
    )
    exchange: dict[str, str] = json.loads(run.out)
    return exchange


async def test_a_timeout_whose_further_handshake_does_not_finish_may_never_have_reached_it(
    pki_files: PKIFiles,
) -> None:
    async with script_server(_SILENT) as port:
        exchange = await _reserve(f"https://localhost:{port}", pki_files)
    assert exchange["outcome"] == "timeout", exchange["detail"]
    assert "did not finish in time either" in exchange["detail"]
    assert "may never have reached the backend" in exchange["detail"]


async def test_a_timeout_of_a_backend_that_shakes_hands_asks_it_to_answer_sooner(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    await stub.behave("DE*ABC*E0001", {"type": "delay", "seconds": 3, "then": {"type": "accept"}})
    exchange = await _reserve(stub.url, pki_files)
    assert exchange["outcome"] == "timeout", exchange["detail"]
    assert "make the backend answer at once" in exchange["detail"]
    assert "remote start" not in exchange["detail"]


async def test_a_timeout_shorter_than_hubjects_says_a_later_answer_may_be_in_time(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    # A 3 s answer is within Hubject's 10 s; the sentence asked the backend to be faster.
    await stub.behave("DE*ABC*E0001", {"type": "delay", "seconds": 3, "then": {"type": "accept"}})
    exchange = await _reserve(stub.url, pki_files)
    assert (
        "a timeout shorter than Hubject's 10 s, so a later answer may still be in time"
        in (exchange["detail"])
    )


async def test_a_timeout_above_five_seconds_ends_at_its_time_not_at_the_next_whole_second(
    stub: StubProcess, pki_files: PKIFiles
) -> None:
    # aiohttp rounds a timeout above 5 s up to the next whole second of its clock: an answer
    # 0.4 s after a 5.01 s timeout counted as accepted in two runs of five.
    await stub.behave("DE*ABC*E0007", {"type": "delay", "seconds": 5.4, "then": {"type": "accept"}})
    run = await hubsim(
        *("send", "remote-start", "--url", stub.url, "--server-cert", "hubject"),
        *("--pki", str(pki_files.directory), "--timeout", "5.01"),
        *("--provider", "DE*ICE", "--evse", "DE*ABC*E0007", "--json"),
    )
    exchange = json.loads(run.out)
    assert exchange["outcome"] == "timeout", exchange["detail"]
    assert exchange["elapsed_ms"] < 5400
