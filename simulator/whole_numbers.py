"""The one rule for a whole number typed by a user: in a query, a form or a path.

``str.isdigit()`` is true for "²", "٣" and other digits that ``int()`` refuses, and
``int()`` takes any length, so a bare ``isdigit()`` then ``int()`` turned such input into
an HTTP 500 (or SQLite's OverflowError). ASCII digits within a range only.
"""

from __future__ import annotations

SQLITE_MAX_ID = 2**63 - 1
"""SQLite's largest INTEGER PRIMARY KEY: the highest id a query may name."""


def whole_number(raw: str, low: int = 0, high: int = SQLITE_MAX_ID) -> int | None:
    """``raw`` as an int when it is ASCII digits from ``low`` to ``high``, else None."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(high)):
        return None
    value = int(raw)
    return value if low <= value <= high else None


__all__ = ["SQLITE_MAX_ID", "whole_number"]
