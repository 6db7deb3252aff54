"""The connection-limit flags that ``hub serve`` and ``stub serve`` share (httpguard)."""

from __future__ import annotations

import argparse
from typing import Any

from httpguard import ConnectionLimits, default_max_connections
from hubsim.errors import CLIError

_DEFAULTS = ConnectionLimits()


def add_limit_arguments(parser: Any) -> None:
    """``--header-timeout``, ``--body-timeout``, ``--keepalive-timeout``, ``--max-connections``."""
    parser.add_argument(
        "--header-timeout",
        type=float,
        help="seconds a client has to send a request's header "
        f"(default {_DEFAULTS.header_timeout_s:g}, as NGINX's client_header_timeout)",
    )
    parser.add_argument(
        "--body-timeout",
        type=float,
        help="longest pause in seconds between two pieces of a request body "
        f"(default {_DEFAULTS.body_timeout_s:g}, as client_body_timeout)",
    )
    parser.add_argument(
        "--keepalive-timeout",
        type=float,
        help="seconds an idle connection stays open after an answer "
        f"(default {_DEFAULTS.keepalive_timeout_s:g}, as keepalive_timeout)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        help="connections each port holds at once; more are closed at once "
        "(default 512, or a quarter of 'ulimit -n' when that is less)",
    )


def limits_from(args: argparse.Namespace, config: dict[str, Any] | None = None) -> ConnectionLimits:
    """The limits the flags (or the config's ``connections`` mapping) ask for."""
    section = (config or {}).get("connections") or {}
    if not isinstance(section, dict):
        raise CLIError("'connections' in the config must be a mapping, e.g. header_timeout_s: 60")

    def pick(flag: str, key: str, default: float) -> Any:
        value = getattr(args, flag, None)
        return value if value is not None else section.get(key, default)

    try:
        limits = ConnectionLimits(
            header_timeout_s=float(pick("header_timeout", "header_timeout_s", 60.0)),
            body_timeout_s=float(pick("body_timeout", "body_timeout_s", 60.0)),
            keepalive_timeout_s=float(pick("keepalive_timeout", "keepalive_timeout_s", 75.0)),
            max_connections=int(
                pick("max_connections", "max_connections", default_max_connections())
            ),
        )
    except (TypeError, ValueError) as exc:
        raise CLIError(f"a connection limit is not a number: {exc}") from None
    problems = limits.problems()
    if problems:
        raise CLIError("; ".join(problems))
    return limits
