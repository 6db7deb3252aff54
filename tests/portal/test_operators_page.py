"""The landing page: the operators of the hub and the form to create one; error pages."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from simulator.hub import operator_issues
from simulator.model import Operator
from tests.portal.support import Shoot, create_operator


def test_operator_is_created_from_the_landing_page(
    page: Page, operator_id: str, shoot: Shoot
) -> None:
    create_operator(page, operator_id, name="Landing CPO")
    expect(page.locator("h1")).to_contain_text(operator_id)
    page.goto("/portal/")
    row = page.locator("table.operators tbody tr", has_text=operator_id)
    expect(row).to_contain_text("Landing CPO")
    expect(row).to_contain_text("Offline")
    shoot(page, "operators")


def test_invalid_operator_id_is_refused_next_to_the_field(page: Page) -> None:
    page.goto("/portal/")
    page.get_by_label("OperatorID").fill("ABC")
    page.get_by_role("button", name="Create operator").click()
    messages = page.locator("#field-operator_id .field-error .message").all_inner_texts()
    assert messages == [issue.message for issue in operator_issues(Operator("ABC"))]
    expect(page.get_by_label("OperatorID")).to_have_value("ABC")


def test_existing_operator_is_not_created_twice(page: Page, operator_id: str) -> None:
    create_operator(page, operator_id)
    page.goto("/portal/")
    page.get_by_label("OperatorID").fill(operator_id)
    page.get_by_role("button", name="Create operator").click()
    expect(page.locator("#field-operator_id .field-error .message")).to_have_text(
        f"{operator_id} exists already: open it from the list of operators"
    )


def test_operator_picker_opens_the_operator(page: Page, operator_id: str) -> None:
    create_operator(page, operator_id)
    page.goto("/portal/exchanges")
    page.locator("form.picker").get_by_label("Operator").select_option(operator_id)
    page.locator("form.picker").get_by_role("button", name="Open").click()
    page.wait_for_url("**/settings/authorization")
    expect(page.locator("h1")).to_contain_text(operator_id)


def test_unknown_operator_gets_a_page_not_a_traceback(page: Page, shoot: Shoot) -> None:
    response = page.goto("/portal/operators/XX*NOP/settings/authorization")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Unknown operator (404)")
    expect(page.locator("main")).to_contain_text("no operator 'XX*NOP' is configured")
    expect(page.locator("main")).not_to_contain_text("Traceback")
    shoot(page, "error-unknown-operator")
