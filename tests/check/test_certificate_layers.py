"""Layers 6 and 7: the server certificate, and the client certificates an endpoint accepts."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta

from mockpki import MockHubjectPKI, PKIFiles, foreign_ca
from tests.check.conftest import one_shot, serve, statuses

PACK = [
    "no-certificate",
    "self-signed",
    "foreign-ca",
    "expired",
    "not-yet-valid",
    "server-only-eku",
]


async def test_server_certificate_fail_when_expired(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    now = datetime.now(UTC)
    expired = pki.issue_server_cert(
        "localhost", not_before=now - timedelta(days=60), not_after=now - timedelta(days=2)
    )
    async with serve(expired, client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files)
    layer = report.layer("server_certificate")
    assert layer.status.value == "FAIL"
    assert "expired on" in layer.reason
    assert layer.fix and "Renew the server certificate" in layer.fix
    assert layer.details["presented"]["sha256"] == expired.describe().sha256
    assert statuses(report)["tls"] == "PASS"
    assert report.layer("client_certificate").details["blocked_by"] == "server_certificate"


async def test_server_certificate_fail_for_the_wrong_host(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    wrong = pki.issue_server_cert("cpo.example.org")
    async with serve(wrong, client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files)
    layer = report.layer("server_certificate")
    assert layer.status.value == "FAIL"
    assert "does not cover the Service URL's host 'localhost'" in layer.reason
    assert "cpo.example.org" in layer.reason


async def test_server_certificate_fail_when_not_issued_by_the_mock_hubject_ca(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    async with serve(foreign_ca().issue_server_cert("localhost")) as ep:
        report = await one_shot(ep.url, pki_files)
    layer = report.layer("server_certificate")
    assert layer.status.value == "FAIL"
    assert "not trusted in Hubject certificate mode" in layer.reason
    assert layer.fix and "mock Hubject CA" in layer.fix


async def test_server_certificate_warn_when_fewer_than_30_days_remain(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    now = datetime.now(UTC)
    ending = pki.issue_server_cert(
        "localhost", not_before=now - timedelta(days=300), not_after=now + timedelta(days=12)
    )
    async with serve(ending, client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files)
    layer = report.layer("server_certificate")
    assert layer.status.value == "WARN"
    assert "expires on" in layer.reason and "in 11 days" in layer.reason
    assert report.ok  # a warning is not a failure


async def test_client_certificate_fail_when_the_hub_certificate_is_refused(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    async with serve(pki.cpo_server, client_ca=foreign_ca().cert_pem) as ep:
        report = await one_shot(ep.url, pki_files)
    layer = report.layer("client_certificate")
    assert layer.status.value == "FAIL"
    assert "refused the hub's service (client) certificate" in layer.reason
    assert layer.details["hub_certificate_accepted"] is False
    assert layer.fix and "hubject-ca.pem" in layer.fix
    assert report.layer("http").details["blocked_by"] == "client_certificate"


async def test_client_certificate_security_warn_names_every_bad_certificate_accepted(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    async with serve(pki.cpo_server, verify_mode=ssl.CERT_NONE) as ep:
        report = await one_shot(ep.url, pki_files)
    layer = report.layer("client_certificate")
    assert layer.status.value == "WARN"
    assert report.ok
    assert "but also 6 of 6 bad client certificates" in layer.reason
    assert "remote-starting your chargers" in layer.reason
    assert (
        layer.fix and "Hubject chain" in layer.fix and "Hubject's outbound addresses" in layer.fix
    )
    for name in PACK:
        assert name in layer.reason
    assert layer.details["requires_client_certificate"] is False
    # The endpoint itself works: the security failure does not hide the later layers.
    assert statuses(report)["http"] == "PASS" and statuses(report)["round_trip"] == "PASS"


async def test_strict_check_fails_a_client_certificate_that_is_only_optional(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    async with serve(
        pki.cpo_server, client_ca=pki.ca_chain_pem, verify_mode=ssl.CERT_OPTIONAL
    ) as ep:
        report = await one_shot(ep.url, pki_files, strict=True)
    layer = report.layer("client_certificate")
    assert layer.status.value == "FAIL"
    assert not report.ok
    accepted = [bad["name"] for bad in layer.details["bad_certificates"] if bad["accepted"]]
    assert accepted == ["no-certificate"]
    assert "but also 1 of 6" in layer.reason


async def test_client_certificate_pass_when_every_bad_certificate_is_refused(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    async with serve(pki.cpo_server, client_ca=pki.ca_chain_pem) as ep:
        report = await one_shot(ep.url, pki_files)
    layer = report.layer("client_certificate")
    assert layer.status.value == "PASS", layer.reason
    assert [bad["name"] for bad in layer.details["bad_certificates"]] == PACK
    assert not any(bad["accepted"] for bad in layer.details["bad_certificates"])
    assert layer.details["requires_client_certificate"] is True
