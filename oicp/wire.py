"""Helpers for writing OICP JSON objects.

Hubject writes every absent optional member as an explicit ``null`` (OICP 2.3 digest §2.1,
real HBS captures), while the spec's examples simply leave them out. ``build_object``
produces either shape from one list of members.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

JSONObject = dict[str, Any]
"""A decoded JSON object with OICP wire names as keys."""


def build_object(members: Mapping[str, object], *, explicit_nulls: bool) -> JSONObject:
    """The members in order; None values become ``null`` or are left out.

    With ``explicit_nulls`` every member is written, absent ones as ``null`` (Hubject's
    real traffic); without it only members that have a value are written.
    """
    if explicit_nulls:
        return dict(members)  # one C-level copy: this runs for every message on the hot path
    return {key: value for key, value in members.items() if value is not None}
