"""'User certificate': the hub trusts only Active uploads (certificates.md §3.3-3.4)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from simulator.model import ServerCertification, ServiceType, ServiceTypeSettings
from simulator.settings_rules import check_settings, service_url_host, user_certificate_problem

if TYPE_CHECKING:
    from simulator.model import UploadedCertificate
    from tests.hub_rules.conftest import CertFactory

USER_SETTINGS = ServiceTypeSettings(
    online_request=True,
    service_url="https://cpo.example.com:8443/oicp",
    server_certification=ServerCertification.USER,
)


def _warnings(certificates: list[UploadedCertificate], now: datetime) -> list[str]:
    check = check_settings(
        ServiceType.AUTHORIZATION, USER_SETTINGS, certificates=certificates, now=now
    )
    assert check.ok
    return [w.message for w in check.warnings if w.field == "server_certification"]


def test_user_certificate_without_active_upload_warns(now: datetime) -> None:
    (message,) = _warnings([], now)
    assert "no Active certificate in Certificate Management covers cpo.example.com" in message
    assert "none has been uploaded" in message
    assert "upload a .pem or .crt of the certificate the endpoint at cpo.example.com" in message
    assert "or of the CA that issued it, in Certificate Management" in message
    assert "sends are refused until then" in message


def test_user_certificate_with_covering_upload_has_no_warning(
    certs: CertFactory, now: datetime
) -> None:
    assert _warnings([certs.uploaded(dns=("cpo.example.com",))], now) == []


def test_uploaded_issuing_ca_counts(certs: CertFactory, now: datetime) -> None:
    assert _warnings([certs.uploaded(certs.ca_pem())], now) == []


def test_expired_upload_does_not_count(certs: CertFactory, now: datetime) -> None:
    expired = certs.uploaded(not_after=now - timedelta(days=1))
    (message,) = _warnings([expired], now)
    when = expired.not_after.strftime("%Y-%m-%d %H:%M UTC")
    assert "the only certificate for cpo.example.com (CN=cpo.example.com" in message
    assert f"expired on {when}" in message


def test_not_yet_valid_upload_does_not_count(certs: CertFactory, now: datetime) -> None:
    future = certs.uploaded(not_before=now + timedelta(days=2))
    problem = user_certificate_problem(USER_SETTINGS, [future], now)
    assert problem is not None
    assert f"is not valid before {future.not_before:%Y-%m-%d}" in problem


def test_every_unusable_upload_is_explained(certs: CertFactory, now: datetime) -> None:
    expired = certs.uploaded(not_after=now - timedelta(days=1))
    future = certs.uploaded(not_before=now + timedelta(days=2))
    problem = user_certificate_problem(USER_SETTINGS, [expired, future], now)
    assert problem is not None
    assert "every certificate for cpo.example.com is unusable" in problem
    assert "expired on" in problem and "is not valid before" in problem


def test_upload_for_another_host_does_not_count(certs: CertFactory, now: datetime) -> None:
    other = certs.uploaded(cn="other.example.com", dns=("other.example.com",))
    problem = user_certificate_problem(USER_SETTINGS, [other], now)
    assert problem is not None
    assert "covers DNS:other.example.com" in problem


def test_user_certificate_problem_is_none_for_hubject_certificate(now: datetime) -> None:
    settings = ServiceTypeSettings(online_request=True, service_url="https://cpo.example.com")
    assert user_certificate_problem(settings, [], now) is None


def test_user_certificate_problem_is_none_with_an_active_covering_upload(
    certs: CertFactory, now: datetime
) -> None:
    expired = certs.uploaded(not_after=now - timedelta(days=1))
    fresh = certs.uploaded()
    assert user_certificate_problem(USER_SETTINGS, [expired, fresh], now) is None


def test_user_certificate_is_not_checked_when_the_hub_never_calls(now: datetime) -> None:
    for service_type, settings in [
        (
            ServiceType.AUTHORIZATION,
            ServiceTypeSettings(server_certification=USER_SETTINGS.server_certification),
        ),
        (ServiceType.PULL_AUTHENTICATION_DATA, USER_SETTINGS),
    ]:
        check = check_settings(service_type, settings, certificates=(), now=now)
        assert check.warnings_for("server_certification") == ()


def test_service_url_host() -> None:
    assert service_url_host("https://CPO.example.com:8443/oicp") == "cpo.example.com"
    assert service_url_host("https://[::1]:8443/") == "::1"
    assert service_url_host(" https://cpo.example.com ") == "cpo.example.com"
    assert service_url_host("cpo.example.com/oicp") is None
    assert service_url_host("https:///oicp") is None
