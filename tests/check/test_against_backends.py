"""``hubsim check`` as a user runs it (its own process) against backends in their own
processes: exit codes, the strict policy, skip rules and the timeout named."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from mockpki import MockHubjectPKI, PKIFiles
from mockpki.ca import self_signed_server_cert
from tests.backends import Answer, BackendSpec, Materials, ServerCert, TLSSpec, Verify, Versions
from tests.backends.hubproc import Admin, start_hub
from tests.backends.pool import BackendPool
from tests.backends.process import BackendProcess
from tests.backends.stacks import REPO

_AFTER_TLS = (
    "server_certificate",
    "client_certificate",
    "http",
    "body",
    "semantics",
    "latency",
    "round_trip",
)


@pytest.fixture(scope="module")
def materials(tmp_path_factory: pytest.TempPathFactory) -> Materials:
    return Materials.create(MockHubjectPKI.create(), Path(tmp_path_factory.mktemp("checkcli")))


@pytest.fixture(scope="module")
def backends(materials: Materials) -> Iterator[BackendPool]:
    pool = BackendPool(materials)
    yield pool
    pool.close()


def check_cli(url: str, pki: PKIFiles, *extra: str) -> tuple[int, dict[str, Any]]:
    argv = [sys.executable, "-m", "hubsim", "check", "--url", url, "--server-cert", "hubject"]
    argv += ["--pki", str(pki.directory), "--json", "--no-reservation", *extra]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def layers(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {layer["key"]: layer for layer in report["layers"]}


@pytest.mark.parametrize("stack", ["node", "stub", "aiohttp"])
def test_check_exits_1_not_2_when_a_tls13_backend_refuses_the_hub(
    stack: str, backends: BackendPool, materials: Materials
) -> None:
    backend = backends.get(stack, BackendSpec())
    code, report = check_cli(backend.url, materials.foreign_pki)
    assert code == 1
    found = layers(report)
    assert found["tls"]["status"] == "PASS"
    assert found["client_certificate"]["status"] == "FAIL"
    assert "refused the hub's service (client) certificate" in found["client_certificate"]["reason"]
    assert all(found[key]["status"] == "SKIP" for key in _AFTER_TLS[2:])


def test_a_bad_client_certificate_accepted_is_a_warn_by_default_and_a_fail_with_strict(
    backends: BackendPool, materials: Materials
) -> None:
    backend = backends.get("nginx", BackendSpec(TLSSpec(verify=Verify.NONE)))
    code, report = check_cli(backend.url, materials.pki)
    layer = layers(report)["client_certificate"]
    assert (code, layer["status"]) == (0, "WARN")
    assert "remote-starting your chargers" in layer["reason"]
    assert "Hubject chain" in layer["fix"] and "Hubject's outbound addresses" in layer["fix"]
    code, report = check_cli(backend.url, materials.pki, "--strict")
    assert (code, layers(report)["client_certificate"]["status"]) == (1, "FAIL")
    assert layers(report)["http"]["status"] == "PASS"  # a security FAIL skips nothing


@pytest.mark.parametrize("strict", [False, True])
def test_the_hub_certificate_refused_is_a_fail_in_every_mode(
    strict: bool, backends: BackendPool, materials: Materials
) -> None:
    backend = backends.get("nginx", BackendSpec())
    code, report = check_cli(backend.url, materials.foreign_pki, *(["--strict"] if strict else []))
    layer = layers(report)["client_certificate"]
    assert (code, layer["status"]) == (1, "FAIL")
    assert "The SSL certificate error" in layer["reason"]


def test_tls_black_hole_fails_tls_naming_the_timeout_and_skips_layers_6_to_12(
    materials: Materials,
) -> None:
    # A port whose connections the kernel accepts but nobody ever answers.
    with socket.create_server(("127.0.0.1", 0), backlog=16) as hole:
        port = hole.getsockname()[1]
        code, report = check_cli(f"https://localhost:{port}", materials.pki, "--timeout", "1.5")
    found = layers(report)
    assert code == 1
    assert found["tls"]["status"] == "FAIL"
    assert "within 1.5 s" in found["tls"]["reason"]
    assert {found[key]["status"] for key in _AFTER_TLS} == {"SKIP"}
    assert all(found[key]["details"]["blocked_by"] == "tls" for key in _AFTER_TLS)


def test_a_skip_behind_a_timeout_names_the_latency_layer_not_a_skipped_one(
    backends: BackendPool, materials: Materials
) -> None:
    # nginx holds the answer 3 s; the check waits 1 s. Body (9) is skipped for Latency
    # (11), and so are Semantics (10) and Round trip (12), which depend on Body.
    backend = backends.get("nginx", BackendSpec(answer=Answer.SLOW))
    code, report = check_cli(backend.url, materials.pki, "--timeout", "1")
    found = layers(report)
    assert (code, found["latency"]["status"]) == (1, "FAIL")
    for key in ("http", "body", "semantics", "round_trip"):
        assert found[key]["status"] == "SKIP", key
        assert found[key]["details"]["blocked_by"] == "latency", key
        assert "layer 9 (Body) failed" not in found[key]["reason"], key
    assert "layer 11 (Latency)" in found["semantics"]["reason"]


async def test_an_operator_check_without_settings_skips_every_layer_for_layer_1(
    materials: Materials,
) -> None:
    hub = start_hub(materials.pki.directory)
    try:
        async with aiohttp.ClientSession() as session:
            status, body = await Admin(session, hub).call(
                "POST", "/api/operators", {"operator_id": "DE*ABC"}
            )
            assert status == 201, body
        argv = [sys.executable, "-m", "hubsim", "check", "--operator", "DE*ABC", "--json"]
        argv += ["--service", "authorization", "--hub", f"http://127.0.0.1:{hub.port}"]
        done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, timeout=120)
    finally:
        hub.stop()
    assert done.returncode == 1, done.stderr
    found = layers(json.loads(done.stdout))
    assert found["settings"]["status"] == "FAIL"
    skips = {key: layer for key, layer in found.items() if layer["status"] == "SKIP"}
    assert set(skips) == set(found) - {"settings"}
    assert {layer["details"]["blocked_by"] for layer in skips.values()} == {"settings"}
    assert all("layer 1 (Settings)" in layer["reason"] for layer in skips.values())


def test_a_service_url_holding_the_oicp_path_is_a_url_warn(
    backends: BackendPool, materials: Materials
) -> None:
    # The stub answers under any prefix, so only layer 2 can tell the user.
    backend = backends.get("stub", BackendSpec())
    code, report = check_cli(backend.url + "/api/oicp/charging/v21", materials.pki)
    url = layers(report)["url"]
    assert (code, url["status"]) == (0, "WARN")
    assert "already holds the OICP path '/api/oicp/charging/v21'" in url["reason"]
    assert f"use {backend.url!r}" in url["reason"]


def test_a_404_page_from_nginx_names_the_path_the_hub_posts_to(
    backends: BackendPool, materials: Materials
) -> None:
    backend = backends.get("nginx", BackendSpec(answer=Answer.NOT_ROUTED))
    code, report = check_cli(backend.url, materials.pki)
    http = layers(report)["http"]
    path = "/api/oicp/charging/v21/providers/DE*ICE/authorize-remote/start"
    assert (code, http["status"]) == (1, "FAIL")
    assert f"nothing answers POST at {path}" in http["reason"]
    assert "correct the Service URL's path" in http["reason"]
    assert "\\r" not in http["reason"] and "404 Not Found" in http["reason"]
    assert http["fix"].startswith(f"Route POST requests for {path} to your OICP endpoint")


def test_a_404_for_a_doubled_oicp_path_says_to_drop_it_from_the_service_url(
    backends: BackendPool, materials: Materials
) -> None:
    backend = backends.get("nginx", BackendSpec(answer=Answer.NOT_ROUTED))
    code, report = check_cli(backend.url + "/api/oicp", materials.pki)
    http = layers(report)["http"]
    assert (code, http["status"]) == (1, "FAIL")
    assert "which holds /api/oicp twice" in http["reason"]
    assert "give the Service URL without it" in http["reason"]


def test_a_self_signed_server_certificate_is_called_self_signed(
    backends: BackendPool, materials: Materials
) -> None:
    backend = backends.get("nginx", BackendSpec(TLSSpec(cert=ServerCert.USER)))
    code, report = check_cli(backend.url, materials.pki)
    layer = layers(report)["server_certificate"]
    assert (code, layer["status"]) == (1, "FAIL")
    assert "presented a self-signed certificate, subject CN=" in layer["reason"]
    assert "issued by CN=" not in layer["reason"]


async def test_a_served_expired_upload_is_fixed_by_serving_an_active_one_not_uploading_it(
    materials: Materials, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    old = self_signed_server_cert("localhost", not_before=now - timedelta(days=60),
                                  not_after=now - timedelta(days=1))  # fmt: skip
    (tmp_path / "old.pem").write_bytes(old.cert_pem)
    (tmp_path / "old.key").write_bytes(old.key_pem)
    argv = [sys.executable, "-m", "hubsim", "stub", "serve", "--pki", str(materials.pki.directory)]
    argv += ["--port", "0", "--server-cert", str(tmp_path / "old.pem")]
    argv += ["--server-key", str(tmp_path / "old.key")]
    pattern = r"CPO stub listening on https://127\.0\.0\.1:(\d+)"
    stub = BackendProcess("stub", argv, ready_pattern=pattern, cwd=REPO).start()
    hub = start_hub(materials.pki.directory)
    try:
        async with aiohttp.ClientSession() as session:
            admin = Admin(session, hub)
            await admin.operator("DE*ABC", f"https://localhost:{stub.port}", timeout_s=5)
            for name, pem in (
                ("old.pem", old.cert_pem),
                ("new.pem", materials.pki.cpo_user_server_cert.read_bytes()),
            ):
                url = f"{admin.base}/api/operators/DE*ABC/certificates?filename={name}"
                async with session.post(url, data=pem) as resp:
                    assert resp.status == 201, await resp.text()
            settings = {"online_request": True, "service_url": f"https://localhost:{stub.port}",
                        "server_certification": "user"}  # fmt: skip
            status, body = await admin.call(
                "PUT", "/api/operators/DE*ABC/settings/authorization", settings
            )
            assert status in (200, 201), body
            status, report = await admin.call(
                "POST", "/api/operators/DE*ABC/check/authorization", {}
            )
    finally:
        hub.stop()
        stub.stop()
    assert status == 200, report
    layer = layers(report)["server_certificate"]
    assert layer["status"] == "FAIL"
    assert "it is the upload old.pem (Expired since " in layer["reason"]
    assert layer["fix"] == (
        "Serve the certificate of an Active upload, or renew this one and upload the new "
        "certificate."
    )


def test_a_url_refused_by_layer_2_gives_no_target_url_and_a_fix_naming_the_option(
    materials: Materials,
) -> None:
    code, report = check_cli("https://localhost:1/cpo?x=1", materials.pki)
    url = layers(report)["url"]
    assert (code, url["status"]) == (1, "FAIL")
    assert url["fix"] == "Correct --url as the message says."
    assert report["target"]["url"] is None
    assert report["target"]["service_url"] == "https://localhost:1/cpo?x=1"


def test_send_names_the_nginx_refusal_page_it_saw(
    backends: BackendPool, materials: Materials
) -> None:
    backend = backends.get("nginx", BackendSpec(TLSSpec(versions=Versions.TLS13)))
    argv = [
        sys.executable,
        "-m",
        "hubsim",
        "send",
        "--url",
        backend.url,
        "--server-cert",
        "hubject",
    ]
    argv += ["--pki", str(materials.foreign_pki.directory), "--provider", "DE*ICE"]
    argv += ["--evse", "DE*ABC*E0001", "--json", "remote-start"]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, timeout=60)
    exchange = json.loads(done.stdout)
    assert exchange["outcome"] == "client_cert_refused"
    assert exchange["http_status"] == 400
    assert "answered HTTP 400 with '400 The SSL certificate error'" in exchange["detail"]


async def test_operator_check_through_the_admin_api_answers_a_report_when_the_backend_refuses(
    backends: BackendPool, materials: Materials
) -> None:
    # The hub presents a foreign certificate; the TLS 1.3 Node backend refuses it after the
    # handshake. The admin API answers the report (HTTP 200), never a 500.
    backend = backends.get("node", BackendSpec(TLSSpec(versions=Versions.TLS13)))
    hub = start_hub(materials.foreign_pki.directory)
    try:
        async with aiohttp.ClientSession() as session:
            admin = Admin(session, hub)
            await admin.operator("DE*ABC", backend.url, timeout_s=5)
            status, report = await admin.call(
                "POST", "/api/operators/DE*ABC/check/authorization", {}
            )
    finally:
        hub.stop()
    assert status == 200, report
    assert layers(report)["client_certificate"]["status"] == "FAIL"
