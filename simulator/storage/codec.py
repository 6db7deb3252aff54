"""Conversions between Python values and the text SQLite stores.

Datetimes are stored as ISO 8601 strings in UTC, so that they sort as text and read back
unambiguously; they come back as timezone-aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from simulator.storage.errors import StorageError


def now_utc() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def time_to_text(value: datetime, what: str) -> str:
    """Store an aware datetime as ISO 8601 UTC; refuse a naive one (its zone is unknown)."""
    if value.tzinfo is UTC:  # what this code makes: no conversion (the hub's hot path)
        # orjson writes the text isoformat() would, in a fifth of the time.
        return orjson.dumps(value)[1:-1].decode("ascii")
    if value.tzinfo is None or value.utcoffset() is None:
        raise StorageError(
            f"{what} is a naive datetime ({value.isoformat()}): pass a timezone-aware "
            "datetime, e.g. datetime.now(UTC)"
        )
    return value.astimezone(UTC).isoformat()


def time_from_text(text: str) -> datetime:
    """Read a stored ISO 8601 string back as an aware UTC datetime."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        # Only rows written by hand lack the offset; everything this code writes is UTC.
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
