"""The session diagram as SVG: one arrow per timeline message, in order, on the right lanes.

:func:`simulator.portal.sequence.sequence_svg` is a pure function, so these tests build a
timeline by hand and read the SVG back with lxml, as any SVG reader would.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lxml import etree

from simulator.portal.sequence import COLOURS, sequence_svg
from simulator.session_model import (
    Direction,
    EventAnswer,
    NewEvent,
    Session,
    SessionKind,
    SessionState,
    TimelineEvent,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
START = datetime(2025, 3, 1, 14, 5, 9, tzinfo=UTC)
SESSION = Session(
    "b2688855-7f00-0002-6d8e-48d883f6abb6",
    SessionKind.REMOTE,
    "DE-ICE",
    "DE*ABC",
    "DE*ABC*E0001",
    SessionState.CLOSED,
    START,
    START,
)


def _event(
    event_id: int,
    label: str,
    direction: Direction,
    after_s: float,
    *,
    result: bool | None = True,
    took_ms: float = 12.0,
    forwarded: str | None = "accepted",
) -> TimelineEvent:
    at = START + timedelta(seconds=after_s)
    answer = (
        None
        if result is None
        else EventAnswer(
            {"Result": result},
            result,
            "000" if result else "310",
            "detail",
            at + timedelta(milliseconds=took_ms),
            forwarded,
        )
    )
    sender = "DE-ICE" if direction is Direction.EMP_TO_CPO else "DE*ABC"
    return TimelineEvent(
        event_id, SESSION.session_id, NewEvent("op", label, direction, sender, {}, at), answer
    )


TIMELINE = [
    _event(11, "remote start", Direction.EMP_TO_CPO, 0.0, took_ms=9.4),
    _event(12, "notification Start", Direction.CPO_TO_EMP, 0.5),
    _event(13, "authorize stop", Direction.CPO_TO_EMP, 1.0, forwarded=None),
    _event(14, "CDR", Direction.CPO_TO_EMP, 2.25, forwarded="emp_unreachable"),
    _event(15, "remote stop", Direction.EMP_TO_CPO, 3.0, result=None),
]


def _link(event_id: int) -> str:
    return f"/portal/sessions/x#event-{event_id}"


def _svg(timeline: list[TimelineEvent] = TIMELINE) -> etree._Element:
    return etree.fromstring(sequence_svg(SESSION, timeline, _link).encode())


def _lane_x(svg: etree._Element) -> dict[str, float]:
    lines = svg.xpath("//svg:line[@class='lifeline']", namespaces=NS)
    return {line.get("data-lane"): float(line.get("x1")) for line in lines}


def _messages(svg: etree._Element) -> list[etree._Element]:
    found: list[etree._Element] = svg.xpath("//svg:g[@class='message']", namespaces=NS)
    return found


def _legs(message: etree._Element) -> list[etree._Element]:
    found: list[etree._Element] = message.xpath(
        "svg:line[starts-with(@class, 'leg')]", namespaces=NS
    )
    return found


def test_the_svg_holds_one_arrow_per_timeline_event_in_order_on_the_right_lanes() -> None:
    svg = _svg()
    lanes = _lane_x(svg)
    messages = _messages(svg)

    assert [int(m.get("data-event-id")) for m in messages] == [11, 12, 13, 14, 15]
    ends = [(m.get("data-from"), m.get("data-to")) for m in messages]
    assert ends == [("emp", "cpo"), ("cpo", "emp"), ("cpo", "hub"), ("cpo", "emp"), ("emp", "hub")]
    for message, (sender, receiver) in zip(messages, ends, strict=True):
        legs = _legs(message)
        assert float(legs[0].get("x1")) == lanes[sender]
        assert float(legs[-1].get("x2")) == lanes[receiver]
        assert all(float(leg.get("x1")) == lanes["hub"] for leg in legs[1:])
    heights = [float(_legs(m)[0].get("y1")) for m in messages]
    assert heights == sorted(heights) and len(set(heights)) == len(heights)


def test_a_message_the_hub_answered_itself_ends_at_the_hub_lane() -> None:
    svg = _svg()
    lanes = _lane_x(svg)
    answered_by_hub = _messages(svg)[2]

    legs = _legs(answered_by_hub)
    assert len(legs) == 1
    assert (float(legs[0].get("x1")), float(legs[0].get("x2"))) == (lanes["cpo"], lanes["hub"])


def test_each_leg_is_coloured_by_its_outcome() -> None:
    messages = _messages(_svg())

    colours = [[leg.get("stroke") for leg in _legs(m)] for m in messages]
    ok, fail, none = COLOURS["ok"], COLOURS["fail"], COLOURS["none"]
    assert colours == [[ok, ok], [ok, ok], [ok], [ok, fail], [none]]


def test_each_arrow_links_to_its_message_in_the_list() -> None:
    svg = _svg()

    links = svg.xpath("//svg:a[svg:g[@class='message']]/@href", namespaces=NS)
    assert links == [_link(event_id) for event_id in (11, 12, 13, 14, 15)]


def test_each_arrow_shows_its_time_offset_and_the_answers_duration() -> None:
    texts = [" ".join(m.xpath(".//svg:text/text()", namespaces=NS)) for m in _messages(_svg())]

    assert texts[0].startswith("+0.000 s  remote start") and "after 9.4 ms" in texts[0]
    assert texts[3].startswith("+2.250 s  CDR") and "after 12.0 ms" in texts[3]
    assert texts[4].endswith("no answer yet")


def test_the_same_timeline_gives_the_same_svg() -> None:
    assert sequence_svg(SESSION, TIMELINE, _link) == sequence_svg(SESSION, list(TIMELINE), _link)


def test_labels_are_escaped_as_text() -> None:
    odd = [_event(1, "<script>alert(1)</script> & more", Direction.EMP_TO_CPO, 0.0)]

    text = sequence_svg(SESSION, odd, _link)

    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in text


def test_a_session_without_messages_draws_only_the_lanes() -> None:
    svg = _svg([])

    assert _messages(svg) == []
    assert sorted(_lane_x(svg)) == ["cpo", "emp", "hub"]
