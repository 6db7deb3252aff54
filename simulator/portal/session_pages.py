"""The Sessions pages: every SessionID the hub knows, and one session's timeline.

A session's timeline holds every message about it in both directions, in the order the hub
received them: the EMP's remote start and stop (forwarded to the CPO), the CPO's charging
notifications and CDR (forwarded to the EMP), a CPO's authorization requests.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from aiohttp import web

from simulator.admin_api import HUB_KEY
from simulator.portal import urls
from simulator.portal.errors import PageError
from simulator.portal.render import render_page

DEFAULT_LIMIT = 100


def sessions_url(operator_id: str | None = None) -> str:
    """The list of sessions (of one CPO, when given)."""
    query = urlencode({"operator_id": operator_id}) if operator_id else ""
    return f"{urls.PREFIX}/sessions" + (f"?{query}" if query else "")


def session_url(session_id: str) -> str:
    """One session with its timeline."""
    return f"{urls.PREFIX}/sessions/{quote(session_id, safe='')}"


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
    """GET: one session, its timeline (oldest first) and its CDR."""
    store = request.config_dict[HUB_KEY].storage.sessions
    session_id = request.match_info["session_id"]
    session = await store.get(session_id)
    if session is None:
        raise PageError(
            404,
            "Session not found",
            f"The hub knows no session {session_id!r}. Sessions begin with a remote start, "
            "a reservation or an authorization that the hub accepted.",
        )
    return await render_page(
        request,
        "session.html",
        title=f"Session {session_id}",
        active_tab="sessions",
        session=session,
        timeline=await store.timeline(session_id),
        cdr=await store.get_cdr(session_id),
        sessions_url=sessions_url,
    )


def add_session_pages(portal: web.Application) -> None:
    """Register the pages on the portal's sub-application."""
    portal.router.add_get("/sessions", show_sessions)
    portal.router.add_get("/sessions/{session_id}", show_session)
