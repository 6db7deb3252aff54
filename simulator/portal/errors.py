"""Errors on the portal's pages: each one becomes a page that says what happened, never a
traceback."""

from __future__ import annotations

import logging

from aiohttp import web

from simulator.hub import HubError, UnknownOperatorError
from simulator.portal.render import Handler, html_response, render_html

logger = logging.getLogger("simulator.portal")

_TOO_LARGE = (
    "The upload is larger than the hub accepts (1 MiB). A certificate file is a few "
    "kilobytes: choose the .pem or .crt file of the certificate itself."
)


_CREATE_OPERATOR = "In the portal, pick the operator from the list, or create it there."


class PageError(Exception):
    """A request the portal cannot serve; the messages say what to do instead."""

    def __init__(self, status: int, heading: str, *messages: str) -> None:
        super().__init__(" ".join(messages))
        self.status = status
        self.heading = heading
        self.messages = messages


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Show every failure as a page of the portal, with the hub's own message."""
    try:
        return await handler(request)
    except PageError as err:
        return error_response(err.status, err.heading, list(err.messages))
    except UnknownOperatorError as err:
        messages = [i.message for i in err.issues] + [_CREATE_OPERATOR]
        return error_response(404, "Unknown operator", messages)
    except HubError as err:
        return error_response(
            err.status, "Refused", [f"{i.field}: {i.message}" for i in err.issues]
        )
    except web.HTTPRequestEntityTooLarge:
        return error_response(413, "Upload too large", [_TOO_LARGE])
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc.status, exc.reason, [_http_message(exc)])
    except Exception as exc:
        logger.exception("portal page %s %s failed", request.method, request.path)
        return error_response(
            500,
            "The hub failed on this page",
            [f"{type(exc).__name__}: {exc}", "The hub's log has the details."],
        )


def _http_message(exc: web.HTTPException) -> str:
    if exc.status == 404:
        return "There is no such page in the portal. Start again from the list of operators."
    if exc.status == 405:
        return "This address does not take that kind of request; use the forms of the portal."
    return exc.text or exc.reason


def error_response(status: int, heading: str, messages: list[str]) -> web.Response:
    text = render_html(
        "error.html", title=heading, heading=f"{heading} ({status})", messages=messages
    )
    return html_response(text, status=status)
