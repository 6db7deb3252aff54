"""Labelled, keyboard-usable forms: every control has a label, and a user without a mouse can
edit and save the settings."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.portal.support import create_operator

# Every visible form control without a <label> or an aria-label: the list must stay empty.
UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea, button")]
    .filter(el => el.type !== "hidden")
    .filter(el => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                  && !(el.tagName === "BUTTON" && el.textContent.trim()))
    .map(el => el.outerHTML)"""


def test_every_form_control_has_a_label(page: Page, operator_id: str) -> None:
    create_operator(page, operator_id)
    base = f"/portal/operators/{operator_id}"
    for path in (
        "/portal/",
        f"{base}/settings/authorization",
        f"{base}/settings/reservation",
        f"{base}/certificates",
        f"{base}/evse-data",
        f"/portal/exchanges?operator_id={operator_id}",
        "/portal/exchanges",
        "/portal/sessions",
    ):
        page.goto(path)
        assert page.evaluate(UNLABELLED) == [], path


def test_settings_can_be_edited_and_saved_with_the_keyboard_alone(
    page: Page, operator_id: str
) -> None:
    create_operator(page, operator_id)
    page.get_by_label("Online Request").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # Broadcast Request, now enabled
    expect(page.get_by_label("Broadcast Request")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Service URL")).to_be_focused()
    page.keyboard.type("https://localhost:8443/cpo-backend")
    page.keyboard.press("Tab")  # the checked radio: Hubject certificate
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("User certificate", exact=True)).to_be_checked()
    page.keyboard.press("Enter")  # submits the form, as in any HTML form
    expect(page.locator(".notice")).to_have_text("Saved revision 1 of Authorization.")
    expect(page.get_by_label("User certificate", exact=True)).to_be_checked()
