"""Sizes the OICP ports allow: the request body, and the text echoed back in answers.

The body limit is sized for the largest message a CPO sends in one piece: an
eRoamingPushEvseData ``fullLoad``. 10,000 EVSE records in the shape of the official
example (``../shared/oicp`` OICP 2.3 CPO, eRoamingPushEvseData) take about 19 MB, so the
limit is 24 MiB. (NGINX's default ``client_max_body_size`` of 1 MiB refuses a fullLoad of
about 500 such records.)
"""

from __future__ import annotations

FULL_LOAD_RECORDS = 10_000
"""The fullLoad the body limit is sized for."""

MAX_BODY_BYTES = 24 * 1024 * 1024
"""The largest request body an OICP port reads (24 MiB); larger ones get HTTP 413."""

ADDITIONAL_INFO_MAX = 1000
"""StatusCode.AdditionalInfo is at most 1000 characters (OICP 2.3 StatusCodeType)."""


def clip(text: str, limit: int = ADDITIONAL_INFO_MAX) -> str:
    """``text`` cut to ``limit`` characters, its last one then an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["ADDITIONAL_INFO_MAX", "FULL_LOAD_RECORDS", "MAX_BODY_BYTES", "clip"]
