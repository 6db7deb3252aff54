"""The Sessions pages: every SessionID the hub knows, and one session's timeline.

A session's timeline holds every message about it in both directions, in the order the hub
received them: the EMP's remote start and stop (forwarded to the CPO), the CPO's charging
notifications and CDR (forwarded to the EMP), a CPO's authorization requests. The page
draws it as a sequence diagram (:mod:`simulator.portal.sequence`, built by the server)
above the list, which is the diagram's text alternative, and lists the Process Monitor's
exchanges of the session, each linked to its place in the Process Monitor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

from simulator.admin_api import HUB_KEY
from simulator.portal import urls
from simulator.portal.errors import PageError
from simulator.portal.render import SECURITY_HEADERS, html_response, render_html, render_page
from simulator.portal.sequence import sequence_svg
from simulator.session_model import Session, TimelineEvent
from simulator.storage import ExchangeQuery

DEFAULT_LIMIT = 100


def sessions_url(operator_id: str | None = None) -> str:
    """The list of sessions (of one CPO, when given)."""
    query = urlencode({"operator_id": operator_id}) if operator_id else ""
    return f"{urls.PREFIX}/sessions" + (f"?{query}" if query else "")


def session_url(session_id: str) -> str:
    """One session with its timeline."""
    return f"{urls.PREFIX}/sessions/{quote(session_id, safe='')}"


def event_url(session_id: str, event_id: int) -> str:
    """One message of a session's timeline, shown open (its bodies visible) on the page:
    the query opens it without JavaScript, the fragment scrolls to it."""
    return f"{session_url(session_id)}?event={event_id}#event-{event_id}"


async def show_sessions(request: web.Request) -> web.Response:
    """GET: the newest sessions first, optionally of one operator."""
    hub = request.config_dict[HUB_KEY]
    operator_id = request.query.get("operator_id") or None
    sessions = await hub.storage.sessions.list_sessions(
        limit=DEFAULT_LIMIT, operator_id=operator_id
    )
    return await render_page(
        request,
        "sessions.html",
        title="Sessions",
        active_tab="sessions",
        sessions=sessions,
        operator_filter=operator_id,
        session_url=session_url,
        sessions_url=sessions_url,
    )


async def show_session(request: web.Request) -> web.Response:
    """GET: one session, drawn, its timeline (oldest first), its exchanges and its CDR."""
    session_id = request.match_info["session_id"]
    state = await _session_state(request, session_id)
    return await render_page(
        request,
        "session.html",
        title=f"Session {session_id}",
        active_tab="sessions",
        sessions_url=sessions_url,
        live_url=f"{session_url(session_id)}/live",
        **await _session_view(request, state),
    )


async def live_session(request: web.Request) -> web.Response:
    """GET: the diagram, timeline and exchanges as a fragment, for the page's live updates;
    204 while nothing changed since ``version``."""
    state = await _session_state(request, request.match_info["session_id"])
    if request.query.get("version") == state.version:
        return web.Response(status=204, headers=SECURITY_HEADERS)
    response = html_response(
        render_html("_session_live.html", **await _session_view(request, state))
    )
    response.headers[VERSION_HEADER] = state.version
    return response


VERSION_HEADER = "X-Hubsim-Version"
EXCHANGES_SHOWN = 200


@dataclass(frozen=True)
class SessionState:
    """A session and its timeline, and a version that changes with what the page shows."""

    session: Session
    timeline: list[TimelineEvent]
    version: str


async def _session_state(request: web.Request, session_id: str) -> SessionState:
    """Cheap to read: the live updates ask for it every two seconds. The version takes the
    log's newest exchange id instead of the session's exchanges, which need a scan."""
    storage = request.config_dict[HUB_KEY].storage
    session = await storage.sessions.get(session_id)
    if session is None:
        raise PageError(
            404,
            "Session not found",
            f"The hub knows no session {session_id!r}. Sessions begin with a remote start, "
            "a reservation or an authorization that the hub accepted.",
        )
    timeline = await storage.sessions.timeline(session_id)
    await storage.flush()  # the exchange log is written in batches
    answered = sum(1 for e in timeline if e.answer is not None)
    newest = await storage.newest_exchange_id()
    version = f"{len(timeline)}.{answered}.{session.state.value}.{newest}"
    return SessionState(session, timeline, version)


async def _session_view(request: web.Request, state: SessionState) -> dict[str, Any]:
    """What the live part of the session page shows."""
    storage = request.config_dict[HUB_KEY].storage
    session_id = state.session.session_id
    query = ExchangeQuery(search=session_id, limit=EXCHANGES_SHOWN)
    found = await storage.query_exchanges(query)
    diagram = sequence_svg(
        state.session, state.timeline, lambda event: event_url(session_id, event)
    )
    chosen = request.query.get("event", "")
    return {
        "session": state.session,
        "timeline": state.timeline,
        "diagram": diagram,
        "exchanges": [x for x in found if x.session_id == session_id],
        "cdr": await storage.sessions.get_cdr(session_id),
        "open_event": int(chosen) if chosen.isdigit() else None,
        "session_url": session_url,
        "version": state.version,
    }


def add_session_pages(portal: web.Application) -> None:
    """Register the pages on the portal's sub-application."""
    portal.router.add_get("/sessions", show_sessions)
    portal.router.add_get("/sessions/{session_id}", show_session)
    portal.router.add_get("/sessions/{session_id}/live", live_session)
