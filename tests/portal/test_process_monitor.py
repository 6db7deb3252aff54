"""The Process Monitor in Chromium: every direction, its filters, Hubject's failure classes,
the links to sessions, and live updates.

The hub, the CPO stub (with its backend on) and, for the SSL-Error case, ``openssl
s_server`` with an expired certificate all run as separate processes.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from mockpki import MockHubjectPKI, PKIFiles
from tests.portal.roaming import EMP_ID, OPERATOR, UNREACHABLE_EMP, Roaming
from tests.portal.support import ServerProcess, Shoot

LIVE_MS = 20_000  # how long a live update may take on a busy machine (a guard, not a measure)
ROWS = "#exchanges > details.exchange"
DIRECTIONS = ("hub → CPO", "CPO → hub", "EMP → hub", "hub → EMP")


def _monitor(page: Page, **filters: str) -> None:
    query = urllib.parse.urlencode(filters)
    page.goto("/portal/exchanges" + (f"?{query}" if query else ""))


def _charged_session(roaming: Roaming, page: Page, provider_id: str = EMP_ID) -> tuple[str, str]:
    """A session from remote start to CDR; waits on its (live) page for the CDR."""
    evse_id = roaming.next_evse()
    session_id = roaming.remote_start(evse_id, provider_id)
    page.goto(f"/portal/sessions/{session_id}")
    expect(page.locator("#timeline > li")).to_have_count(3, timeout=LIVE_MS)
    roaming.remote_stop(session_id, evse_id, provider_id)
    expect(page.locator("#timeline > li")).to_have_count(6, timeout=LIVE_MS)
    return session_id, evse_id


@pytest.fixture(scope="module")
def charged(roaming: Roaming, browser: Browser) -> Iterator[tuple[str, str]]:
    """One session from start to CDR for the module's tests, which only read it."""
    context = browser.new_context(base_url=roaming.url)
    yield _charged_session(roaming, context.new_page())
    context.close()


def _column(page: Page, selector: str) -> list[str]:
    return page.locator(f"{ROWS} summary {selector}").all_inner_texts()


def test_the_process_monitor_shows_every_direction_of_a_session(
    roaming: Roaming, roaming_page: Page, charged: tuple[str, str], shoot: Shoot
) -> None:
    session_id, _ = charged

    _monitor(roaming_page, search=session_id)

    assert set(_column(roaming_page, ".direction")) == set(DIRECTIONS)
    # start and stop (EMP → hub, hub → CPO); Start, Progress, End and the CDR (CPO → hub, hub → EMP)
    expect(roaming_page.locator(ROWS)).to_have_count(12)
    shoot(roaming_page, "process-monitor")


@pytest.mark.parametrize(
    ("field", "value", "selector", "shown"),
    [
        ("direction", "hub-to-emp", ".direction", "hub → EMP"),
        ("direction", "cpo-to-hub", ".direction", "CPO → hub"),
        ("operation", "eRoamingChargeDetailRecord", ".what", "eRoamingChargeDetailRecord"),
        ("outcome", "accepted", ".badge-ok", "ACCEPTED"),
    ],
)
def test_a_filter_shows_only_the_exchanges_it_names(
    roaming_page: Page,
    charged: tuple[str, str],
    field: str,
    value: str,
    selector: str,
    shown: str,
) -> None:
    session_id, _ = charged

    _monitor(roaming_page, search=session_id, **{field: value})

    texts = _column(roaming_page, selector)
    assert texts and all(shown in text for text in texts)
    assert len(texts) == roaming_page.locator(ROWS).count()


def test_the_partner_filter_shows_the_exchanges_with_that_emp_or_cpo(
    roaming_page: Page, charged: tuple[str, str]
) -> None:
    session_id, _ = charged

    _monitor(roaming_page, search=session_id, partner_id=EMP_ID)

    assert set(_column(roaming_page, ".direction")) == {"EMP → hub", "hub → EMP"}
    assert all(text.startswith(f"{EMP_ID} · ") for text in _column(roaming_page, ".what"))


def test_the_search_finds_the_exchanges_of_a_session_id_or_an_evse_id(
    roaming_page: Page, charged: tuple[str, str]
) -> None:
    session_id, evse_id = charged

    _monitor(roaming_page, search=session_id)
    by_session = roaming_page.locator(ROWS).count()
    _monitor(roaming_page, search=evse_id)
    by_evse = roaming_page.locator(ROWS).count()

    assert by_session == by_evse == 12
    expect(roaming_page.locator(f"{ROWS} .facts").first).to_contain_text(evse_id)


def test_the_filters_work_without_javascript(
    roaming_page_without_js: Page, charged: tuple[str, str]
) -> None:
    session_id, _ = charged
    page = roaming_page_without_js
    page.goto("/portal/exchanges")

    page.get_by_label("Direction").select_option("hub-to-cpo")
    page.get_by_label("SessionID or EvseID").fill(session_id)
    page.get_by_role("button", name="Filter").click()

    page.wait_for_url(re.compile(r"direction=hub-to-cpo"))
    assert _column(page, ".direction") == ["hub → CPO", "hub → CPO"]


def test_an_unreachable_emp_shows_as_hubjects_not_available(
    roaming: Roaming, roaming_page: Page, shoot: Shoot
) -> None:
    session_id, _ = _charged_session(roaming, roaming_page, UNREACHABLE_EMP)

    _monitor(roaming_page, search=session_id, failure_class="NotAvailable")

    assert set(_column(roaming_page, ".direction")) == {"hub → EMP"}
    assert set(_column(roaming_page, ".badge-class")) == {"NotAvailable"}
    assert set(_column(roaming_page, ".badge-fail")) == {"EMP_UNREACHABLE"}
    operations = [text.split(" · ")[1] for text in _column(roaming_page, ".what")]
    assert "eRoamingChargeDetailRecord" in operations
    shoot(roaming_page, "process-monitor-not-available")


def test_an_exchange_links_to_its_session_and_the_session_back(
    roaming_page: Page, charged: tuple[str, str]
) -> None:
    session_id, _ = charged
    _monitor(roaming_page, search=session_id, direction="hub-to-cpo")
    first = roaming_page.locator(ROWS).first
    exchange_id = first.get_attribute("id")
    first.locator("summary").click()

    first.locator("a.session-link").click()

    roaming_page.wait_for_url(f"**/portal/sessions/{session_id}")
    back = roaming_page.locator(f"#session-exchanges a[href$='#{exchange_id}']")
    back.click()
    roaming_page.wait_for_url(f"**#{exchange_id}")
    expect(roaming_page.locator(f"#{exchange_id}")).to_be_visible()


def test_new_exchanges_appear_without_a_reload(roaming: Roaming, roaming_page: Page) -> None:
    evse_id = roaming.next_evse()
    _monitor(roaming_page, partner_id=EMP_ID, search=evse_id)
    expect(roaming_page.locator(ROWS)).to_have_count(0)
    roaming_page.evaluate("window.hubsimMarker = 'same page'")

    session_id = roaming.remote_start(evse_id)

    expect(roaming_page.locator(ROWS)).not_to_have_count(0, timeout=LIVE_MS)
    expect(roaming_page.locator(f"{ROWS} a.session-link").first).to_have_text(session_id)
    expect(roaming_page.locator("#live-status")).to_contain_text("Live:")
    expect(roaming_page.locator("#live-status")).to_contain_text(
        re.compile(r"\d\d:\d\d:\d\d UTC\.")
    )
    assert roaming_page.evaluate("window.hubsimMarker") == "same page"


def test_a_filter_value_the_hub_does_not_know_is_explained(roaming_page: Page) -> None:
    response = roaming_page.goto("/portal/exchanges?direction=sideways")

    assert response is not None and response.status == 400
    expect(roaming_page.locator(".field-error .message")).to_contain_text(
        "unknown direction 'sideways': use one of hub-to-cpo, cpo-to-hub, emp-to-hub, hub-to-emp"
    )


def test_a_misspelt_or_repeated_query_parameter_is_refused_as_the_api_refuses_it(
    roaming_page: Page,
) -> None:
    response = roaming_page.goto("/portal/exchanges?limt=5")
    assert response is not None and response.status == 400
    message = roaming_page.locator(".field-error .message")
    expect(message).to_contain_text("unknown query parameter 'limt': did you mean 'limit'?")
    response = roaming_page.goto("/portal/exchanges?limit=5&limit=6")
    assert response is not None and response.status == 400
    expect(message).to_contain_text("limit is given 2 times: give it once")


def test_a_refused_limit_stays_in_its_field(roaming_page: Page) -> None:
    response = roaming_page.goto("/portal/exchanges?limit=0")
    assert response is not None and response.status == 400
    expect(roaming_page.get_by_label("Show")).to_have_value("0")


def test_the_admin_api_filters_the_log_like_the_page(
    roaming: Roaming, charged: tuple[str, str]
) -> None:
    session_id, _ = charged

    found = roaming.ok("GET", f"/api/exchanges?direction=hub-to-emp&search={session_id}")
    status, refusal = roaming.api("GET", "/api/exchanges?failure_class=Broken")

    assert [x["direction"] for x in found["exchanges"]] == ["hub-to-emp"] * 4
    assert status == 400 and refusal["issues"][0]["field"] == "failure_class"


# --- SSL-Error: a CPO endpoint whose server certificate has expired ------------------------

EXPIRED_OPERATOR = "DE*EXP"


@pytest.fixture
def expired_endpoint(pki_files: PKIFiles, tmp_path: Path) -> Iterator[str]:
    """``openssl s_server`` presenting a mock Hubject CA certificate that expired yesterday."""
    now = datetime.now(UTC)
    leaf = MockHubjectPKI.load(pki_files.directory).issue_server_cert(
        "localhost", not_before=now - timedelta(days=30), not_after=now - timedelta(days=1)
    )
    cert, key = tmp_path / "expired.pem", tmp_path / "expired.key"
    leaf.write(cert, key)
    args = ("s_server", "-accept", "127.0.0.1:0", "-cert", str(cert), "-key", str(key), "-www")
    server = ServerProcess(args, ready="ACCEPT", program=("openssl",)).start()
    yield "https://localhost:" + server.url.rsplit(":", 1)[1]
    server.stop()


def test_an_expired_server_certificate_shows_as_hubjects_ssl_error(
    roaming: Roaming, roaming_page: Page, expired_endpoint: str, shoot: Shoot
) -> None:
    roaming.ok("POST", "/api/operators", {"operator_id": EXPIRED_OPERATOR, "name": "Expired"})
    roaming.ok(
        "PUT",
        f"/api/operators/{EXPIRED_OPERATOR}/settings/authorization",
        {"online_request": True, "service_url": expired_endpoint},
    )
    sent = roaming.ok(
        "POST",
        f"/api/operators/{EXPIRED_OPERATOR}/send/remote-start",
        {"evse_id": "DE*EXP*E0001", "provider_id": EMP_ID},
    )
    assert sent["outcome"] == "server_cert_expired" and sent["failure_class"] == "SSL-Error"

    _monitor(roaming_page, partner_id=EXPIRED_OPERATOR, failure_class="SSL-Error")

    row = roaming_page.locator(ROWS).first
    expect(row.locator(".badge-class")).to_have_text("SSL-Error")
    expect(row.locator(".badge-fail")).to_have_text("server_cert_expired")
    expect(row.locator(".direction")).to_have_text("hub → CPO")
    shoot(roaming_page, "process-monitor-ssl-error")


def test_the_operator_tab_shows_the_operators_exchanges_of_both_directions(
    roaming_page: Page, charged: tuple[str, str]
) -> None:
    session_id, _ = charged

    _monitor(roaming_page, operator_id=OPERATOR, search=session_id)

    assert set(_column(roaming_page, ".direction")) == {"hub → CPO", "CPO → hub"}
    expect(roaming_page.locator(".tabs a[aria-current=page]")).to_have_text("Process Monitor")


def test_the_live_rows_refuse_a_bad_filter_as_plain_text(roaming: Roaming) -> None:
    request = urllib.request.Request(
        roaming.url + "/portal/exchanges/live?direction=%3Cb%3Ex&after=0"
    )
    try:
        urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:
        refusal = (error.code, error.headers.get_content_type(), error.read().decode())
    else:
        raise AssertionError("the hub answered a bad filter with 200")

    assert refusal[:2] == (400, "text/plain")
    assert refusal[2].startswith("unknown direction '<b>x'")
