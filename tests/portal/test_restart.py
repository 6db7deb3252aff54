"""After "Save" has answered, ``kill -9`` of the hub loses nothing: a hub restarted on the same
database file shows the same settings, certificates and exchange log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from mockpki import PKIFiles
from tests.portal.support import (
    ServerProcess,
    Shoot,
    create_operator,
    fill_settings,
    save,
    service_url_of,
    settings_path,
    start_hub,
)

OPERATOR_ID = "DE*KIL"


@pytest.fixture
def hubs() -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for process in started:
        process.stop()


def browse(browser: Browser, hub: ServerProcess) -> Page:
    context = browser.new_context(base_url=hub.url, viewport={"width": 1280, "height": 900})
    return context.new_page()


def test_kill_9_after_save_loses_nothing(
    browser: Browser,
    pki_files: PKIFiles,
    hubject_stub: ServerProcess,
    hubs: list[ServerProcess],
    tmp_path: Path,
    shoot: Shoot,
) -> None:
    database = tmp_path / "hub.sqlite3"
    first = start_hub(pki_files.directory, database)
    hubs.append(first)
    url = service_url_of(hubject_stub)
    page = browse(browser, first)
    create_operator(page, OPERATOR_ID, name="Survivor CPO")
    page.goto(f"/portal/operators/{OPERATOR_ID}/certificates")
    page.get_by_label("Certificate file (.pem, .crt)").set_input_files(
        str(pki_files.cpo_user_server_cert)
    )
    page.get_by_role("button", name="Upload").click()
    page.goto(settings_path(OPERATOR_ID))
    fill_settings(page, online=True, url=url)
    save(page)
    page.get_by_role("button", name="Test this configuration").click()
    expect(page.locator("#test-result h4 .badge")).to_have_text("accepted", ignore_case=True)
    fill_settings(page, online=True, url=url, certification="User certificate")
    save(page)
    expect(page.locator(".notice")).to_have_text("Saved revision 2 of Authorization.")
    page.context.close()

    first.kill()  # SIGKILL: no shutdown code, no final flush
    second = start_hub(pki_files.directory, database)
    hubs.append(second)
    page = browse(browser, second)

    page.goto(settings_path(OPERATOR_ID))
    expect(page.locator("h1")).to_contain_text("Survivor CPO")
    expect(page.locator("#edit-heading")).to_contain_text("revision 2")
    expect(page.get_by_label("Service URL")).to_have_value(url)
    expect(page.get_by_label("User certificate", exact=True)).to_be_checked()
    expect(page.locator("#before-heading")).to_have_text("Before editing: revision 1")
    expect(page.locator("table.history tbody tr")).to_have_count(2)
    shoot(page, "settings-after-kill-9-restart")
    page.goto(f"/portal/operators/{OPERATOR_ID}/certificates")
    expect(page.locator("table.certificates .status")).to_have_text(["Active"])
    expect(page.locator("table.certificates code.url")).to_have_text([url])
    page.goto(f"/portal/exchanges?operator_id={OPERATOR_ID}")
    expect(page.locator("details.exchange")).to_have_count(1)
    expect(page.locator("details.exchange .badge")).to_have_text("accepted", ignore_case=True)
    page.context.close()
