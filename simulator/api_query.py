"""The query parameters each admin API route reads; any other is refused, not ignored.

``GET /api/exchanges?limt=5`` used to answer the default 100 entries, and
``?opertor_id=DE*ABC`` the log of every operator: a misspelt filter looked like a filter
that matched everything. A handler names the parameters it reads with :func:`takes_query`;
the middleware refuses every other one, each with the name it resembles, and a parameter
given twice (the handler would read only the first). A write is refused before its handler
runs; a read runs first, so that one refusal also names its bad values.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import web

from simulator.hub import HubError
from simulator.model import FieldIssue
from simulator.suggest import unknown_name

_NAMES = "query_names"  # the handler's attribute that lists what it reads

_Handler = TypeVar("_Handler", bound=Callable[..., Awaitable[web.StreamResponse]])


def takes_query(*names: str) -> Callable[[_Handler], _Handler]:
    """Mark a handler as reading the query parameters ``names`` (and no others)."""

    def mark(handler: _Handler) -> _Handler:
        setattr(handler, _NAMES, names)
        return handler

    return mark


def query_issues(request: web.Request) -> list[FieldIssue]:
    """One issue per query parameter the route does not read or that is given twice."""
    info = request.match_info
    if info.http_exception is not None:
        return []  # no such route or method: that refusal says more
    known: tuple[str, ...] = getattr(info.handler, _NAMES, ())
    route = f"{request.method} {info.route.resource.canonical if info.route.resource else ''}"
    issues: list[FieldIssue] = []
    for name in dict.fromkeys(request.query):
        values = request.query.getall(name)
        if name not in known:
            issues.append(FieldIssue(name, values[0], _unknown(name, known, route)))
        elif len(values) > 1:
            issues.append(FieldIssue(name, values, f"given {len(values)} times; give it once"))
    return issues


def _unknown(name: str, known: tuple[str, ...], route: str) -> str:
    if not known:
        return f"unknown query parameter {name!r}: {route} takes none; remove it"
    return unknown_name("query parameter", name, known, f"the query parameters of {route}")


@web.middleware
async def known_query_only(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Refuse an admin API request whose query holds a parameter its route does not read.

    A read (GET) still runs, so that the refusal also names its bad values
    (``?limt=5&outcome=bad``); a write is refused before it changes anything.
    """
    if not request.path.startswith("/api/") or not request.query:
        return await handler(request)
    issues = query_issues(request)
    if not issues:
        return await handler(request)
    if request.method in ("GET", "HEAD"):
        try:
            await handler(request)
        except HubError as err:
            issues += err.issues
    raise HubError(issues)
