"""A session's timeline holds every message about its SessionID, those the hub refused
included: the hub, the stub (as a real backend reporting back) and the EMP commands are each
a process of their own."""

from __future__ import annotations

import json

import aiohttp

from mockpki import PKIFiles
from tests.cli.conftest import Served, cpo_with_emp, hubsim, line_with, roaming_hub, serve


async def test_late_notifications_on_a_dropped_session_are_on_its_timeline_as_refused(
    pki_files: PKIFiles, served: list[Served]
) -> None:
    hub, oicp_url = await roaming_hub(pki_files, served)
    stub = await serve(
        "stub", "serve", "--pki", str(pki_files.directory), "--port", "0",
        "--control-port", "0", "--hub-url", oicp_url, ready="listening on",
    )  # fmt: skip
    served.append(stub)
    control = (await line_with(stub, "control API on")).split(" on ")[1].strip()
    # The hub waits 1 s; the stub accepts after 2 s and then reports Start and Progress.
    await cpo_with_emp(hub, stub.url.replace("127.0.0.1", "localhost"), timeout_s=1)
    async with aiohttp.ClientSession() as api:
        late = {"type": "delay", "seconds": 2, "then": {"type": "accept"}}
        await api.put(f"{control}/behaviours/_default", json=late)
    start = await hubsim(
        "emp", "remote-start", "DE-ICE", "--evse", "DE*ABC*E0001", "--hub", hub.url, "--json"
    )
    assert start.code == 1, start.out
    session_id = json.loads(start.out)["session_id"]
    await line_with(stub, "notification Progress")  # the stub has had the hub's answer

    shown = await hubsim("emp", "sessions", "--session-id", session_id, "--hub", hub.url, "--json")
    data = json.loads(shown.out)
    assert data["session"]["state"] == "dropped"
    labels = [(e["label"], e["result"]) for e in data["timeline"]]
    assert labels == [
        ("remote start", False),
        ("notification Start", False),
        ("notification Progress", False),
    ]
    refused = data["timeline"][1]
    assert refused["status_code"] == "400"
    assert "was dropped" in refused["detail"]


async def test_a_second_stop_of_the_emps_own_session_is_on_its_timeline_as_refused(
    pki_files: PKIFiles, served: list[Served]
) -> None:
    hub, oicp_url = await roaming_hub(pki_files, served)
    stub = await serve(
        "stub", "serve", "--pki", str(pki_files.directory), "--port", "0",
        "--hub-url", oicp_url, ready="listening on",
    )  # fmt: skip
    served.append(stub)
    await cpo_with_emp(hub, stub.url.replace("127.0.0.1", "localhost"))
    emp = ("--evse", "DE*ABC*E0001", "--hub", hub.url, "--json")
    start = await hubsim("emp", "remote-start", "DE-ICE", *emp)
    session_id = json.loads(start.out)["session_id"]
    await line_with(stub, "notification Progress")
    stop = await hubsim("emp", "remote-stop", "DE-ICE", "--session-id", session_id, *emp)
    assert stop.code == 0, stop.out + stop.err
    await line_with(stub, "-> hub: CDR")  # the CDR closes the session
    again = await hubsim("emp", "remote-stop", "DE-ICE", "--session-id", session_id, *emp)
    assert again.code == 1, again.out + again.err

    shown = await hubsim("emp", "sessions", "--session-id", session_id, "--hub", hub.url, "--json")
    timeline = json.loads(shown.out)["timeline"]
    assert [(e["label"], e["result"]) for e in timeline] == [
        ("remote start", True),
        ("notification Start", True),
        ("notification Progress", True),
        ("remote stop", True),
        ("notification End", True),
        ("CDR", True),
        ("remote stop", False),
    ]
    assert "can no longer be stopped" in timeline[-1]["detail"]
