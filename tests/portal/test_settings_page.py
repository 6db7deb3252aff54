"""The Service Type Settings page in a browser: every rule of the portal, with the messages of
simulator.settings_rules; the pane before editing; the revision history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from simulator.model import ServerCertification, ServiceType, ServiceTypeSettings
from simulator.settings_rules import check_settings
from tests.portal.support import (
    Shoot,
    create_operator,
    field_errors,
    field_warnings,
    fill_settings,
    save,
    settings_path,
)

URL = "https://localhost:8443/cpo-backend"


def expected(
    settings: ServiceTypeSettings,
    field: str,
    service_type: ServiceType = ServiceType.AUTHORIZATION,
) -> tuple[list[str], list[str]]:
    """The errors and warnings the rules give for one field: the page must show exactly these."""
    verdict = check_settings(service_type, settings, certificates=[], now=datetime.now(UTC))
    return (
        [issue.message for issue in verdict.errors_for(field)],
        [issue.message for issue in verdict.warnings_for(field)],
    )


def history_rows(page: Page) -> int:
    return page.locator("table.history tbody tr").count()


def test_online_request_enables_broadcast_request_and_service_url(
    page: Page, operator_id: str, shoot: Shoot
) -> None:
    create_operator(page, operator_id)
    broadcast, url = page.get_by_label("Broadcast Request"), page.get_by_label("Service URL")
    expect(broadcast).to_be_disabled()
    expect(url).to_be_disabled()
    page.get_by_label("Online Request").check()
    expect(broadcast).to_be_enabled()
    expect(url).to_be_enabled()
    shoot(page, "settings-new-operator")
    page.get_by_label("Online Request").uncheck()
    expect(url).to_be_disabled()


def test_unticking_online_request_says_that_saving_clears_the_service_url(
    page: Page, operator_id: str
) -> None:
    create_operator(page, operator_id)
    page.get_by_label("Online Request").check()
    page.get_by_label("Service URL").fill(URL)
    note = page.locator("#service_url-cleared")
    expect(note).to_be_hidden()
    page.get_by_label("Online Request").uncheck()
    expect(note).to_be_visible()
    expect(note).to_contain_text("this one is cleared")


def test_broadcast_request_needs_online_request(page_without_js: Page, operator_id: str) -> None:
    page = page_without_js
    create_operator(page, operator_id)
    fill_settings(page, online=False, broadcast=True)
    save(page)
    errors, _ = expected(ServiceTypeSettings(broadcast_request=True), "broadcast_request")
    assert field_errors(page, "broadcast_request") == errors
    assert errors
    assert history_rows(page) == 0


def test_service_url_needs_online_request(page_without_js: Page, operator_id: str) -> None:
    page = page_without_js
    create_operator(page, operator_id)
    fill_settings(page, online=False, url=URL)
    save(page)
    errors, _ = expected(ServiceTypeSettings(service_url=URL), "service_url")
    assert field_errors(page, "service_url") == errors
    assert errors
    assert history_rows(page) == 0


def test_reservation_never_has_broadcast_request(
    page: Page, operator_id: str, shoot: Shoot
) -> None:
    create_operator(page, operator_id)
    page.goto(settings_path(operator_id, "reservation"))
    expect(page.locator("input[name=broadcast_request]")).to_have_count(0)
    expect(page.locator("#field-broadcast_request")).to_contain_text("not offered")
    shoot(page, "settings-reservation")
    # A crafted form (as from a script) still brings it: the server refuses it.
    fill_settings(page, online=True, url=URL)
    page.locator("#settings-form").evaluate(
        "form => form.insertAdjacentHTML('beforeend',"
        " '<input type=hidden name=broadcast_request value=on>')"
    )
    save(page)
    settings = ServiceTypeSettings(online_request=True, broadcast_request=True, service_url=URL)
    errors, _ = expected(settings, "broadcast_request", ServiceType.RESERVATION)
    assert page.locator("#error-summary .field-error .message").all_inner_texts() == errors
    assert errors
    assert history_rows(page) == 0


@pytest.mark.parametrize(
    "url",
    [" https://localhost:8443/cpo", "https://localhost:8443/cpo ", "https://localhost:8443/c po"],
    ids=["leading", "trailing", "inner"],
)
def test_service_url_must_not_contain_blanks(page: Page, operator_id: str, url: str) -> None:
    create_operator(page, operator_id)
    fill_settings(page, online=True, url=url)
    save(page)
    errors, _ = expected(ServiceTypeSettings(online_request=True, service_url=url), "service_url")
    assert field_errors(page, "service_url") == errors
    assert any("blank" in message for message in errors)
    expect(page.get_by_label("Service URL")).to_have_value(url)  # shown back as typed
    assert history_rows(page) == 0


def test_service_url_must_be_https(page: Page, operator_id: str) -> None:
    create_operator(page, operator_id)
    url = "http://localhost:8080/cpo"
    fill_settings(page, online=True, url=url)
    save(page)
    errors, _ = expected(ServiceTypeSettings(online_request=True, service_url=url), "service_url")
    assert field_errors(page, "service_url") == errors
    assert errors
    assert history_rows(page) == 0


def test_online_request_needs_service_url(page: Page, operator_id: str, shoot: Shoot) -> None:
    create_operator(page, operator_id)
    fill_settings(page, online=True, url="")
    save(page)
    errors, _ = expected(ServiceTypeSettings(online_request=True), "service_url")
    assert field_errors(page, "service_url") == errors
    assert errors
    expect(page.locator("#error-summary")).to_contain_text("The settings were not saved")
    shoot(page, "settings-refused")


def test_user_certificate_without_matching_upload_warns(page: Page, operator_id: str) -> None:
    create_operator(page, operator_id)
    fill_settings(page, online=True, url=URL, certification="User certificate")
    save(page)
    expect(page.locator(".notice")).to_have_text("Saved revision 1 of Authorization.")
    user = ServerCertification.USER
    settings = ServiceTypeSettings(online_request=True, service_url=URL, server_certification=user)
    _, warnings = expected(settings, "server_certification")
    assert field_warnings(page, "server_certification") == warnings
    assert warnings


def test_saved_edit_shows_the_revision_before_it_with_differences(
    page: Page, operator_id: str, shoot: Shoot
) -> None:
    create_operator(page, operator_id)
    fill_settings(page, online=True, url=URL)
    save(page)
    fill_settings(page, online=True, url=URL + "/v2", certification="User certificate")
    save(page)
    page.reload()
    expect(page.locator("#edit-heading")).to_contain_text("revision 2")
    expect(page.get_by_label("Service URL")).to_have_value(URL + "/v2")
    expect(page.locator("#before-heading")).to_have_text("Before editing: revision 1")
    expect(page.locator("#before-service_url dd")).to_contain_text(URL)
    for name in ("service_url", "server_certification"):
        expect(page.locator(f"#before-{name}")).to_have_class("row changed")
        expect(page.locator(f"#before-{name} .badge-changed")).to_contain_text("Changed")
        expect(page.locator(f"#field-{name} .badge-changed")).to_be_visible()
    for name in ("online_request", "broadcast_request"):
        expect(page.locator(f"#before-{name}")).to_have_class("row")
    expect(page.locator("#diff-summary")).to_have_text(
        "2 fields changed: Service URL, Server certification."
    )
    assert history_rows(page) == 2
    shoot(page, "settings-saved-with-differences")


def test_first_save_is_compared_with_the_defaults(page: Page, operator_id: str) -> None:
    create_operator(page, operator_id)
    fill_settings(page, online=True, url=URL)
    save(page)
    expect(page.locator("#before-heading")).to_contain_text("the portal's defaults")
    expect(page.locator("#before-online_request")).to_have_class("row changed")
    expect(page.locator("#before-service_url")).to_have_class("row changed")


def test_refused_edit_is_compared_with_the_saved_revision(page: Page, operator_id: str) -> None:
    create_operator(page, operator_id)
    fill_settings(page, online=True, url=URL)
    save(page)
    fill_settings(page, online=True, url="http://localhost/cpo")
    save(page)
    expect(page.locator("#edit-heading")).to_contain_text("your edit (not saved)")
    expect(page.locator("#before-heading")).to_have_text("Before editing: revision 1 (saved)")
    expect(page.locator("#before-service_url")).to_have_class("row changed")
    expect(page.locator("#diff-summary")).to_have_text("1 field changed: Service URL.")
    assert history_rows(page) == 1


def test_revision_history_marks_what_each_revision_changed(page: Page, operator_id: str) -> None:
    create_operator(page, operator_id)
    page.goto(settings_path(operator_id, "reservation"))
    fill_settings(page, online=True, url=URL)
    save(page)
    fill_settings(page, online=False)  # the URL field is disabled, so it is cleared
    save(page)
    rows = page.locator("table.history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("th")).to_have_text("2")
    expect(rows.nth(0).locator("td.changed")).to_have_count(2)  # Online Request, Service URL
    expect(rows.nth(0).locator("td.changed").first).to_contain_text("(changed)")
    page.goto(settings_path(operator_id, "authorization"))
    expect(page.locator("table.history tbody tr")).to_have_count(0)


def test_service_type_drop_down_opens_each_service_type(page: Page, operator_id: str) -> None:
    create_operator(page, operator_id)
    for service_type in ServiceType:
        if service_type is not ServiceType.AUTHORIZATION:  # selecting the shown one: no change
            page.get_by_label("Service type").select_option(label=service_type.value)
        page.wait_for_url(f"**/settings/{service_type.slug}")
        expect(page.locator("#edit-heading")).to_contain_text(service_type.value)


def test_form_without_the_sessions_csrf_cookie_is_refused(
    page: Page, operator_id: str, shoot: Shoot
) -> None:
    create_operator(page, operator_id)
    page.context.clear_cookies()  # as a forged request from another site arrives: no cookie
    fill_settings(page, online=True, url=URL)
    save(page)
    expect(page.locator("h1")).to_have_text("Form refused (403)")
    expect(page.locator("main")).to_contain_text("cross-site request forgery")
    shoot(page, "error-csrf-refused")
    page.goto(settings_path(operator_id))
    assert history_rows(page) == 0
