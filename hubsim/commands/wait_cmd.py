"""``hubsim wait``: return once servers started in the background are ready.

A shell script (the README's examples, a CI job, a compose healthcheck) starts
``hubsim hub serve ... &`` and must not go on before the hub answers. ``hubsim wait``
retries until each target is ready, then exits 0; when one is still not ready at the
deadline, it exits 1 and names the target and the last error.

- ``http://HOST:PORT/PATH``: ready when a GET answers 200 (the hub's ``/api/health``
  answers 200 only once its config file is applied, and needs no admin token); a 401 or
  403 ends the wait at once, since retrying cannot change it;
- ``https://HOST:PORT`` or ``HOST:PORT``: ready when a TCP connection is accepted (the
  stub's and the hub's OICP ports speak mutual TLS, so a connection is what can be checked
  without a client certificate).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from httpguard import authority
from hubsim.errors import CLIError
from hubsim.hub_client import reason_of

RETRY_S = 0.05
"""How long to wait before trying a target again."""


def register(sub: Any) -> None:
    wait = sub.add_parser(
        "wait",
        help="wait until servers started in the background are ready",
        description="Wait until every TARGET is ready: an http:// URL answers 200 to a GET; "
        "an https:// URL or HOST:PORT accepts a TCP connection.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    wait.add_argument(
        "targets", nargs="+", metavar="TARGET", help="http://HOST:PORT/PATH or HOST:PORT"
    )
    wait.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for all targets")
    wait.set_defaults(func=run, prints_report=False)


async def run(args: argparse.Namespace) -> int:
    targets = [_parse(text) for text in args.targets]
    if args.timeout <= 0:
        raise CLIError(f"--timeout {args.timeout}: give a number of seconds above 0")
    deadline = time.monotonic() + args.timeout
    for text, target in zip(args.targets, targets, strict=True):
        try:
            error = await _wait_for(target, deadline)
        except _Refused as refused:
            print(f"hubsim: error: {text} answers, but {refused}", file=sys.stderr)
            return 1
        if error is not None:
            print(
                f"hubsim: error: {text} is not ready after {args.timeout:g} s: {error}",
                file=sys.stderr,
            )
            return 1
    return 0


class _Refused(Exception):
    """The server is up and refuses the GET itself: waiting longer would not help."""


Target = tuple[str, str, int, str]
"""(kind, host, port, url): kind is "http" (GET must answer 200) or "tcp"."""


def _parse(text: str) -> Target:
    split = urlsplit(text if "://" in text else f"tcp://{text}")
    try:
        port = split.port
    except ValueError:
        port = None
    if split.scheme not in ("http", "https", "tcp") or not split.hostname or port is None:
        raise CLIError(
            f"wait target {text!r}: give http://HOST:PORT/PATH, https://HOST:PORT or HOST:PORT"
        )
    kind = "http" if split.scheme == "http" else "tcp"
    return kind, split.hostname, port, text


async def _wait_for(target: Target, deadline: float) -> str | None:
    """None once ``target`` is ready; the last error when the deadline passes first."""
    while True:
        error = await _try(target)
        if error is None:
            return None
        if time.monotonic() + RETRY_S > deadline:
            return error
        await asyncio.sleep(RETRY_S)


async def _try(target: Target) -> str | None:
    kind, host, port, url = target
    try:
        if kind == "tcp":
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
            writer.close()
            await writer.wait_closed()
            return None
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as answer:
            if answer.status in (401, 403):
                raise _Refused(
                    f"with HTTP {answer.status}: it wants an admin token; wait on "
                    f"http://{authority(host, port)}/api/health instead, which answers without one"
                )
            return None if answer.status == 200 else f"HTTP {answer.status}"
    except (OSError, aiohttp.ClientError, TimeoutError) as exc:
        return reason_of(exc)
