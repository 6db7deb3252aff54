"""Readable terminal output shared by the commands."""

from __future__ import annotations

import sys
from typing import Any, TextIO

_GREEN, _RED, _RESET = "\033[32m", "\033[31m", "\033[0m"


def coloured(text: str, ok: bool, stream: TextIO = sys.stdout) -> str:
    """Colour only when writing to a terminal, so logs and pipes stay plain."""
    if not stream.isatty():
        return text
    return f"{_GREEN if ok else _RED}{text}{_RESET}"


def print_exchange(exchange: dict[str, Any]) -> None:
    mark = coloured("OK" if exchange["ok"] else "FAIL", bool(exchange["ok"]))
    print(f"{mark}  {exchange['operation']} -> {exchange['url'] or '(not sent)'}")
    print(f"    outcome: {exchange['outcome']}  ({exchange['elapsed_ms']:.1f} ms)")
    if exchange.get("status_code"):
        code, meaning = exchange["status_code"], exchange.get("status_description")
        print(f"    Result {exchange['result']}, StatusCode {code} ({meaning})")
    if exchange.get("session_id"):
        print(f"    SessionID {exchange['session_id']}")
    tls = exchange.get("tls")
    if tls:
        print(f"    TLS {tls['protocol']}, server {tls['server_subject']}")
    print(f"    {exchange['detail']}")
