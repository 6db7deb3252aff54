"""Reading Service Type Settings from JSON-API and HTML-form input."""

from __future__ import annotations

from simulator.model import ServerCertification, ServiceTypeSettings
from simulator.settings_rules import KNOWN_FIELDS, parse_settings

URL = "https://cpo.example.com/oicp"


def test_parse_accepts_json_values() -> None:
    settings, issues = parse_settings(
        {
            "online_request": True,
            "broadcast_request": False,
            "service_url": URL,
            "server_certification": "user",
        }
    )
    assert issues == []
    assert settings == ServiceTypeSettings(True, False, URL, ServerCertification.USER)


def test_parse_accepts_html_form_checkbox_values() -> None:
    accepted = [("on", True), ("true", True), ("1", True), ("TRUE", True)]
    accepted += [("false", False), ("0", False), ("", False)]
    for text, expected in accepted:
        settings, issues = parse_settings({"online_request": text})
        assert issues == [], text
        assert settings is not None
        assert settings.online_request is expected, text


def test_parse_absent_fields_take_the_portal_defaults() -> None:
    settings, issues = parse_settings({})
    assert issues == []
    assert settings == ServiceTypeSettings()
    assert settings.server_certification is ServerCertification.HUBJECT


def test_parse_empty_or_null_service_url_means_no_url() -> None:
    for value in ("", None):
        settings, _ = parse_settings({"service_url": value})
        assert settings is not None
        assert settings.service_url is None


def test_parse_keeps_service_url_blanks_for_the_rules_to_report() -> None:
    settings, issues = parse_settings({"service_url": URL + " "})
    assert issues == []
    assert settings is not None
    assert settings.service_url == URL + " "


def test_parse_accepts_portal_labels_for_server_certification() -> None:
    for text, expected in [
        ("Hubject certificate", ServerCertification.HUBJECT),
        ("User certificate", ServerCertification.USER),
        ("hubject", ServerCertification.HUBJECT),
        ("USER", ServerCertification.USER),
    ]:
        settings, issues = parse_settings({"server_certification": text})
        assert issues == [], text
        assert settings is not None
        assert settings.server_certification is expected


def test_parse_refuses_unknown_field() -> None:
    settings, issues = parse_settings({"serviceURL": URL})
    assert settings is None
    (issue,) = issues
    assert (issue.field, issue.value) == ("serviceURL", URL)
    assert "unknown field 'serviceURL'" in issue.message
    assert all(name in issue.message for name in KNOWN_FIELDS)


def test_parse_unknown_field_suggests_the_close_one() -> None:
    _, issues = parse_settings({"service_ur": URL})
    assert "did you mean 'service_url'?" in issues[0].message


def test_parse_ignores_named_page_fields() -> None:
    settings, issues = parse_settings(
        {"csrf_token": "x", "online_request": "on"}, ignore={"csrf_token"}
    )
    assert issues == []
    assert settings is not None
    assert settings.online_request


def test_parse_refuses_wrong_type_for_boolean() -> None:
    for value in (1, "yes", ["on"]):
        settings, issues = parse_settings({"broadcast_request": value})
        assert settings is None
        (issue,) = issues
        assert (issue.field, issue.value) == ("broadcast_request", value)
        assert f"not {value!r}" in issue.message
        assert "true or false" in issue.message


def test_parse_refuses_non_text_service_url() -> None:
    _, issues = parse_settings({"service_url": 443})
    (issue,) = issues
    assert (issue.field, issue.value) == ("service_url", 443)
    assert "must be text" in issue.message


def test_parse_refuses_unknown_server_certification() -> None:
    _, issues = parse_settings({"server_certification": "digicert"})
    (issue,) = issues
    assert "'digicert' is not known" in issue.message
    assert "'hubject'" in issue.message and "'user'" in issue.message


def test_parse_reports_all_issues_at_once() -> None:
    _, issues = parse_settings(
        {"online_request": "maybe", "service_url": 1, "server_certification": 2, "extra": 3}
    )
    assert {issue.field for issue in issues} == {
        "online_request",
        "service_url",
        "server_certification",
        "extra",
    }
