"""Cross-site request forgery protection for the portal's forms (double-submit token).

Each browser session gets a random token in a ``SameSite=Strict``, HttpOnly cookie; every
form carries the same token in a hidden field, and every POST must bring both, equal. A page
on another site can make a browser post to the hub, but it can neither read the cookie nor
(with SameSite=Strict) make the browser send it along.
"""

from __future__ import annotations

import hmac
import re
import secrets

from aiohttp import web

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


@web.middleware
async def csrf_protection(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give each session a token; refuse any POST whose form does not carry it."""
    token = request.cookies.get(CSRF_COOKIE, "")
    fresh = not _TOKEN_SHAPE.match(token)
    if fresh:
        token = secrets.token_urlsafe(32)
    request[CSRF_TOKEN_KEY] = token
    if request.method == "POST" and (fresh or not await _form_carries(request, token)):
        return refused_response()
    response = await handler(request)
    if fresh:
        response.set_cookie(CSRF_COOKIE, token, path=urls.PREFIX, httponly=True, samesite="Strict")
    return response


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
