"""The operator form's Wire profile: chosen in the portal, stored, shown in the list."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

from playwright.sync_api import Page, expect

from tests.portal.support import ServerProcess


def _api_operator(hub: ServerProcess, operator_id: str) -> dict[str, object]:
    quoted = urllib.parse.quote(operator_id, safe="")
    with urllib.request.urlopen(f"{hub.url}/api/operators/{quoted}", timeout=30) as resp:
        data: dict[str, object] = json.loads(resp.read())
        return data


def test_wire_profile_chosen_in_the_portal_is_the_operators(
    page: Page, operator_id: str, hub: ServerProcess
) -> None:
    page.goto("/portal/")
    page.get_by_label("OperatorID").fill(operator_id)
    page.get_by_label("Wire profile").select_option("strict")
    page.get_by_role("button", name="Create operator").click()
    page.wait_for_url("**/settings/authorization")
    assert _api_operator(hub, operator_id)["wire_profile"] == "strict"
    page.goto("/portal/")
    row = page.locator("table.operators tbody tr", has_text=operator_id)
    expect(row.locator("td.wire-profile")).to_have_text("strict")


def test_wire_profile_defaults_to_hbs_in_the_portal(
    page: Page, operator_id: str, hub: ServerProcess
) -> None:
    page.goto("/portal/")
    expect(page.get_by_label("Wire profile")).to_have_value("hbs")
    page.get_by_label("OperatorID").fill(operator_id)
    page.get_by_role("button", name="Create operator").click()
    page.wait_for_url("**/settings/authorization")
    assert _api_operator(hub, operator_id)["wire_profile"] == "hbs"
