"""``hubsim check`` reports days to expiry and warns at 30 days, urgently at 7.

The endpoint is ``hubsim stub serve`` in its own process and the check is ``hubsim check``
in another; the PKI comes from ``hubsim pki init --expires-in``, so no clock has to move.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.cli.conftest import Served, serve

HUBSIM = [sys.executable, "-m", "hubsim"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [*HUBSIM, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


async def check_against_stub(
    directory: Path, expires_in: str, *, user_cert: bool = False
) -> dict[str, Any]:
    assert run("pki", "init", "--dir", str(directory), "--expires-in", expires_in).returncode == 0
    pki = str(directory)
    stub: Served = await serve(
        "stub", "serve", "--pki", pki, "--port", "0", *(["--user-cert"] if user_cert else []),
        ready="CPO stub listening on",
    )  # fmt: skip
    mode = f"user:{directory / 'cpo-user-server.pem'}" if user_cert else "hubject"
    try:
        url = stub.url.replace("127.0.0.1", "localhost")
        done = run("check", "--url", url, "--server-cert", mode, "--pki", pki, "--json")
    finally:
        stub.proc.kill()
        await stub.proc.wait()
    return {layer["key"]: layer for layer in json.loads(done.stdout)["layers"]}


async def test_a_server_certificate_with_fewer_than_7_days_left_is_an_urgent_warning(
    tmp_path: Path,
) -> None:
    layers = await check_against_stub(tmp_path / "pki", "3d")
    layer = layers["server_certificate"]
    assert layer["status"] == "WARN"
    assert (
        "Urgent: it expires on" in layer["reason"] and "fewer than 7 days left" in layer["reason"]
    )
    assert (layer["details"]["days_left"], layer["details"]["expiry_alarm"]) == (2, "urgent")


async def test_the_hubs_own_certificate_under_30_days_warns_in_the_client_certificate_layer(
    tmp_path: Path,
) -> None:
    layers = await check_against_stub(tmp_path / "pki", "20d")
    layer = layers["client_certificate"]
    assert layer["status"] == "WARN"
    assert "The hub's service certificate expires on" in layer["reason"]
    assert "fewer than 30 days left" in layer["reason"]
    assert layer["details"]["hub_certificate_expiry"]["expiry_alarm"] == "warn"
    assert layers["server_certificate"]["details"]["expiry_alarm"] == "warn"


async def test_certificates_with_years_left_raise_no_alarm(tmp_path: Path) -> None:
    layers = await check_against_stub(tmp_path / "pki", "400d")
    assert layers["server_certificate"]["status"] == "PASS"
    assert layers["server_certificate"]["details"]["expiry_alarm"] == "none"
    assert layers["client_certificate"]["status"] == "PASS"
    assert layers["client_certificate"]["details"]["hub_certificate_expiry"]["days_left"] == 399


async def test_user_certificate_mode_lists_the_days_left_of_each_trusted_upload(
    tmp_path: Path,
) -> None:
    layers = await check_against_stub(tmp_path / "pki", "20d", user_cert=True)
    uploads = layers["server_certificate"]["details"]["uploads"]
    assert [(u["subject"], u["days_left"], u["expiry_alarm"]) for u in uploads] == [
        ("CN=localhost", 19, "warn")
    ]
