"""The shape of a Service URL: an absolute https URL without any blank.

Hubject asks for the Service URL "without blank spaces"; the hub appends the OICP path to it,
so it must not carry a query or a fragment either. The portal's rules
(:mod:`simulator.settings_rules`) and every caller that needs the host use this module.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

__all__ = ["check_service_url", "service_url_host"]


def service_url_host(url: str) -> str | None:
    """The lower-case host of a Service URL (``::1`` for ``https://[::1]:8443``), or None.

    Lenient on purpose: surrounding blanks are ignored, so that the portal can show the host
    of a URL it still refuses.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if "://" not in url or not parts.hostname:
        return None
    return parts.hostname.lower()


SERVICE_URL_MAX = 2048
"""The longest Service URL: 2,048 characters, what browsers and proxies reliably carry."""


def check_service_url(url: str) -> list[str]:
    """Every problem with a Service URL's shape, as messages; empty when it is usable.

    The hub appends the OICP path to it, so it must be an absolute https base URL without
    blanks, query or fragment.
    """
    if not url.strip():
        return [
            f"Service URL {url!r} holds only blanks: enter the https base URL of your endpoint "
            "(e.g. 'https://cpo.example.com/oicp'), or leave it empty"
        ]
    # The shape is checked with the blanks taken out, so each problem is reported once.
    compact = "".join(url.split())
    problems = _blank_problems(url) + _shape_problems(url, compact)
    if len(url) > SERVICE_URL_MAX:
        # Every revision, history page and exchange repeats it; and no endpoint needs more.
        problems.insert(
            0,
            f"Service URL {url[:40]!r}… is {len(url)} characters long; give at most "
            f"{SERVICE_URL_MAX}: the base URL of your endpoint, e.g. 'https://cpo.example.com/oicp'",
        )
    return problems


# How a blank other than a plain space is named in a message.
_BLANK_NAMES = {
    " ": "",
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a line break",
    "\u00a0": "a non-breaking space",
}
_HUBJECT_BLANKS = "Hubject asks for the URL without blank spaces"


def _blank_problems(url: str) -> list[str]:
    # A peer may send a megabyte of blanks (issue 14): every step is linear in the URL and
    # runs in C (strip, split, one regex scan); only the positions a message shows are listed.
    lead_end, trail_start = len(url) - len(url.lstrip()), len(url.rstrip())
    middle = url[lead_end:trail_start]
    inner_count = len(middle) - len("".join(middle.split()))
    shown = itertools.islice(_BLANK.finditer(middle), _POSITIONS_SHOWN)
    inner = _Blanks([lead_end + m.start() for m in shown], inner_count)
    leading = _Blanks(list(range(min(lead_end, _POSITIONS_SHOWN))), lead_end)
    trailing_count = len(url) - trail_start
    trailing = _Blanks(
        list(range(trail_start, min(len(url), trail_start + _POSITIONS_SHOWN))), trailing_count
    )
    problems = []
    if leading.count:
        problems.append(f"starts with {_blank_list(url, leading)}: remove {_it(leading)}")
    if inner.count:
        problems.append(f"has {_blank_list(url, inner)} inside the URL: remove {_it(inner)}")
    if trailing.count:
        problems.append(f"ends with {_blank_list(url, trailing)}: remove {_it(trailing)}")
    return [f"Service URL {url!r} {what}; {_HUBJECT_BLANKS}" for what in problems]


_BLANK = re.compile(r"\s")  # the blanks str.isspace() and str.split() know
# A message names this many blanks' positions, and then how many more there are.
_POSITIONS_SHOWN = 10


@dataclass(frozen=True)
class _Blanks:
    """The first positions of a run of blanks (0-based), and how many there are in all."""

    shown: list[int]
    count: int


def _it(blanks: _Blanks) -> str:
    return "it" if blanks.count == 1 else "them"


def _blank_list(url: str, blanks: _Blanks) -> str:
    noun = "a blank at position" if blanks.count == 1 else "blanks at positions"
    described = [f"{i + 1}{_blank_kind(url[i])}" for i in blanks.shown]
    if blanks.count > len(blanks.shown):
        described.append(f"{blanks.count - len(blanks.shown)} more")
    if len(described) > 1:
        described[-2:] = [f"{described[-2]} and {described[-1]}"]
    return f"{noun} {', '.join(described)}"


def _blank_kind(char: str) -> str:
    name = _BLANK_NAMES.get(char, f"U+{ord(char):04X}")
    return f" ({name})" if name else ""


def _shape_problems(url: str, compact: str) -> list[str]:
    try:
        parts = urlsplit(compact)
        parts.port  # noqa: B018 - urlsplit checks the port only when it is read
    except ValueError as exc:
        return [f"Service URL {url!r} is not a valid URL ({exc}): write it as {_EXAMPLE}"]
    if "://" not in compact:
        return [_relative_message(url, compact)]
    problems = _scheme_problems(url, parts) + _host_problems(url, parts)
    return problems + _query_problems(url, compact)


_EXAMPLE = "'https://HOST[:PORT]/PATH', e.g. 'https://cpo.example.com:8443/oicp'"


def _relative_message(url: str, compact: str) -> str:
    suggestion = "https:" + compact if compact.startswith("//") else "https://" + compact
    return (
        f"Service URL {url!r} is not an absolute URL: the hub needs the scheme https:// and a "
        f"host, e.g. {suggestion!r}"
    )


def _scheme_problems(url: str, parts: SplitResult) -> list[str]:
    scheme = parts.scheme.lower()
    if scheme == "https":
        return []
    if scheme == "http":
        fixed = parts._replace(scheme="https", query="", fragment="").geturl()
        return [
            f"Service URL {url!r} uses http://: the hub calls CPO endpoints only over TLS; "
            f"serve the endpoint over https and use {fixed!r}"
        ]
    return [f"Service URL {url!r} uses the scheme {parts.scheme!r}: write it as {_EXAMPLE}"]


def _host_problems(url: str, parts: SplitResult) -> list[str]:
    if not parts.hostname:
        return [f"Service URL {url!r} has no host: write it as {_EXAMPLE}"]
    problems = []
    if "@" in parts.netloc:
        problems.append(
            f"Service URL {url!r} carries a user name or password before '@': the hub "
            "authenticates with its certificate, not with credentials in the URL; remove them"
        )
    if parts.port == 0:
        problems.append(f"Service URL {url!r} has port 0: use a port from 1 to 65535")
    if not _valid_host(parts.hostname):
        problems.append(
            f"Service URL {url!r} has the host {parts.hostname!r}, which is neither a host "
            "name nor an IP address: use the name or address of your endpoint"
        )
    return problems


_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$", re.IGNORECASE)


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.removesuffix(".").split(".")
    return all(_LABEL.match(label) for label in labels)


def _query_problems(url: str, compact: str) -> list[str]:
    # The hub appends e.g. /api/oicp/charging/v21/providers/{ProviderID}/authorize-remote/start
    # (OICP 2.3 §eRoamingAuthorizeRemoteStart), which would land after a query or fragment.
    rest, hash_mark, fragment = compact.partition("#")
    _, question_mark, query = rest.partition("?")
    found = []
    if question_mark:
        found.append(("a query", "?" + query))
    if hash_mark:
        found.append(("a fragment", "#" + fragment))
    return [
        f"Service URL {url!r} has {what} ({part!r}): the hub appends the OICP path (/api/oicp/…) "
        f"to the Service URL, so remove {part!r}"
        for what, part in found
    ]
