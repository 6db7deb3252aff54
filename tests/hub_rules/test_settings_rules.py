"""The portal's Service Type Settings rules (certificates.md §3.2, §3.5, §5).

Each test is one rule; every message must name the field, the bad value and the fix.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from simulator.model import FieldIssue, ServerCertification, ServiceType, ServiceTypeSettings
from simulator.settings_rules import SettingsCheck, check_settings

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)  # no certificates here, so any moment will do
URL = "https://cpo.example.com/oicp"


def _check(service_type: ServiceType, **fields: object) -> SettingsCheck:
    settings = ServiceTypeSettings(**fields)  # type: ignore[arg-type]
    return check_settings(service_type, settings, certificates=(), now=NOW)


def _on(issues: tuple[FieldIssue, ...], field: str) -> list[str]:
    return [issue.message for issue in issues if issue.field == field]


# --- Online Request gates the other fields ----------------------------------------------------


def test_broadcast_request_needs_online_request() -> None:
    refused = _check(ServiceType.AUTHORIZATION, broadcast_request=True)
    (message,) = _on(refused.errors, "broadcast_request")
    assert "Broadcast Request is on while Online Request is off" in message
    assert "turn Online Request on" in message
    allowed = _check(
        ServiceType.AUTHORIZATION, online_request=True, broadcast_request=True, service_url=URL
    )
    assert allowed.ok


def test_service_url_needs_online_request() -> None:
    check = _check(ServiceType.AUTHORIZATION, service_url=URL)
    (issue,) = check.errors
    assert (issue.field, issue.value) == ("service_url", URL)
    assert "only when Online Request is on" in issue.message
    assert URL in issue.message


def test_service_url_needs_online_request_for_pull_authentication_data_too() -> None:
    check = _check(ServiceType.PULL_AUTHENTICATION_DATA, service_url=URL)
    assert _on(check.errors, "service_url")


def test_online_request_needs_service_url() -> None:
    for service_type in (ServiceType.AUTHORIZATION, ServiceType.RESERVATION):
        check = _check(service_type, online_request=True)
        (issue,) = check.errors
        assert (issue.field, issue.value) == ("service_url", None)
        assert "nowhere to send" in issue.message
        assert "https" in issue.message


def test_pull_authentication_data_needs_no_service_url() -> None:
    check = _check(ServiceType.PULL_AUTHENTICATION_DATA, online_request=True)
    assert check.ok
    assert check.warnings == ()


def test_service_url_for_pull_authentication_data_is_never_called_warning() -> None:
    check = _check(ServiceType.PULL_AUTHENTICATION_DATA, online_request=True, service_url=URL)
    assert check.ok
    (message,) = _on(check.warnings, "service_url")
    assert "never calls it" in message


# --- Broadcast Request ------------------------------------------------------------------------


def test_reservation_never_has_broadcast_request() -> None:
    check = _check(
        ServiceType.RESERVATION, online_request=True, broadcast_request=True, service_url=URL
    )
    (issue,) = check.errors
    assert (issue.field, issue.value) == ("broadcast_request", True)
    assert "Reservation never has Broadcast Request" in issue.message
    assert "turn Broadcast Request off" in issue.message


def test_reservation_broadcast_gives_one_fix_only() -> None:
    # Telling the user to turn Online Request on would not help: only "off" fixes it.
    check = _check(ServiceType.RESERVATION, broadcast_request=True)
    (message,) = _on(check.errors, "broadcast_request")
    assert "Reservation never has Broadcast Request" in message


def test_broadcast_on_cpo_authorization_is_a_warning() -> None:
    check = _check(
        ServiceType.AUTHORIZATION, online_request=True, broadcast_request=True, service_url=URL
    )
    assert check.ok
    (issue,) = check.warnings
    assert (issue.field, issue.value) == ("broadcast_request", True)
    assert "leave it off" in issue.message
    assert "AuthorizeStart" in issue.message


# --- Service URL shape ------------------------------------------------------------------------


def _url_errors(url: str) -> list[str]:
    check = _check(ServiceType.AUTHORIZATION, online_request=True, service_url=url)
    assert all(issue.value == url for issue in check.errors)
    return _on(check.errors, "service_url")


def test_service_url_must_be_https() -> None:
    (message,) = _url_errors("http://cpo.example.com:8080/oicp")
    assert "uses http://" in message
    assert "'https://cpo.example.com:8080/oicp'" in message


def test_service_url_must_use_https_scheme() -> None:
    (message,) = _url_errors("ftp://cpo.example.com/oicp")
    assert "'ftp'" in message
    assert "https://HOST" in message


def test_service_url_must_be_absolute() -> None:
    (message,) = _url_errors("cpo.example.com/oicp")
    assert "not an absolute URL" in message
    assert "'https://cpo.example.com/oicp'" in message


def test_service_url_needs_a_host() -> None:
    (message,) = _url_errors("https:///oicp")
    assert "has no host" in message


def test_service_url_host_must_be_a_name_or_address() -> None:
    (message,) = _url_errors("https://cpo!example.com/oicp")
    assert "'cpo!example.com'" in message


def test_service_url_with_leading_blank_is_refused() -> None:
    (message,) = _url_errors(" " + URL)
    assert "starts with a blank at position 1" in message
    assert "remove it" in message


def test_service_url_with_trailing_blank_is_refused() -> None:
    url = URL + " "
    (message,) = _url_errors(url)
    assert f"ends with a blank at position {len(url)}" in message


def test_service_url_with_inner_blank_is_refused() -> None:
    url = "https://cpo.example.com/ oicp"
    (message,) = _url_errors(url)
    assert "has a blank at position 25 inside the URL" in message


def test_service_url_blank_names_the_kind_of_blank() -> None:
    (message,) = _url_errors("https://cpo.example.com/\toicp")
    assert "position 25 (a tab)" in message


def test_service_url_of_blanks_only_is_refused() -> None:
    (message,) = _url_errors("   ")
    assert "only blanks" in message


def test_service_url_must_not_have_query_or_fragment() -> None:
    messages = _url_errors(URL + "?tenant=1#top")
    assert len(messages) == 2
    assert "a query ('?tenant=1')" in messages[0]
    assert "a fragment ('#top')" in messages[1]
    assert all("appends the OICP path" in message for message in messages)


def test_service_url_must_not_carry_credentials() -> None:
    (message,) = _url_errors("https://user:secret@cpo.example.com/oicp")
    assert "user name or password" in message


def test_service_url_may_have_port_and_path() -> None:
    for url in ("https://cpo.example.com:8443/oicp/v1/", "https://127.0.0.1:8443", "https://[::1]"):
        check = _check(ServiceType.AUTHORIZATION, online_request=True, service_url=url)
        assert check.ok, check.errors
        assert check.warnings == ()


def test_service_url_ending_in_api_oicp_warns_of_a_doubled_prefix() -> None:
    url = "https://cpo.example.com/api/oicp"
    check = _check(ServiceType.AUTHORIZATION, online_request=True, service_url=url)
    assert check.ok
    (message,) = _on(check.warnings, "service_url")
    assert "/api/oicp/api/oicp/" in message
    assert "'https://cpo.example.com'" in message


@pytest.mark.parametrize(
    ("url", "held"),
    [
        ("https://cpo.example.com/backend/api/oicp/charging/v21", "/api/oicp/charging/v21"),
        (
            "https://cpo.example.com/backend/api/OICP/charging/v21/providers/DE*ICE"
            "/authorize-remote/start",
            "/api/OICP/charging/v21/providers/DE*ICE/authorize-remote/start",
        ),
    ],
)
def test_service_url_holding_the_oicp_path_warns_of_a_doubled_path(url: str, held: str) -> None:
    check = _check(ServiceType.AUTHORIZATION, online_request=True, service_url=url)
    assert check.ok
    (message,) = _on(check.warnings, "service_url")
    assert f"already holds the OICP path {held!r}" in message
    assert "use 'https://cpo.example.com/backend'" in message


def test_service_url_with_api_oicp_only_inside_a_segment_gets_no_warning() -> None:
    url = "https://cpo.example.com/api/oicpbackend"
    check = _check(ServiceType.AUTHORIZATION, online_request=True, service_url=url)
    assert check.warnings == ()


# --- reporting --------------------------------------------------------------------------------


def test_all_errors_reported_at_once() -> None:
    url = " http://cpo.example.com/o icp?x=1"
    check = _check(ServiceType.RESERVATION, broadcast_request=True, service_url=url)
    assert not check.ok
    assert len(_on(check.errors, "broadcast_request")) == 1
    url_messages = _on(check.errors, "service_url")
    for expected in ("Online Request is off", "starts with", "inside the URL", "http://", "query"):
        assert any(expected in message for message in url_messages), expected


def test_check_to_json_lists_errors_and_warnings() -> None:
    check = _check(ServiceType.AUTHORIZATION, online_request=True, broadcast_request=True)
    data = check.to_json()
    assert data["ok"] is False
    assert data["errors"] == [issue.to_json() for issue in check.errors]
    assert data["warnings"] == [issue.to_json() for issue in check.warnings]
    assert check.errors_for("service_url") == check.errors
    assert len(check.warnings_for("broadcast_request")) == 1


def test_default_settings_pass() -> None:
    for service_type in ServiceType:
        check = _check(service_type, server_certification=ServerCertification.HUBJECT)
        assert check.ok
        assert check.warnings == ()
