"""Who may use the admin port: the Host allowlist, and the admin token with its rules.

DNS rebinding: a page on ``attacker.example`` whose name is made to resolve to 127.0.0.1 can
post to a loopback hub, and its Origin matches its own Host. Only the Host header tells the
two apart, so the admin port answers only requests naming a host it knows: the loopback
names, the address it is bound to, and whatever the operator adds (``--allowed-host``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web
from aiohttp.typedefs import Middleware

from simulator.portal.auth import token_required_response

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

MIN_TOKEN_LENGTH = 16
"""The shortest admin token the hub accepts (16 characters: about 96 bits when random)."""

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
ADMIN_COOKIE = "hubsim_admin"
PUBLIC_PREFIX = "/portal/static/"
HEALTH_PATH = "/api/health"
"""Answers without the token: a healthcheck (compose, ``hubsim wait``) holds no secret."""


def token_problem(token: str) -> str | None:
    """Why ``token`` cannot be the admin token, or None when it can."""
    if token != token.strip():
        return "the admin token starts or ends with blanks; an HTTP header would lose them"
    if len(token) < MIN_TOKEN_LENGTH:
        return (
            f"the admin token has {len(token)} characters; use at least {MIN_TOKEN_LENGTH}, "
            "e.g. from: python -c 'import secrets; print(secrets.token_urlsafe(24))'"
        )
    return None


def allowed_hosts(bound: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The host names the admin port answers: loopback names, ``bound`` and ``extra``."""
    names = {*LOOPBACK_HOSTS, *extra}
    if not _is_wildcard(bound):
        names.add(bound)
    return frozenset(name.lower().strip("[]") for name in names)


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def host_of(header: str) -> str:
    """The host part of a Host header: ``[::1]:8080`` is ``::1``, ``Hub:80`` is ``hub``."""
    if header.startswith("["):
        return header[1 : header.find("]")].lower() if "]" in header else header.lower()
    return header.rpartition(":")[0].lower() if header.count(":") == 1 else header.lower()


def host_allowlist(hosts: frozenset[str]) -> Middleware:
    """Refuse a request whose Host header names a host outside ``hosts`` (421 Misdirected)."""

    @web.middleware
    async def check_host(request: web.Request, handler: Handler) -> web.StreamResponse:
        header = request.headers.get("Host", "")
        if host_of(header) in hosts:
            return await handler(request)
        return web.json_response(
            {
                "error": f"the admin port does not answer for host {header!r}; open it as "
                "http://127.0.0.1:PORT or add the name with --allowed-host",
                "issues": [
                    {
                        "field": "Host",
                        "value": header,
                        "message": f"must be one of {', '.join(sorted(hosts))}",
                    }
                ],
            },
            status=421,
        )

    return check_host


def token_guard(token: str) -> Middleware:
    """Require the admin token: the API as a Bearer header, the portal also from a browser.

    A browser cannot send a header, so the portal accepts the token once as ``?token=`` and
    then keeps a session cookie (HttpOnly, SameSite=Strict) that proves it; the cookie holds
    a digest of the token, never the token itself.
    """
    session = hmac.new(token.encode(), b"hubsim portal session", hashlib.sha256).hexdigest()

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if _same(bearer_token(request.headers.get("Authorization", "")), token):
            return await handler(request)
        if request.path.startswith(PUBLIC_PREFIX) or request.path == HEALTH_PATH:
            return await handler(request)  # the portal's CSS and JS: they style the 401 page
        if request.path.startswith("/api"):
            return web.json_response(
                {
                    "error": "admin token missing or wrong: send 'Authorization: Bearer <token>'",
                    "issues": [
                        {
                            "field": "Authorization",
                            "value": None,
                            "message": "send the token the hub was started with",
                        }
                    ],
                },
                status=401,
            )
        if _same(request.cookies.get(ADMIN_COOKIE, ""), session):
            return await handler(request)
        if _same(request.query.get("token", ""), token):
            return _remember_browser(request, session)
        return token_required_response(str(request.url.origin()))

    return guard


def bearer_token(header: str) -> str:
    """The credentials of ``Authorization: Bearer X``; the scheme is case-insensitive
    (RFC 7235 §2.1). Empty for any other scheme."""
    scheme, _, credentials = header.strip().partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _remember_browser(request: web.Request, session: str) -> web.Response:
    """Set the session cookie and reload the page without the token in its address."""
    query = {name: value for name, value in request.query.items() if name != "token"}
    response = web.Response(
        status=303, headers={"Location": str(request.rel_url.with_query(query))}
    )
    response.set_cookie(ADMIN_COOKIE, session, path="/", httponly=True, samesite="Strict")
    return response
