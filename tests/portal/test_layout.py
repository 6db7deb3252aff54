"""Layout in Chromium: no page wider than a 420 px screen, the test form's row in line when an
error appears, and the service-type drop-down that goes on select (with its no-JS button)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.portal.roaming import OPERATOR, Roaming
from tests.portal.support import Shoot

NARROW = 420
SETTINGS = f"/portal/operators/{OPERATOR}/settings"


def _pages(session_id: str) -> list[str]:
    return [
        "/portal/",
        f"{SETTINGS}/authorization",
        f"{SETTINGS}/reservation",
        f"{SETTINGS}/pull-authentication-data",
        f"/portal/operators/{OPERATOR}/certificates",
        f"/portal/operators/{OPERATOR}/evse-data",
        "/portal/exchanges",
        "/portal/sessions",
        f"/portal/sessions/{session_id}",
        "/portal/sessions/no-such-session",
    ]


def _width(page: Page) -> int:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width


def test_no_page_is_wider_than_a_420_px_screen(
    roaming: Roaming, browser: Browser, shoot: Shoot
) -> None:
    session_id = roaming.remote_start(roaming.next_evse())
    context = browser.new_context(base_url=roaming.url, viewport={"width": NARROW, "height": 900})
    page = context.new_page()
    try:
        widths = {}
        for path in _pages(session_id):
            page.goto(path)
            for details in page.locator("details").all()[:3]:  # bodies and facts open, too
                details.evaluate("d => d.open = true")
            widths[path] = _width(page)
        page.goto(f"{SETTINGS}/authorization")
        page.get_by_label("EvseID").fill("not an EVSE")
        page.get_by_role("button", name="Test this configuration").click()
        page.wait_for_load_state()
        widths["settings with an error"] = _width(page)
        shoot(page, "narrow-settings")
        page.goto(f"/portal/sessions/{session_id}")
        shoot(page, "narrow-session")
    finally:
        context.close()

    assert {path: width for path, width in widths.items() if width > NARROW} == {}


def test_the_test_form_row_stays_in_line_when_an_error_appears(
    roaming: Roaming, roaming_page: Page, shoot: Shoot
) -> None:
    roaming_page.goto(f"{SETTINGS}/reservation")

    roaming_page.get_by_label("Duration (minutes)").fill("500")
    roaming_page.get_by_role("button", name="Test this configuration").click()
    roaming_page.wait_for_load_state()

    expect(roaming_page.locator("#field-duration .field-error")).not_to_have_count(0)
    tops = {
        name: roaming_page.locator(selector).bounding_box()
        for name, selector in (
            ("EvseID", "#evse_id"),
            ("ProviderID", "#provider_id"),
            ("Duration", "#duration"),
            ("button", "form.test-form button"),
        )
    }
    assert all(box is not None for box in tops.values())
    assert len({round(box["y"]) for box in tops.values() if box is not None}) == 1, tops
    shoot(roaming_page, "settings-test-form-error")


def test_choosing_a_service_type_shows_it_at_once(roaming: Roaming, roaming_page: Page) -> None:
    roaming_page.goto(f"{SETTINGS}/authorization")
    expect(roaming_page.locator("form.service-picker button")).to_be_hidden()

    roaming_page.get_by_label("Service type", exact=True).select_option("reservation")

    roaming_page.wait_for_url(f"**{SETTINGS}/reservation")
    expect(roaming_page.locator("#edit-heading")).to_contain_text("Reservation")


def test_without_javascript_the_service_type_is_shown_with_its_button(
    roaming: Roaming, roaming_page_without_js: Page
) -> None:
    page = roaming_page_without_js
    page.goto(f"{SETTINGS}/authorization")

    page.get_by_label("Service type", exact=True).select_option("reservation")
    page.get_by_role("button", name="Show").click()

    page.wait_for_url(f"**{SETTINGS}/reservation")
    expect(page.locator("#edit-heading")).to_contain_text("Reservation")
