"""Layers 1-5 each FAIL for real (settings, URL, DNS, TCP, TLS), and what a FAIL skips."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from mockpki import MockHubjectPKI, PKIFiles
from simulator.check import LAYERS
from tests.check.conftest import free_port, one_shot, serve, statuses, write

LATER_THAN_URL = [info.key for info in LAYERS[2:]]


async def test_settings_fail_when_no_uploaded_certificate_covers_the_host(
    pki: MockHubjectPKI, pki_files: PKIFiles, tmp_path: Path
) -> None:
    other = pki.issue_server_cert("cpo.example.org")
    upload = write(tmp_path / "other.pem", other.cert_pem)
    async with serve(pki.cpo_user_server, client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files, server_cert=f"user:{upload}")
    settings = report.layer("settings")
    assert settings.status.value == "FAIL"
    assert "the certificate given with --server-cert user:FILE cannot verify localhost" in (
        settings.reason
    )
    assert "Certificate Management" not in settings.reason  # one-shot: no portal
    assert settings.details["warnings"] == []  # the portal's words for the same refusal
    assert settings.fix and settings.fix.startswith("Give --server-cert user:FILE")  # one-shot


async def test_settings_fail_skips_every_layer_that_needs_a_send(
    pki: MockHubjectPKI, pki_files: PKIFiles, tmp_path: Path
) -> None:
    upload = write(tmp_path / "other.pem", pki.issue_server_cert("cpo.example.org").cert_pem)
    async with serve(pki.cpo_user_server, client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files, server_cert=f"user:{upload}")
        seen = list(ep.bodies)
    found = statuses(report)
    # The transport is still judged; nothing is sent with settings the hub would refuse.
    assert [found[k] for k in ("url", "dns", "tcp", "tls")] == ["PASS"] * 4
    assert {found[k] for k in LATER_THAN_URL[3:]} == {"SKIP"}
    assert "layer 1 (Settings) failed" in report.layer("server_certificate").reason
    assert seen == []


async def test_url_fail_for_a_blank_inside_the_service_url(pki_files: PKIFiles) -> None:
    report = await one_shot("https://localhost:8443/cpo oicp", pki_files)
    url = report.layer("url")
    assert url.status.value == "FAIL"
    assert "has a blank at position 27 inside the URL" in url.reason
    assert {statuses(report)[k] for k in LATER_THAN_URL} == {"SKIP"}


async def test_url_fail_for_plain_http_scheme(pki_files: PKIFiles) -> None:
    report = await one_shot("http://localhost:8443/oicp", pki_files)
    assert report.layer("url").status.value == "FAIL"
    assert "uses http://" in report.layer("url").reason
    assert report.layer("dns").details["blocked_by"] == "url"


async def test_dns_fail_for_a_host_that_does_not_resolve(pki_files: PKIFiles) -> None:
    report = await one_shot("https://no-such-host.invalid:8443", pki_files)
    dns = report.layer("dns")
    assert dns.status.value == "FAIL"
    assert "'no-such-host.invalid'" in dns.reason and "does not resolve" in dns.reason
    assert report.layer("tcp").status.value == "SKIP"
    assert "layer 3 (DNS) failed" in report.layer("round_trip").reason


async def test_tcp_fail_for_a_refused_port(pki_files: PKIFiles) -> None:
    port = free_port()
    report = await one_shot(f"https://127.0.0.1:{port}", pki_files)
    tcp = report.layer("tcp")
    assert tcp.status.value == "FAIL"
    assert f"127.0.0.1:{port}" in tcp.reason and "connection refused" in tcp.reason
    assert tcp.fix == "Start the backend, or correct the port in the Service URL."
    assert statuses(report)["dns"] == "PASS"
    assert {statuses(report)[k] for k in LATER_THAN_URL[2:]} == {"SKIP"}


async def test_tls_fail_for_a_plain_http_server_on_the_port(pki_files: PKIFiles) -> None:
    async with serve(None) as ep:
        report = await one_shot(ep.url.replace("http://", "https://"), pki_files)
    tls = report.layer("tls")
    assert tls.status.value == "FAIL"
    assert "answered in plain HTTP, not TLS" in tls.reason
    assert report.layer("server_certificate").details["blocked_by"] == "tls"


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
async def test_tls_fail_for_an_endpoint_speaking_only_old_tls(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    async with serve(pki.cpo_server, maximum_version=ssl.TLSVersion.TLSv1_1) as ep:
        report = await one_shot(ep.url, pki_files)
    tls = report.layer("tls")
    assert tls.status.value == "FAIL", tls.reason
    assert "speaks only TLSv1.1" in tls.reason and "TLS 1.2 or later" in tls.reason
    assert tls.fix == "Enable TLS 1.2 or 1.3 on the backend."


async def test_tls_pass_names_the_negotiated_version(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    async with serve(pki.cpo_server, client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files)
    tls = report.layer("tls")
    assert tls.status.value == "PASS"
    assert tls.details["version"] in ("TLSv1.2", "TLSv1.3")
    assert str(tls.details["version"]) in tls.reason
