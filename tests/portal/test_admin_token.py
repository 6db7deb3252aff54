"""A hub started with an admin token: a browser signs in once with ?token= and then works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from mockpki import PKIFiles
from tests.portal.support import ServerProcess, Shoot, create_operator, start_hub

TOKEN = "demo-room-token-16"


@pytest.fixture
def guarded_hub(pki_files: PKIFiles, tmp_path: Path) -> Iterator[ServerProcess]:
    process = start_hub(pki_files.directory, tmp_path / "hub.sqlite3", "--admin-token", TOKEN)
    yield process
    process.stop()


def test_browser_signs_in_once_with_the_token_in_the_address(
    browser: Browser, guarded_hub: ServerProcess, shoot: Shoot
) -> None:
    stranger = browser.new_context(base_url=guarded_hub.url).new_page()
    response = stranger.goto("/portal/")
    assert response is not None and response.status == 401
    expect(stranger.locator("h1")).to_have_text("Admin token required (401)")
    shoot(stranger, "error-admin-token-required")
    stranger.context.close()

    page = browser.new_context(base_url=guarded_hub.url).new_page()
    page.goto(f"/portal/?token={TOKEN}")
    assert page.url == f"{guarded_hub.url}/portal/"  # the token left the address bar
    create_operator(page, "DE*TOK")  # forms work: GET, POST with CSRF token, redirect
    expect(page.locator("h1")).to_contain_text("DE*TOK")
    page.context.close()
