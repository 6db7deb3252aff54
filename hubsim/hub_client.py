"""Calling a running hub's admin API from the command line: one client for every command."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from typing import Any

import aiohttp
from yarl import URL

from hubsim.errors import CLIError
from oicp import jsontext


async def call_hub(
    hub: str,
    method: str,
    path: str,
    body: object = None,
    *,
    admin_token: str | None = None,
    timeout: aiohttp.ClientTimeout | None = None,
    options: Mapping[str, str] | None = None,
) -> Any:
    """One admin API call; a refusal or an unreachable hub becomes a one-line CLIError.

    ``options`` names the command's option for each field of the body, so that a refused
    field is told as the option the user typed (``--evse``, not ``evse_id``).
    """
    if not hub.startswith(("http://", "https://")):
        raise CLIError(
            f"--hub {hub}: give the hub's admin API as http://HOST:PORT (the URL of 'hub admin "
            "API listening on' in the output of 'hubsim hub serve')"
        )
    _check_hub_url(hub)
    url = f"{hub.rstrip('/')}{path}"
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout or aiohttp.ClientTimeout(total=300)) as session,
            session.request(method, url, json=body, headers=headers) as response,
        ):
            text = await response.text()
    except aiohttp.ClientSSLError as exc:
        raise CLIError(_tls_mismatch(hub, exc)) from None
    except (aiohttp.ClientError, ValueError) as exc:
        raise CLIError(
            f"cannot reach the hub's admin API at {hub} ({reason_of(exc)}); start it with "
            "'hubsim hub serve'"
        ) from None
    try:
        data = jsontext.loads(text)
    except ValueError:
        # Something answers there, but not the admin API (which answers JSON, even 404s).
        raise CLIError(
            f"--hub {hub} answers, but not as hubsim's admin API (HTTP {response.status}, not "
            "JSON); give the URL of 'hub admin API listening on' in the output of 'hubsim hub "
            "serve'"
        ) from None
    if response.status >= 400:
        raise hub_refusal(response.status, data, hub, admin_token, options)
    return data


def _check_hub_url(hub: str) -> None:
    """A --hub that cannot be the admin API's address is told as such, not as a hub that
    does not answer (or, with a path, as an unknown route of the API)."""
    try:
        parsed = URL(hub)
    except ValueError as exc:
        raise CLIError(f"--hub {hub} is not a URL ({exc}); give http://HOST:PORT") from None
    if not parsed.host:
        raise CLIError(f"--hub {hub} names no host; give http://HOST:PORT")
    if parsed.path not in ("", "/") or parsed.query_string:
        bare = str(parsed.with_path("").with_query(None))
        raise CLIError(f"--hub {hub}: give the hub's address without a path, e.g. {bare}")


def _tls_mismatch(hub: str, exc: aiohttp.ClientSSLError) -> str:
    """An https:// --hub: the admin API speaks plain HTTP, so TLS failed one of two ways."""
    if "WRONG_VERSION_NUMBER" in str(exc).upper().replace(" ", "_"):
        # The port answered the ClientHello in plain HTTP: most likely the admin API itself.
        plain = "http://" + hub.removeprefix("https://")
        return (
            f"--hub {hub}: that port speaks plain HTTP, as the hub's admin API does; write {plain}"
        )
    # A TLS port (the hub's OICP port, a stub): not the admin API.
    return (
        f"--hub {hub}: that port speaks TLS, and the hub's admin API is plain HTTP; give "
        "the URL of 'hub admin API listening on' in the output of 'hubsim hub serve'"
    )


def reason_of(exc: Exception) -> str:
    """Why a connection failed, in words: aiohttp's reason without its 'ssl:default' (a
    plain-HTTP URL uses no TLS at all), an OSError without its errno and Python's repr."""
    error: BaseException = exc.os_error if isinstance(exc, aiohttp.ClientConnectorError) else exc
    if isinstance(error, socket.gaierror):
        return f"no such host: {str(error.strerror).lower()}"
    if isinstance(error, TimeoutError):
        return "no answer in time"
    if isinstance(error, OSError) and error.errno:
        return os.strerror(error.errno).lower()
    return str(error) or type(error).__name__


def hub_refusal(
    status: int,
    data: object,
    hub: str,
    admin_token: str | None,
    options: Mapping[str, str] | None = None,
) -> CLIError:
    """A refusal of the admin API as the command line's error; a refused admin token is
    told in the command's own terms (the API's sentence speaks of headers)."""
    if status == 401:
        given = "the admin token given is not the hub's" if admin_token else "no admin token given"
        return CLIError(
            f"the hub at {hub} wants its admin token ({given}): pass it with --admin-token "
            "TOKEN or set HUBSIM_ADMIN_TOKEN"
        )
    return CLIError(refusal_text(data, options))


def refusal_text(data: object, options: Mapping[str, str] | None = None) -> str:
    """The hub's refusal as one line: its sentence, then each issue's field (or the option
    of that field, from ``options``) and message."""
    if not isinstance(data, dict):
        return f"the hub refused: {data}"
    names = options or {}
    error = _renamed(str(data.get("error")), names)
    # The error sentence often is the one issue's message: say it once.
    issues = "; ".join(
        f"{names.get(i['field'], i['field'])}: {i['message']}"
        for i in data.get("issues", [])
        if str(i.get("message")) not in error
    )
    return f"the hub refused: {error}" + (f" ({issues})" if issues else "")


def _renamed(error: str, names: Mapping[str, str]) -> str:
    """A refusal sentence of ``field: message`` parts with each field told as its option."""
    parts = [part.partition(": ") for part in error.split("; ")]
    return "; ".join(
        f"{names[field]}: {rest}" if sep and field in names else field + sep + rest
        for field, sep, rest in parts
    )
