"""Cross-site request forgery protection for the portal's forms (a token bound to the session).

Each browser session gets a random session id in a ``SameSite=Strict``, HttpOnly cookie;
every form carries, in a hidden field, the HMAC-SHA256 of that id under a secret the hub
draws at start and never shows, and every POST must bring a field that matches its cookie.
A page on another site can make a browser post to the hub, but cannot read the cookie nor
(with SameSite=Strict) make the browser send it along. Another app on 127.0.0.1 can set a
cookie for the hub (cookies ignore the port), but without the secret it cannot compute the
field that goes with the id it planted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from aiohttp import web
from aiohttp.typedefs import Middleware

from simulator.portal import urls
from simulator.portal.render import (
    CSRF_FIELD,
    CSRF_TOKEN_KEY,
    Handler,
    html_response,
    render_html,
)

CSRF_COOKIE = "hubsim_csrf"
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")

REFUSED_MESSAGE = (
    "The form was refused because its security token is missing or does not match this "
    "browser session (protection against cross-site request forgery). Nothing was changed. "
    "Go back, reload the page and submit the form again."
)


def csrf_protection(secret: bytes | None = None) -> Middleware:
    """Give each session an id; refuse any POST whose form does not carry the id's HMAC.

    ``secret``: the HMAC key (default: 32 random bytes, so forms expire when the hub stops).
    """
    key = secret if secret is not None else secrets.token_bytes(32)

    @web.middleware
    async def protect(request: web.Request, handler: Handler) -> web.StreamResponse:
        session = request.cookies.get(CSRF_COOKIE, "")
        fresh = not _TOKEN_SHAPE.match(session)
        if fresh:
            session = secrets.token_urlsafe(32)
        token = form_token(key, session)
        request[CSRF_TOKEN_KEY] = token
        if request.method == "POST" and (fresh or not await _form_carries(request, token)):
            return refused_response()
        response = await handler(request)
        if fresh:
            response.set_cookie(
                CSRF_COOKIE, session, path=urls.PREFIX, httponly=True, samesite="Strict"
            )
        return response

    return protect


def form_token(secret: bytes, session: str) -> str:
    """The form field that goes with a session id: HMAC-SHA256 of the id under ``secret``."""
    digest = hmac.new(secret, b"hubsim csrf:" + session.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def _form_carries(request: web.Request, token: str) -> bool:
    form = await request.post()  # aiohttp keeps the parsed form for the handler
    given = form.get(CSRF_FIELD)
    return isinstance(given, str) and hmac.compare_digest(given.encode(), token.encode())


def refused_response() -> web.Response:
    """The 403 page of a POST without a valid token."""
    text = render_html(
        "error.html",
        title="Form refused",
        heading="Form refused (403)",
        messages=[REFUSED_MESSAGE],
    )
    return html_response(text, status=403)
