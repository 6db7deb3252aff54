"""A session's page in Chromium: the drawn session, its list, its live updates, its details.

Everything runs as separate processes (tests/portal/roaming.py): an EMP's remote start goes
through the hub to the CPO stub, whose backend sends notifications and the CDR back. The
page is opened once and never reloaded: it shows each new message as the hub receives it.
"""

from __future__ import annotations

import re

from lxml import etree
from playwright.sync_api import Page, expect

from tests.portal.roaming import UNREACHABLE_EMP, Roaming
from tests.portal.support import Shoot, ShootElement

LIVE_MS = 20_000  # how long a live update may take on a busy machine (a guard, not a measure)
NS = {"svg": "http://www.w3.org/2000/svg"}
LANE_OF_SENDER = {"EMP → hub → CPO": ("emp", "cpo"), "CPO → hub → EMP": ("cpo", "emp")}


def _session_path(session_id: str) -> str:
    return f"/portal/sessions/{session_id}"


def _charge(roaming: Roaming, page: Page, provider_id: str = "DE-ICE") -> str:
    """Start a session, watch it on its page, stop it, and wait for the page to show the CDR."""
    evse_id = roaming.next_evse()
    session_id = roaming.remote_start(evse_id, provider_id)
    page.goto(_session_path(session_id))
    # Remote start, then the stub's Start and Progress, arriving while the page is open.
    expect(page.locator("#timeline > li")).to_have_count(3, timeout=LIVE_MS)
    roaming.remote_stop(session_id, evse_id, provider_id)
    expect(page.locator("#timeline > li")).to_have_count(6, timeout=LIVE_MS)
    expect(page.locator("#session-heading + .facts")).to_contain_text("closed", timeout=LIVE_MS)
    return session_id


def _page_svg(page: Page) -> etree._Element:
    markup = page.locator("#diagram svg").evaluate("svg => svg.outerHTML")
    return etree.fromstring(markup.encode())


def test_a_drawn_session_has_one_arrow_per_timeline_message_in_order_on_the_right_lanes(
    roaming: Roaming, roaming_page: Page, shoot: Shoot, shoot_element: ShootElement
) -> None:
    session_id = _charge(roaming, roaming_page)
    timeline = roaming.session(session_id)["timeline"]

    svg = _page_svg(roaming_page)
    messages = svg.xpath("//svg:g[@class='message']", namespaces=NS)
    assert [int(m.get("data-event-id")) for m in messages] == [e["event_id"] for e in timeline]
    assert [(m.get("data-from"), m.get("data-to")) for m in messages] == [
        LANE_OF_SENDER[e["direction"]] for e in timeline
    ]
    shoot(roaming_page, "session-drawn")
    shoot_element(roaming_page.locator("#diagram svg"), "session-diagram")


def test_the_session_page_shows_new_messages_without_a_reload(
    roaming: Roaming, roaming_page: Page
) -> None:
    evse_id = roaming.next_evse()
    session_id = roaming.remote_start(evse_id)
    roaming_page.goto(_session_path(session_id))
    expect(roaming_page.locator("#timeline > li")).to_have_count(3, timeout=LIVE_MS)
    roaming_page.evaluate("window.hubsimMarker = 'same page'")

    roaming.remote_stop(session_id, evse_id)

    expect(roaming_page.locator("#diagram g.message")).to_have_count(6, timeout=LIVE_MS)
    expect(roaming_page.locator("#timeline > li")).to_have_count(6)
    assert roaming_page.evaluate("window.hubsimMarker") == "same page"


def test_selecting_an_arrow_opens_the_messages_bodies(
    roaming: Roaming, roaming_page: Page, shoot: Shoot
) -> None:
    session_id = _charge(roaming, roaming_page)
    cdr = roaming.session(session_id)["timeline"][-1]

    roaming_page.locator(f"#diagram g.message[data-event-id='{cdr['event_id']}']").click()

    entry = roaming_page.locator(f"#event-{cdr['event_id']}")
    expect(entry.locator("details")).to_have_attribute("open", "")
    expect(entry.locator(".bodies pre").first).to_contain_text(session_id)
    assert roaming_page.url.endswith(f"#event-{cdr['event_id']}")
    shoot(roaming_page, "session-arrow-selected")


def test_without_javascript_an_arrow_opens_the_messages_bodies(
    roaming: Roaming, roaming_page: Page, roaming_page_without_js: Page
) -> None:
    session_id = _charge(roaming, roaming_page)
    start = roaming.session(session_id)["timeline"][0]
    page = roaming_page_without_js
    page.goto(_session_path(session_id))

    page.locator(f"#diagram g.message[data-event-id='{start['event_id']}']").click()

    entry = page.locator(f"#event-{start['event_id']}")
    expect(entry.locator("details")).to_have_attribute("open", "")
    expect(entry.locator(".bodies pre").first).to_contain_text(start["request"]["EvseID"])


def test_the_timeline_shows_answer_times_in_milliseconds(
    roaming: Roaming, roaming_page: Page
) -> None:
    session_id = _charge(roaming, roaming_page)
    first = roaming.session(session_id)["timeline"][0]

    assert first["answered_at"] is not None and first["duration_ms"] is not None
    facts = roaming_page.locator(f"#event-{first['event_id']} .facts")
    expect(facts).to_contain_text("Answered")
    expect(roaming_page.locator(f"#event-{first['event_id']} .when")).to_have_text(
        re.compile(r"\d{2}:\d{2}:\d{2}\.\d{3} UTC")
    )


def test_a_session_keeps_the_cpo_partner_session_id_the_cpo_returned(
    roaming: Roaming, roaming_page: Page
) -> None:
    session_id = _charge(roaming, roaming_page)

    session = roaming.session(session_id)
    start = session["timeline"][0]
    returned = start["response"]["CPOPartnerSessionID"]
    assert returned and session["session"]["cpo_partner_session_id"] == returned
    expect(roaming_page.locator("#session-heading + .facts")).to_contain_text(returned)


def test_a_cdr_the_emp_could_not_receive_is_not_called_forwarded(
    roaming: Roaming, roaming_page: Page, shoot: Shoot
) -> None:
    session_id = _charge(roaming, roaming_page, UNREACHABLE_EMP)
    cdr = roaming.session(session_id)["timeline"][-1]

    assert cdr["label"] == "CDR" and cdr["result"] is True
    assert cdr["forward_outcome"] == "emp_unreachable"
    assert "forwarded to the EMP" not in cdr["detail"]
    assert cdr["detail"].startswith(f"stored, but not delivered to the EMP {UNREACHABLE_EMP}")
    message = _page_svg(roaming_page).xpath(
        f"//svg:g[@data-event-id='{cdr['event_id']}']/svg:line[starts-with(@class, 'leg')]",
        namespaces=NS,
    )
    assert [leg.get("class") for leg in message] == ["leg leg-ok", "leg leg-fail"]
    shoot(roaming_page, "session-emp-unreachable")


def test_without_javascript_the_session_page_shows_the_diagram_and_its_text_alternative(
    roaming: Roaming, roaming_page: Page, roaming_page_without_js: Page, shoot: Shoot
) -> None:
    session_id = _charge(roaming, roaming_page)

    roaming_page_without_js.goto(_session_path(session_id))

    expect(roaming_page_without_js.locator("#diagram g.message")).to_have_count(6)
    expect(roaming_page_without_js.locator("#timeline > li")).to_have_count(6)
    title = roaming_page_without_js.locator("#diagram svg title#sequence-title")
    expect(title).to_contain_text("6 messages")
    shoot(roaming_page_without_js, "session-without-js")


def test_the_sessions_page_links_to_each_session(
    roaming: Roaming, roaming_page: Page, shoot: Shoot
) -> None:
    session_id = roaming.remote_start(roaming.next_evse())

    roaming_page.goto("/portal/sessions")
    roaming_page.locator(f"#session-{session_id} a").click()

    roaming_page.wait_for_url(f"**{_session_path(session_id)}")
    expect(roaming_page.locator("h1")).to_contain_text(session_id)
    roaming_page.goto("/portal/sessions")
    shoot(roaming_page, "sessions")
