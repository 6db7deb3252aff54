"""A session drawn as a sequence diagram: lanes for the EMP, the hub and the CPO, one arrow per
timeline message.

:func:`sequence_svg` is a pure function of the session and its timeline: the same input
gives the same SVG, byte for byte. The portal inlines it above the timeline's list, which
stays as the diagram's text alternative.

Each message is one ``<g class="message">``, linked to the message's entry (with its bodies)
in the list. Its arrow starts at the sender's lane and passes the hub; it goes on to the
other side when the hub forwarded the message, and ends at the hub when the hub answered it
itself. The leg to the hub is coloured by the answer the sender got; the leg beyond by how
the forwarding went (a CDR stored but not delivered to an unreachable EMP: green, then red).
A dashed line back to the sender carries the answer and how long it took.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree

from simulator.exchange import Outcome
from simulator.session_model import Direction, Session, TimelineEvent

SVG_NS = "http://www.w3.org/2000/svg"

EMP, HUB, CPO = "emp", "hub", "cpo"
LANE_X = {EMP: 120, HUB: 380, CPO: 640}
WIDTH = 760
HEAD_Y = 16
HEAD_HEIGHT = 44
FIRST_Y = 96
ROW = 66
RETURN_DY = 20

OK, FAIL, NONE = "ok", "fail", "none"
COLOURS = {OK: "#1e7b34", FAIL: "#b3261e", NONE: "#5b6b7c"}
INK, MUTED, LINE = "#1d2733", "#5b6b7c", "#9aa9b8"


@dataclass(frozen=True)
class Arrow:
    """Where one message's arrow runs, and the colour of each leg."""

    sender: str
    receiver: str  # HUB when the hub answered the message itself
    answer_tone: str
    forward_tone: str | None


def arrow_of(event: TimelineEvent) -> Arrow:
    """The lanes and colours of one timeline message."""
    from_emp = event.event.direction is Direction.EMP_TO_CPO
    sender, far = (EMP, CPO) if from_emp else (CPO, EMP)
    answer = event.answer
    answer_tone = NONE if answer is None else OK if answer.result else FAIL
    forwarded = answer.forward_outcome if answer is not None else None
    if forwarded is None:
        return Arrow(sender, HUB, answer_tone, None)
    return Arrow(sender, far, answer_tone, OK if forwarded == Outcome.ACCEPTED.value else FAIL)


def sequence_svg(
    session: Session, timeline: Sequence[TimelineEvent], link: Callable[[int], str]
) -> str:
    """The session's sequence diagram as SVG text; ``link(event_id)`` is each arrow's href."""
    height = FIRST_Y + max(len(timeline), 1) * ROW
    svg = etree.Element(
        f"{{{SVG_NS}}}svg",
        nsmap={None: SVG_NS},  # type: ignore[dict-item]  # lxml's default namespace key
        attrib={
            "class": "sequence",
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": str(WIDTH),
            "height": str(height),
            "role": "img",
            "aria-labelledby": "sequence-title",
            "font-family": "system-ui, sans-serif",
            "font-size": "12",
        },
    )
    title = _add(svg, "title", id="sequence-title")
    title.text = (
        f"Sequence diagram of session {session.session_id}: {len(timeline)} message"
        f"{'s' if len(timeline) != 1 else ''} between EMP {session.provider_id}, the hub and "
        f"CPO {session.operator_id}; the list below describes each message"
    )
    _markers(svg)
    _lanes(svg, session, height)
    for index, event in enumerate(timeline):
        offset_s = (event.event.at - timeline[0].event.at).total_seconds()
        _message(svg, event, FIRST_Y + index * ROW, offset_s, link(event.event_id))
    text: str = etree.tostring(svg, encoding="unicode")
    return text


def _add(
    parent: etree._Element, tag: str, text: str | None = None, **attrib: str
) -> etree._Element:
    element = etree.SubElement(
        parent, f"{{{SVG_NS}}}{tag}", attrib={k.replace("_", "-"): v for k, v in attrib.items()}
    )
    if text is not None:
        element.text = text
    return element


def _markers(svg: etree._Element) -> None:
    defs = _add(svg, "defs")
    for tone, colour in COLOURS.items():
        marker = _add(
            defs,
            "marker",
            id=f"head-{tone}",
            viewBox="0 0 10 10",
            refX="9",
            refY="5",
            markerWidth="7",
            markerHeight="7",
            orient="auto-start-reverse",
        )
        _add(marker, "path", d="M 0 0 L 10 5 L 0 10 z", fill=colour)


def _lanes(svg: etree._Element, session: Session, height: int) -> None:
    names = {
        EMP: ("EMP", session.provider_id),
        HUB: ("Hub", "mock HBS"),
        CPO: ("CPO", session.operator_id),
    }
    for lane, x in LANE_X.items():
        group = _add(svg, "g", **{"class": "lane", "data-lane": lane})
        _add(
            group,
            "rect",
            x=str(x - 90),
            y=str(HEAD_Y),
            width="180",
            height=str(HEAD_HEIGHT),
            rx="6",
            fill="#0b2545" if lane == HUB else "#13315c",
        )
        role, name = names[lane]
        _add(
            group,
            "text",
            role,
            x=str(x),
            y=str(HEAD_Y + 18),
            fill="#ffffff",
            text_anchor="middle",
            font_weight="700",
        )
        _add(
            group, "text", name, x=str(x), y=str(HEAD_Y + 35), fill="#cfe0f1", text_anchor="middle"
        )
        _add(
            group,
            "line",
            **{"class": "lifeline", "data-lane": lane},
            x1=str(x),
            y1=str(HEAD_Y + HEAD_HEIGHT),
            x2=str(x),
            y2=str(height - 8),
            stroke=LINE,
            stroke_dasharray="4 4",
        )


def _message(svg: etree._Element, event: TimelineEvent, y: int, offset_s: float, href: str) -> None:
    arrow = arrow_of(event)
    anchor = _add(svg, "a", href=href)
    group = _add(
        anchor,
        "g",
        **{
            "class": "message",
            "data-event-id": str(event.event_id),
            "data-from": arrow.sender,
            "data-to": arrow.receiver,
        },
    )
    _add(group, "title", f"{event.event.label}: open its request and answer")
    sender_x, hub_x = LANE_X[arrow.sender], LANE_X[HUB]
    # An invisible band over the whole row, so that the arrow is easy to point at.
    _add(
        group,
        "rect",
        **{"class": "hit"},
        x=str(min(LANE_X.values()) - 20),
        y=str(y - 22),
        width=str(max(LANE_X.values()) - min(LANE_X.values()) + 40),
        height=str(RETURN_DY + 40),
        fill="#ffffff",
        fill_opacity="0",
    )
    _leg(group, sender_x, hub_x, y, arrow.answer_tone, head=arrow.forward_tone is None)
    if arrow.forward_tone is not None:
        _leg(group, hub_x, LANE_X[arrow.receiver], y, arrow.forward_tone, head=True)
    left = min(sender_x, LANE_X[arrow.receiver])
    right = max(sender_x, LANE_X[arrow.receiver])
    _add(
        group,
        "text",
        f"+{offset_s:.3f} s  {event.event.label}",
        x=str((left + right) // 2),
        y=str(y - 7),
        fill=INK,
        text_anchor="middle",
        font_weight="600",
    )
    _answer(group, event, sender_x, hub_x, y + RETURN_DY, arrow.answer_tone)


def _leg(group: etree._Element, x1: int, x2: int, y: int, tone: str, *, head: bool) -> None:
    attrib = {
        "class": f"leg leg-{tone}",
        "x1": str(x1),
        "y1": str(y),
        "x2": str(x2),
        "y2": str(y),
        "stroke": COLOURS[tone],
        "stroke_width": "2.5",
    }
    if head:
        attrib["marker_end"] = f"url(#head-{tone})"
    if tone == FAIL:
        attrib["stroke_dasharray"] = "7 4"
    _add(group, "line", **attrib)


def _answer(
    group: etree._Element, event: TimelineEvent, sender_x: int, hub_x: int, y: int, tone: str
) -> None:
    answer = event.answer
    if answer is None:
        words = "no answer yet"
    else:
        result = "Result true" if answer.result else "Result false"
        code = f" {answer.status_code}" if answer.status_code else ""
        took = event.duration_ms
        words = f"{result}{code}" + (f" after {took:.1f} ms" if took is not None else "")
    _add(
        group,
        "line",
        **{"class": "answer"},
        x1=str(hub_x),
        y1=str(y),
        x2=str(sender_x),
        y2=str(y),
        stroke=COLOURS[tone],
        stroke_width="1.5",
        stroke_dasharray="3 3",
        marker_end=f"url(#head-{tone})",
    )
    _add(
        group,
        "text",
        words,
        x=str((sender_x + hub_x) // 2),
        y=str(y + 14),
        fill=MUTED,
        text_anchor="middle",
    )
