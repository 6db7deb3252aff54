""" "Test this configuration" against real CPO stubs in both certification modes, and the exchange
log (Process Monitor) with its filters."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from mockpki import PKIFiles
from tests.portal.support import (
    ServerProcess,
    Shoot,
    create_operator,
    fill_settings,
    save,
    service_url_of,
    settings_path,
)


def run_test(page: Page) -> None:
    page.get_by_role("button", name="Test this configuration").click()
    page.wait_for_load_state()


def outcome(page: Page) -> str:
    return page.locator("#test-result h4 .badge").text_content() or ""


def upload_user_certificate(page: Page, operator_id: str, pki_files: PKIFiles) -> None:
    page.goto(f"/portal/operators/{operator_id}/certificates")
    page.get_by_label("Certificate file (.pem, .crt)").set_input_files(
        str(pki_files.cpo_user_server_cert)
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".notice")).to_have_text("Uploaded 1 certificate.")


def test_hubject_certificate_configuration_test_is_accepted(
    page: Page, operator_id: str, hubject_stub: ServerProcess, shoot: Shoot
) -> None:
    create_operator(page, operator_id)
    fill_settings(page, online=True, url=service_url_of(hubject_stub))
    save(page)
    expect(page.get_by_label("EvseID")).to_have_value(f"{operator_id}*E0001")
    expect(page.get_by_label("ProviderID")).to_have_value("DE*ICE")
    run_test(page)
    assert outcome(page) == "accepted"
    result = page.locator("#test-result")
    expect(result).to_contain_text("eRoamingAuthorizeRemoteStart")
    expect(result).to_contain_text("/api/oicp/charging/v21/providers/DE*ICE/authorize-remote/start")
    expect(result).to_contain_text("TLSv1.")
    expect(result).to_contain_text("CN=localhost")
    expect(result).to_contain_text("Hubject certificate")
    shoot(page, "settings-test-hubject-certificate")


def test_user_certificate_configuration_test_is_accepted(
    page: Page, operator_id: str, user_stub: ServerProcess, pki_files: PKIFiles, shoot: Shoot
) -> None:
    create_operator(page, operator_id)
    upload_user_certificate(page, operator_id, pki_files)
    page.goto(settings_path(operator_id))
    fill_settings(
        page, online=True, url=service_url_of(user_stub), certification="User certificate"
    )
    save(page)
    expect(page.locator("#field-server_certification .field-warning")).to_have_count(0)
    run_test(page)
    assert outcome(page) == "accepted"
    expect(page.locator("#test-result")).to_contain_text("User certificate")
    shoot(page, "settings-test-user-certificate")


def test_reservation_configuration_test_sends_a_reservation_start(
    page: Page, operator_id: str, hubject_stub: ServerProcess
) -> None:
    create_operator(page, operator_id)
    page.goto(settings_path(operator_id, "reservation"))
    fill_settings(page, online=True, url=service_url_of(hubject_stub))
    save(page)
    expect(page.get_by_label("Duration (minutes)")).to_have_value("15")
    run_test(page)
    assert outcome(page) == "accepted"
    result = page.locator("#test-result")
    expect(result).to_contain_text("eRoamingAuthorizeRemoteReservationStart")
    expect(result).to_contain_text('"Duration": 15')


def test_failed_configuration_test_shows_its_diagnosis(
    page: Page, operator_id: str, user_stub: ServerProcess, shoot: Shoot
) -> None:
    # Hubject certificate mode, but the endpoint presents a self-signed certificate.
    create_operator(page, operator_id)
    fill_settings(page, online=True, url=service_url_of(user_stub))
    save(page)
    run_test(page)
    assert outcome(page) == "server_cert_untrusted"
    detail = page.locator("#test-result .detail").inner_text()
    assert "certificate" in detail
    expect(page.locator("#test-result .badge-fail").first).to_be_visible()
    shoot(page, "settings-test-failure-diagnosis")


def test_configuration_test_of_offline_settings_says_what_to_do(
    page: Page, operator_id: str
) -> None:
    create_operator(page, operator_id)
    run_test(page)
    assert outcome(page) == "settings_invalid"
    expect(page.locator("#test-result .detail")).to_contain_text("tick Online Request")


def test_configuration_test_refuses_a_bad_evse_id_next_to_the_field(
    page: Page, operator_id: str
) -> None:
    create_operator(page, operator_id)
    page.get_by_label("EvseID").fill("not an EVSE")
    run_test(page)
    expect(page.locator("#field-evse_id .field-error .message")).not_to_have_count(0)
    expect(page.get_by_label("EvseID")).to_have_value("not an EVSE")
    expect(page.locator("#test-result")).to_have_count(0)


def test_pull_authentication_data_has_nothing_to_test(
    page: Page, operator_id: str, shoot: Shoot
) -> None:
    create_operator(page, operator_id)
    page.goto(settings_path(operator_id, "pull-authentication-data"))
    expect(page.get_by_role("button", name="Test this configuration")).to_have_count(0)
    expect(page.locator("#test")).to_contain_text("never calls your backend")
    shoot(page, "settings-pull-authentication-data")


def test_exchange_log_filters_by_operator_service_type_and_outcome(
    page: Page, operator_id: str, hubject_stub: ServerProcess, shoot: Shoot
) -> None:
    create_operator(page, operator_id)
    run_test(page)  # offline: settings_invalid
    fill_settings(page, online=True, url=service_url_of(hubject_stub))
    save(page)
    run_test(page)  # accepted
    tabs = page.get_by_role("navigation", name=f"Pages of {operator_id}")
    tabs.get_by_role("link", name="Process Monitor", exact=True).click()
    entries = page.locator("details.exchange")
    filters = page.locator("form.filters")
    expect(entries).to_have_count(2)
    expect(filters.get_by_label("Operator", exact=True)).to_have_value(operator_id)
    filters.get_by_label("Outcome").select_option("accepted")
    page.get_by_role("button", name="Filter").click()
    expect(entries).to_have_count(1)
    entries.first.locator("summary").click()
    expect(entries.first).to_contain_text("Request")
    expect(entries.first).to_contain_text('"Result": true')
    expect(entries.first).to_contain_text("TLSv1.")
    shoot(page, "exchange-log")
    filters.get_by_label("Service type").select_option("Reservation")
    page.get_by_role("button", name="Filter").click()
    expect(entries).to_have_count(0)
    filters.get_by_label("Operator", exact=True).select_option("")
    filters.get_by_label("Service type").select_option("")
    filters.get_by_label("Outcome").select_option("settings_invalid")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("details.exchange summary", has_text=operator_id)).to_have_count(1)


def test_exchange_log_explains_an_unknown_filter_value(page: Page) -> None:
    page.goto("/portal/exchanges?outcome=lost")
    expect(page.locator(".field-error .message")).to_contain_text("unknown outcome 'lost'")
