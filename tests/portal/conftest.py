"""Fixtures of the portal tests: a real hub and CPO stubs as ``hubsim`` processes, and headless
Chromium (Debian's ``chromium`` package) driven by Playwright. No browser is ever downloaded.

Screenshots of every page go to ``$HUBSIM_SCREENSHOTS`` (default: ``screenshots/`` in the
repository root); the run prints the folder at the end.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from mockpki import MockHubjectPKI, PKIFiles
from tests.portal.roaming import Roaming, start_roaming
from tests.portal.support import ServerProcess, Shoot, ShootElement, start_hub, start_stub

CHROMIUM = os.environ.get("HUBSIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("HUBSIM_SCREENSHOTS") or REPO_ROOT / "screenshots")

_screenshots_taken: list[Path] = []
_operator_numbers = itertools.count(1)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _screenshots_taken:
        count = len(_screenshots_taken)
        pages = f"{count} page{'s' if count != 1 else ''}"
        terminalreporter.write_line(f"portal screenshots ({pages}) saved in {SCREENSHOTS}")


@pytest.fixture(scope="session")
def pki_files(tmp_path_factory: pytest.TempPathFactory) -> PKIFiles:
    return MockHubjectPKI.create(host="localhost").write(tmp_path_factory.mktemp("portal-pki"))


@pytest.fixture(scope="session")
def hub(pki_files: PKIFiles, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One hub for the session (``hubsim hub serve`` on a database file); tests use their
    own operators, so they do not see each other's settings."""
    database = tmp_path_factory.mktemp("portal-db") / "hub.sqlite3"
    process = start_hub(pki_files.directory, database)
    yield process
    process.stop()


@pytest.fixture(scope="session")
def hubject_stub(pki_files: PKIFiles) -> Iterator[ServerProcess]:
    """A CPO stub presenting cpo-server.pem, issued by the mock Hubject CA."""
    process = start_stub(pki_files.directory, user_cert=False)
    yield process
    process.stop()


@pytest.fixture(scope="session")
def user_stub(pki_files: PKIFiles) -> Iterator[ServerProcess]:
    """A CPO stub presenting the self-signed cpo-user-server.pem (a "User certificate")."""
    process = start_stub(pki_files.directory, user_cert=True)
    yield process
    process.stop()


@pytest.fixture(scope="session")
def roaming(pki_files: PKIFiles, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Roaming]:
    """A hub with its OICP listener, a CPO stub whose backend reports to it (DE*ABC), and the
    EMPs DE-ICE and DE-UNR (unreachable), each a separate process (see tests/portal/roaming.py).
    Tests start sessions of their own."""
    world = start_roaming(pki_files, tmp_path_factory.mktemp("roaming-db") / "hub.sqlite3")
    yield world
    world.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium for one test module. Not for the session: while Playwright's sync API
    runs, its event loop counts as running, and the asyncio tests of later modules need none."""
    if shutil.which(CHROMIUM) is None:
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium) "
            "or set HUBSIM_CHROMIUM; the tests never download a browser"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def _new_page(browser: Browser, base_url: str, *, javascript: bool) -> Iterator[Page]:
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(browser: Browser, hub: ServerProcess) -> Iterator[Page]:
    """A fresh browser session (own cookies) on the session's hub."""
    yield from _new_page(browser, hub.url, javascript=True)


@pytest.fixture
def page_without_js(browser: Browser, hub: ServerProcess) -> Iterator[Page]:
    """A browser with JavaScript off: the form then sends whatever the user ticked, so only
    the server's rules stand between the input and the database."""
    yield from _new_page(browser, hub.url, javascript=False)


@pytest.fixture
def roaming_page(browser: Browser, roaming: Roaming) -> Iterator[Page]:
    """A browser on the roaming hub's portal."""
    yield from _new_page(browser, roaming.url, javascript=True)


@pytest.fixture
def roaming_page_without_js(browser: Browser, roaming: Roaming) -> Iterator[Page]:
    yield from _new_page(browser, roaming.url, javascript=False)


@pytest.fixture
def operator_id() -> str:
    """An OperatorID of its own for each test."""
    return f"DE*P{next(_operator_numbers):02d}"


@pytest.fixture(scope="session")
def shoot() -> Shoot:
    """Save a full-page screenshot as ``<name>.png`` in the screenshot folder."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        _screenshots_taken.append(path)
        return path

    return take


@pytest.fixture(scope="session")
def shoot_element() -> ShootElement:
    """Save a screenshot of one element as ``<name>.png`` in the screenshot folder."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(locator: Locator, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        locator.screenshot(path=str(path))
        _screenshots_taken.append(path)
        return path

    return take
