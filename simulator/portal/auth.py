"""The page a browser sees when the hub requires its admin token and none was given."""

from __future__ import annotations

from aiohttp import web

from simulator.portal import urls
from simulator.portal.render import html_response, render_html


def token_required_response(origin: str) -> web.Response:
    """401 with a page that explains how to sign in with the admin token.

    ``origin`` is the hub's address as the browser used it (``http://host:port``).
    """
    example = f"{origin}{urls.operators_url()}?token=YOUR-ADMIN-TOKEN"
    messages = [
        "This hub was started with an admin token (as it must be on a non-loopback address), "
        "so its portal requires that token.",
        f"Open the portal once with the token in the address: {example} (the token given to "
        "'hubsim hub serve' with --admin-token or HUBSIM_ADMIN_TOKEN). The browser then keeps "
        "a session cookie, and the token leaves the address bar.",
    ]
    text = render_html(
        "error.html",
        title="Admin token required",
        heading="Admin token required (401)",
        messages=messages,
    )
    return html_response(text, status=401)
