"""The Process Monitor: every exchange in every direction, filterable, updated live.

Hub → CPO (the hub's calls to CPO backends), CPO → hub and EMP → hub (calls to the hub's
OICP listener) and hub → EMP (the hub's forwarding to its simulated EMPs), newest first.
Each failure shows Hubject's Process Monitor class (NotAvailable, Timeout, ValidationError,
SSL-Error, Unknown) beside hubsim's own outcome, and each exchange about a session links to
it.

Live updates are polling, by ``portal.js``: it asks ``/portal/exchanges/live`` with the
page's filters and the newest exchange id it shows, and puts the answer (rendered rows) on
top. Without JavaScript the page is the same list, refreshed by the Filter button.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

from aiohttp import web

from oicp.cpo_operations import CPOOperation
from oicp.operations import Operation
from simulator.admin_api import HUB_KEY
from simulator.exchange import FAILURE_CLASSES, Exchange, ExchangeDirection, Outcome
from simulator.portal import urls
from simulator.portal.render import SECURITY_HEADERS, html_response, render_html, render_page
from simulator.portal.session_pages import session_url
from simulator.storage import ExchangeQuery
from simulator.suggest import unknown_name
from simulator.whole_numbers import whole_number

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
LAST_ID_HEADER = "X-Hubsim-Last-Exchange"


@dataclass(frozen=True)
class MonitorFilters:
    """The filters of the page, as the query string gives them ('' when not set)."""

    operator_id: str = ""
    service_type: str = ""
    direction: str = ""
    partner_id: str = ""
    operation: str = ""
    outcome: str = ""
    failure_class: str = ""
    search: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> MonitorFilters:
        return cls(**{f.name: query.get(f.name, "").strip() for f in fields(cls)})

    def query_string(self) -> str:
        """The set filters as a URL query (for the live updates and links)."""
        return urlencode(
            {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}
        )

    def to_query(self, limit: int) -> ExchangeQuery:
        return ExchangeQuery(
            operator_id=self.operator_id or None,
            service_type=self.service_type or None,
            outcome=self.outcome or None,
            limit=limit,
            direction=self.direction or None,
            partner_id=self.partner_id or None,
            operation=self.operation or None,
            failure_class=self.failure_class or None,
            search=self.search or None,
        )


def operation_names() -> list[str]:
    """Every OICP operation the log can hold, by wire name."""
    return sorted({op.value for op in Operation} | {op.value for op in CPOOperation})


async def show_exchanges(request: web.Request) -> web.Response:
    """GET: the Process Monitor, newest first, filtered by the query's fields."""
    hub = request.config_dict[HUB_KEY]
    filters = MonitorFilters.from_query(request.query)
    limit, problem = _limit(request.query.get("limit", ""))
    problem = _query_problem(request) or problem
    exchanges: list[Exchange] = []
    if problem is None:
        exchanges, problem = await _read(request, filters.to_query(limit))
    operator = await hub.storage.get_operator(filters.operator_id) if filters.operator_id else None
    emps = await hub.storage.partners.list_emps()
    operators = await hub.storage.list_operators()
    return await render_page(
        request,
        "exchanges.html",
        status=400 if problem else 200,
        title="Process Monitor",
        operator=operator,
        operators=operators,
        active_tab="exchanges",
        exchanges=exchanges,
        filters=filters,
        limit=limit,
        limit_text=request.query.get("limit", "").strip() or str(limit),  # a refused one stays
        problem=problem,
        outcomes=[outcome.value for outcome in Outcome],
        failure_classes=FAILURE_CLASSES,
        directions=list(ExchangeDirection),
        partners=sorted({op.operator_id for op in operators} | {e.provider_id for e in emps}),
        operations=operation_names(),
        live_url=_live_url(filters, limit),
        last_id=max((x.exchange_id or 0 for x in exchanges), default=0),
        session_url=session_url,
    )


async def live_exchanges(request: web.Request) -> web.Response:
    """GET: the rows newer than ``after``, for the page's live updates (an HTML fragment)."""
    filters = MonitorFilters.from_query(request.query)
    limit, problem = _limit(request.query.get("limit", ""))
    after = request.query.get("after", "0")
    after_id = whole_number(after)
    if problem is None and after_id is None:
        problem = f"after {after!r}: give the exchange id the page shows last, a whole number"
    if problem is not None or after_id is None:
        return _refusal(problem or "")
    exchanges, problem = await _read(request, replace(filters.to_query(limit), after_id=after_id))
    if problem is not None:
        return _refusal(problem)
    text = render_html("_exchange_rows.html", exchanges=exchanges, session_url=session_url)
    newest = max((x.exchange_id or 0 for x in exchanges), default=int(after))
    response = html_response(text)
    response.headers[LAST_ID_HEADER] = str(newest)
    return response


def _refusal(problem: str) -> web.Response:
    """Plain text: the message quotes the bad value, which must never become markup."""
    return web.Response(
        text=problem, status=400, content_type="text/plain", headers=SECURITY_HEADERS
    )


async def _read(request: web.Request, query: ExchangeQuery) -> tuple[list[Exchange], str | None]:
    storage = request.config_dict[HUB_KEY].storage
    await storage.flush()  # the log is written in batches: show everything recorded so far
    try:
        return await storage.query_exchanges(query), None
    except ValueError as exc:
        return [], str(exc)


_PAGE_QUERY = (*(f.name for f in fields(MonitorFilters)), "limit")


def _query_problem(request: web.Request) -> str | None:
    """A query parameter the page does not read, or one given twice, as the admin API
    refuses them: ``?limt=5`` showed the default 100 entries as if filtered."""
    for name in dict.fromkeys(request.query):
        given = len(request.query.getall(name))
        if name not in _PAGE_QUERY:
            return unknown_name("query parameter", name, _PAGE_QUERY, "the page's filters")
        if given > 1:
            return f"{name} is given {given} times: give it once"
    return None


def _live_url(filters: MonitorFilters, limit: int) -> str:
    query = filters.query_string()
    return f"{urls.PREFIX}/exchanges/live?limit={limit}" + (f"&{query}" if query else "")


def _limit(text: str) -> tuple[int, str | None]:
    if not text:
        return DEFAULT_LIMIT, None
    limit = whole_number(text, 1, MAX_LIMIT)
    if limit is not None:
        return limit, None
    return DEFAULT_LIMIT, f"Show {text!r} entries: give a whole number from 1 to {MAX_LIMIT}"


def add_monitor_pages(portal: web.Application) -> None:
    """Register the pages on the portal's sub-application."""
    portal.router.add_get("/exchanges", show_exchanges)
    portal.router.add_get("/exchanges/live", live_exchanges)
