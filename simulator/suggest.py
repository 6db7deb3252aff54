"""The refusal of an unknown name (a JSON field, a config key) with the known name closest to it.

The settings, the admin API's operator and EMP bodies and the config file all refuse a typo
this way, so that "nmae" reads the same everywhere: what it is, what it may have meant, and
what is allowed.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence


def closest(name: str, known: Sequence[str]) -> str | None:
    """The known name ``name`` most resembles, or None when none is close."""
    by_case = {k.lower(): k for k in known}
    if name.lower() in by_case:  # "LIMIT" is "limit" typed with the caps lock on
        return by_case[name.lower()]
    found = difflib.get_close_matches(name, list(known), n=1)
    return found[0] if found else None


def unknown_name(kind: str, name: object, known: Sequence[str], listed: str) -> str:
    """E.g. ``unknown field 'nmae': did you mean 'name'? the operator's fields are …``."""
    near = closest(str(name), known)
    hint = f"did you mean {near!r}? " if near else ""
    return f"unknown {kind} {name!r}: {hint}{listed} are {', '.join(known)}"
