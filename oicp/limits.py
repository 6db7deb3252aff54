"""Sizes the OICP ports allow: the request bodies, and the text echoed back in answers.

Every operation but one is read up to 1 MiB (NGINX's default ``client_max_body_size``): an
authorisation, a CDR or a status push of 10,000 EVSEs fits in far less. The exception is
the largest message a CPO sends in one piece, an eRoamingPushEvseData ``fullLoad``: 10,000
EVSE records in the shape of the official example (``../shared/oicp`` OICP 2.3 CPO,
eRoamingPushEvseData) take about 19.5 MiB, so that operation is read up to 24 MiB. (NGINX's
default of 1 MiB refuses a fullLoad of about 500 such records.)
"""

from __future__ import annotations

from oicp.cpo_operations import CPOOperation

FULL_LOAD_RECORDS = 10_000
"""The fullLoad the PushEvseData body limit is sized for."""

MAX_BODY_BYTES = 1024 * 1024
"""The largest request body of every OICP operation but PushEvseData (1 MiB)."""

FULL_LOAD_MAX_BODY_BYTES = 24 * 1024 * 1024
"""The largest eRoamingPushEvseData body (24 MiB); the largest body any OICP port reads."""

ANSWER_BUDGET_S = 10.0
"""How long Hubject waits for a CPO's answer to a request it forwards (its default timeout)."""

ADDITIONAL_INFO_MAX = 1000
"""StatusCode.AdditionalInfo is at most 1000 characters (OICP 2.3 StatusCodeType)."""


def body_limit(operation: CPOOperation) -> int:
    """The largest body the hub reads for a CPO's ``operation`` (an EMP's: MAX_BODY_BYTES)."""
    if operation is CPOOperation.PUSH_EVSE_DATA:
        return FULL_LOAD_MAX_BODY_BYTES
    return MAX_BODY_BYTES


def clip(text: str, limit: int = ADDITIONAL_INFO_MAX) -> str:
    """``text`` cut to ``limit`` characters, its last one then an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "ADDITIONAL_INFO_MAX",
    "FULL_LOAD_MAX_BODY_BYTES",
    "FULL_LOAD_RECORDS",
    "MAX_BODY_BYTES",
    "body_limit",
    "clip",
]
