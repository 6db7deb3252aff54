"""The ``hubsim`` command line, run as a real process."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from cpo_stub import CPOStub, Reject
from hubsim.cli import main
from mockpki import PKIFiles
from tests.cli.conftest import Served, hubsim, line_with, serve, write

SEND_FIELDS = {
    "ok",
    "outcome",
    "result",
    "status_code",
    "session_id",
    "http_status",
    "elapsed_ms",
    "detail",
}


@pytest.fixture
async def stub(pki_files: PKIFiles) -> AsyncIterator[CPOStub]:
    async with CPOStub.from_pki_dir(pki_files.directory) as stub:
        yield stub


def one_shot(url: str, pki: Path, *extra: str) -> list[str]:
    return [
        "send",
        "remote-start",
        "--url",
        url,
        "--server-cert",
        "hubject",
        "--pki",
        str(pki),
        "--provider",
        "DE*ICE",
        "--evse",
        "DE*ABC*E0001",
        "--json",
        *extra,
    ]


def test_pki_init_writes_every_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["pki", "init", "--dir", str(tmp_path), "--host", "localhost", "--operator", "DE*ABC"])
        == 0
    )
    assert PKIFiles(tmp_path).missing() == []
    for name in (
        "hubject-ca.pem",
        "hub-client.pem",
        "cpo-server.key",
        "cpo-user-server.pem",
        "cpo-client.pem",
    ):
        assert name in capsys.readouterr().out or (tmp_path / name).is_file()


async def test_one_shot_send_prints_the_contract_fields_and_exits_0(
    stub: CPOStub, pki_files: PKIFiles
) -> None:
    run = await hubsim(*one_shot(stub.url.replace("127.0.0.1", "localhost"), pki_files.directory))
    assert run.code == 0, run.err
    result = json.loads(run.out)
    assert result.keys() >= SEND_FIELDS
    assert result["ok"] is True and result["result"] is True and result["status_code"] == "000"


async def test_one_shot_send_names_the_evse_and_the_cpo_hubject_derives_from_it(
    stub: CPOStub, pki_files: PKIFiles
) -> None:
    url = stub.url.replace("127.0.0.1", "localhost")
    run = await hubsim(*one_shot(url, pki_files.directory, "--evse", "DE*XYZ*E0042"))
    exchange = json.loads(run.out)["exchange"]
    assert (exchange["evse_id"], exchange["partner_id"]) == ("DE*XYZ*E0042", "DE*XYZ")


async def test_send_exits_1_when_the_cpo_answers_result_false(
    stub: CPOStub, pki_files: PKIFiles
) -> None:
    stub.set_behaviour(Reject("602"))
    run = await hubsim(*one_shot(stub.url.replace("127.0.0.1", "localhost"), pki_files.directory))
    result = json.loads(run.out)
    assert run.code == 1 and result["status_code"] == "602" and result["result"] is False


async def test_one_shot_user_certificate_mode(pki_files: PKIFiles) -> None:
    async with CPOStub.from_pki_dir(pki_files.directory, user_cert=True) as user_stub:
        args = one_shot(user_stub.url.replace("127.0.0.1", "localhost"), pki_files.directory)
        args[args.index("hubject")] = f"user:{pki_files.cpo_user_server_cert}"
        run = await hubsim(*args)
    assert run.code == 0, run.out + run.err


async def test_refusal_is_one_line_without_traceback(pki_files: PKIFiles) -> None:
    run = await hubsim(*one_shot("https://cpo .example", pki_files.directory))
    assert run.code == 2
    assert run.err.startswith("hubsim: error: ") and run.err.count("\n") == 1
    assert "Traceback" not in run.err and run.err.startswith("hubsim: error: --url: ")


async def test_missing_pki_folder_is_explained(tmp_path: Path) -> None:
    run = await hubsim(*one_shot("https://localhost:1", tmp_path / "nope"))
    assert run.code == 2 and "hubsim pki init --dir" in run.err


async def test_demo_runs_every_step_as_expected() -> None:
    run = await hubsim("demo", "--json")
    report = json.loads(run.out)
    assert run.code == 0 and report["ok"] is True, run.out
    assert {s["mode"] for s in report["steps"]} == {"hubject", "user"}
    for step in report["steps"]:
        assert set(step) == {"name", "mode", "operation", "ok", "outcome", "status_code", "detail"}
    negatives = [s for s in report["steps"] if s["outcome"] != "accepted"]
    assert [s["outcome"] for s in negatives] == ["server_cert_untrusted"] * 2


async def test_hub_serve_applies_its_config_and_sends_through_the_hub(
    tmp_path: Path, stub: CPOStub, pki_files: PKIFiles, served: list[Served]
) -> None:
    config = write(
        tmp_path / "hub.yaml",
        f"""
pki_dir: {pki_files.directory}
operators:
  - operator_id: "DE*ABC"
    settings:
      authorization:
        online_request: true
        service_url: "{stub.url.replace("127.0.0.1", "localhost")}"
        server_certification: hubject
""",
    )
    hub = await serve("hub", "serve", "--config", str(config), "--port", "0", ready="listening on")
    served.append(hub)
    run = await hubsim(
        "send",
        "remote-start",
        "--hub",
        hub.url,
        "--operator",
        "DE*ABC",
        "--provider",
        "DE*ICE",
        "--evse",
        "DE*ABC*E0001",
        "--json",
    )
    assert run.code == 0, run.out + run.err
    async with aiohttp.ClientSession() as session, session.get(f"{hub.url}/api/exchanges") as resp:
        logged = (await resp.json())["exchanges"]
    assert [e["outcome"] for e in logged] == ["accepted"]


async def test_stub_serve_logs_a_refused_handshake_with_its_reason(
    pki_files: PKIFiles, served: list[Served]
) -> None:
    stub = await serve(
        "stub", "serve", "--pki", str(pki_files.directory), "--port", "0", ready="listening on"
    )
    served.append(stub)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientError):
            async with session.get(stub.url, ssl=False):
                pass
    assert stub.proc.stderr is not None
    line = (await stub.proc.stderr.readline()).decode()
    assert "handshake" in line and "certificate" in line


async def test_full_lifecycle_from_the_command_line(
    tmp_path: Path, pki_files: PKIFiles, served: list[Served]
) -> None:
    """EMP -> hub -> stub, and the stub, acting as a real backend, reports back to the hub."""
    pki = str(pki_files.directory)
    hub = await serve(
        "hub", "serve", "--pki", pki, "--port", "0", "--oicp-port", "0", ready="listening on"
    )
    served.append(hub)
    oicp_url = (await line_with(hub, "OICP endpoints")).rsplit(" on ", 1)[1].strip()
    stub = await serve(
        "stub", "serve", "--pki", pki, "--port", "0", "--hub-url", oicp_url, ready="listening on"
    )
    served.append(stub)
    async with aiohttp.ClientSession(base_url=hub.url) as api:
        await api.post("/api/operators", json={"operator_id": "DE*ABC"})
        settings = {
            "online_request": True,
            "service_url": stub.url.replace("127.0.0.1", "localhost"),
        }
        await api.put("/api/operators/DE*ABC/settings/authorization", json=settings)
    assert (await hubsim("emp", "add", "DE-ICE", "--hub", hub.url)).code == 0
    assert (
        await hubsim("emp", "contract", "DE-ICE", "--with", "DE*ABC", "--hub", hub.url)
    ).code == 0

    start = await hubsim(
        "emp", "remote-start", "DE-ICE", "--evse", "DE*ABC*E0001", "--hub", hub.url, "--json"
    )
    assert start.code == 0, start.out + start.err
    session_id = json.loads(start.out)["session_id"]
    await line_with(stub, "notification Progress")
    stop = await hubsim(
        "emp",
        "remote-stop",
        "DE-ICE",
        "--evse",
        "DE*ABC*E0001",
        "--session-id",
        session_id,
        "--hub",
        hub.url,
        "--json",
    )
    assert stop.code == 0, stop.out + stop.err
    assert "(ok)" in await line_with(stub, "-> hub: CDR")

    shown = await hubsim("emp", "sessions", "--session-id", session_id, "--hub", hub.url, "--json")
    timeline = json.dumps(json.loads(shown.out))
    for event in ("Start", "Progress", "End"):
        assert event in timeline
