"""A running hub picks up its renewed certificates without a restart, and shows their expiry.

Everything runs as a user runs it: ``hubsim hub serve``, ``hubsim stub serve`` and ``hubsim
pki renew`` are separate processes. The stub pins the hub's original leaf (it is the stub's
only client anchor), so whether a call gets through tells which certificate the hub presents.
"""

from __future__ import annotations

import asyncio
import os
import signal
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from mockpki import (
    MockHubjectPKI,
    PKIFiles,
    describe_der,
    load_pem_chain,
    self_signed_server_cert,
)
from mockpki._x509 import certificate_pem
from tests.cli.conftest import Served, line_with, serve

HUBSIM = [sys.executable, "-m", "hubsim"]


@pytest.fixture
async def served() -> AsyncIterator[list[Served]]:
    started: list[Served] = []
    yield started
    for process in started:
        process.proc.kill()
        await process.proc.wait()


def fresh_pki(directory: Path, *extra: str) -> PKIFiles:
    done = subprocess.run(
        [*HUBSIM, "pki", "init", "--dir", str(directory), *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return PKIFiles(directory)


def renew_hub_client(files: PKIFiles) -> None:
    done = subprocess.run(
        [*HUBSIM, "pki", "renew", "hub-client", "--dir", str(files.directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def serial_of(path: Path) -> str:
    return format(load_pem_chain(path.read_bytes())[0].serial_number, "X")


async def api(method: str, url: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, json=body, **kwargs) as resp,
    ):
        return resp.status, await resp.json()


async def start_hub(files: PKIFiles, served: list[Served]) -> str:
    hub = await serve(
        "hub", "serve", "--pki", str(files.directory), "--port", "0", ready="listening on"
    )
    served.append(hub)
    return hub.url


async def configure(hub: str, service_url: str) -> None:
    await api("POST", f"{hub}/api/operators", {"operator_id": "DE*ABC"})
    settings = {
        "online_request": True,
        "service_url": service_url,
        "server_certification": "hubject",
    }
    status, _ = await api("PUT", f"{hub}/api/operators/DE*ABC/settings/authorization", settings)
    assert status == 200


async def remote_start(hub: str, evse: str) -> dict[str, Any]:
    body = {"evse_id": evse, "provider_id": "DE*ICE"}
    _, exchange = await api("POST", f"{hub}/api/operators/DE*ABC/send/remote-start", body)
    return dict(exchange)


async def pinning_stub(files: PKIFiles, tmp_path: Path, served: list[Served]) -> str:
    """A stub whose only client anchor is the hub's current leaf."""
    pinned = tmp_path / "pinned-hub-leaf.pem"
    pinned.write_bytes(certificate_pem(load_pem_chain(files.hub_client_cert.read_bytes())[0]))
    stub = await serve(
        "stub", "serve", "--pki", str(files.directory), "--port", "0",
        "--client-ca", str(pinned), ready="CPO stub listening on",
    )  # fmt: skip
    served.append(stub)
    return stub.url


async def test_the_hub_presents_its_renewed_certificate_after_the_reload_call_and_not_before(
    tmp_path: Path, served: list[Served]
) -> None:
    files = fresh_pki(tmp_path / "pki")
    old_serial = serial_of(files.hub_client_cert)
    hub = await start_hub(files, served)
    await configure(hub, await pinning_stub(files, tmp_path, served))
    assert (await remote_start(hub, "DE*ABC*E0001"))["outcome"] == "accepted"
    renew_hub_client(files)
    assert (await remote_start(hub, "DE*ABC*E0002"))["outcome"] == "accepted"  # not reloaded
    status, reloaded = await api("POST", f"{hub}/api/hub/certificate/reload")
    assert status == 200
    assert reloaded["serial_number"] == serial_of(files.hub_client_cert) != old_serial
    assert reloaded["previous"]["serial_number"] == old_serial
    refused = await remote_start(hub, "DE*ABC*E0003")
    assert refused["outcome"] != "accepted"  # the stub pinned the old leaf


async def test_sighup_makes_the_hub_reload_its_certificate(
    tmp_path: Path, served: list[Served]
) -> None:
    files = fresh_pki(tmp_path / "pki")
    hub = await start_hub(files, served)
    renew_hub_client(files)
    os.kill(served[0].proc.pid, signal.SIGHUP)
    line = await line_with(served[0], "reloaded the hub's service certificate")
    assert serial_of(files.hub_client_cert) in line
    _, shown = await api("GET", f"{hub}/api/hub/certificate")
    assert shown["serial_number"] == serial_of(files.hub_client_cert)


async def test_a_reload_from_a_broken_pki_is_refused_and_the_hub_keeps_its_certificate(
    tmp_path: Path, served: list[Served]
) -> None:
    files = fresh_pki(tmp_path / "pki")
    old_serial = serial_of(files.hub_client_cert)
    hub = await start_hub(files, served)
    files.hub_client_key.write_bytes(files.cpo_client_key.read_bytes())  # another certificate's key
    status, refusal = await api("POST", f"{hub}/api/hub/certificate/reload")
    assert status == 409
    assert "hub-client.pem and hub-client.key" in refusal["error"]
    assert "hubsim pki renew hub-client" in refusal["error"]
    assert refusal["issues"][0]["field"] == "pki_dir"
    _, shown = await api("GET", f"{hub}/api/hub/certificate")
    assert shown["serial_number"] == old_serial


async def test_the_api_shows_days_to_expiry_and_an_urgent_alarm_under_7_days(
    tmp_path: Path, served: list[Served]
) -> None:
    files = fresh_pki(tmp_path / "pki", "--expires-in", "5d")
    hub = await start_hub(files, served)
    _, shown = await api("GET", f"{hub}/api/hub/certificate")
    assert shown["days_left"] == 4  # 5 days less the seconds since pki init
    assert shown["expiry_alarm"] == "urgent"
    assert shown["expiry_message"].startswith("Urgent: the certificate expires on")


async def test_an_upload_expiring_within_30_days_carries_a_warning(
    tmp_path: Path, served: list[Served]
) -> None:
    files = fresh_pki(tmp_path / "pki")
    hub = await start_hub(files, served)
    await api("POST", f"{hub}/api/operators", {"operator_id": "DE*ABC"})
    soon = self_signed_server_cert("localhost", not_after=datetime.now(UTC) + timedelta(days=20))
    async with aiohttp.ClientSession() as session:
        url = f"{hub}/api/operators/DE*ABC/certificates?filename=soon.pem"
        async with session.post(url, data=soon.cert_pem) as resp:
            stored = (await resp.json())["certificates"][0]
    assert (stored["days_left"], stored["expiry_alarm"]) == (19, "warn")
    _, listed = await api("GET", f"{hub}/api/operators/DE*ABC/certificates")
    assert listed["certificates"][0]["expiry_alarm"] == "warn"


async def test_an_exchange_shows_the_days_left_of_the_certificate_the_cpo_presented(
    tmp_path: Path, served: list[Served]
) -> None:
    files = fresh_pki(tmp_path / "pki", "--expires-in", "3d")
    hub = await start_hub(files, served)
    stub = await serve(
        "stub", "serve", "--pki", str(files.directory), "--port", "0", ready="CPO stub listening on"
    )
    served.append(stub)
    await configure(hub, stub.url)
    exchange = await remote_start(hub, "DE*ABC*E0001")
    assert exchange["outcome"] == "accepted"
    assert exchange["tls"]["server_days_left"] == 2
    assert exchange["tls"]["server_expiry_alarm"] == "urgent"
    assert (
        exchange["tls"]["server_not_after"]
        == MockHubjectPKI.load(files.directory).cpo_server.describe().not_after.isoformat()
    )


async def presented_serial(url: str) -> str:
    """The serial of the certificate a TLS server presents, read without verifying it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    host, port = url.removeprefix("https://").rsplit(":", 1)
    _reader, writer = await asyncio.open_connection(host, int(port), ssl=context)
    ssl_object = writer.get_extra_info("ssl_object")
    der = ssl_object.getpeercert(binary_form=True)
    writer.close()
    await writer.wait_closed()
    return describe_der(der).serial_number


async def test_the_oicp_listener_serves_a_renewed_hub_server_certificate_after_the_reload(
    tmp_path: Path, served: list[Served]
) -> None:
    files = fresh_pki(tmp_path / "pki")
    old_serial = serial_of(files.hub_server_cert)
    hub = await serve(
        "hub", "serve", "--pki", str(files.directory), "--port", "0", "--oicp-port", "0",
        ready="listening on",
    )  # fmt: skip
    served.append(hub)
    oicp = (await line_with(hub, "OICP endpoints")).split(" on ")[1].strip()
    assert await presented_serial(oicp) == old_serial
    done = subprocess.run(
        [*HUBSIM, "pki", "renew", "hub-server", "--dir", str(files.directory)],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0
    assert await presented_serial(oicp) == old_serial  # not reloaded yet
    status, _ = await api("POST", f"{hub.url}/api/hub/certificate/reload")
    assert status == 200
    assert await presented_serial(oicp) == serial_of(files.hub_server_cert) != old_serial
