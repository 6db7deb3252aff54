"""The URL paths Hubject appends to a CPO's Service URL, and matching them on the CPO side.

In REST, the HBS does not POST to the configured Service URL as-is: it appends the
standard OICP path, e.g. ``/api/oicp/charging/v21/providers/{providerID}/authorize-remote/start``
(OICP 2.3 CPO, 06_CPO_Code_Snippets: "this part of the URL ... will be added to your URL
endpoint"). ``{providerID}`` is the requesting EMP's ProviderID, written with a literal
``*``; a real HBS request line reads
``POST /api/oicp/charging/v21/providers/DE*ICE/authorize-remote/start``.

The reservation path is not documented for the CPO side and implementations disagree
(OICP 2.3 digest §1.2, §10.1), hence two styles:

- ``"hubject"`` (Hubject's documented path):
  ``/api/oicp/reservation/v11/providers/{id}/reservation-start-request``;
- ``"charging"`` (the path WWCP_OICP uses):
  ``/api/oicp/charging/v21/providers/{id}/authorize-remote-reservation/start``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from oicp.operations import Operation

RESERVATION_STYLE_HUBJECT = "hubject"
RESERVATION_STYLE_CHARGING = "charging"
RESERVATION_STYLES = (RESERVATION_STYLE_HUBJECT, RESERVATION_STYLE_CHARGING)
"""The reservation path styles, as the simulator's ReservationPathStyle values spell them."""

_CHARGING = "/api/oicp/charging/v21/providers/{id}/"
_RESERVATION = "/api/oicp/reservation/v11/providers/{id}/"

# (operation, style) -> path template; remote start/stop have one path in both styles.
_TEMPLATES: dict[tuple[Operation, str], str] = {
    (Operation.AUTHORIZE_REMOTE_START, RESERVATION_STYLE_HUBJECT): _CHARGING
    + "authorize-remote/start",
    (Operation.AUTHORIZE_REMOTE_STOP, RESERVATION_STYLE_HUBJECT): _CHARGING
    + "authorize-remote/stop",
    (Operation.AUTHORIZE_REMOTE_RESERVATION_START, RESERVATION_STYLE_HUBJECT): _RESERVATION
    + "reservation-start-request",
    (Operation.AUTHORIZE_REMOTE_RESERVATION_STOP, RESERVATION_STYLE_HUBJECT): _RESERVATION
    + "reservation-stop-request",
    (Operation.AUTHORIZE_REMOTE_RESERVATION_START, RESERVATION_STYLE_CHARGING): _CHARGING
    + "authorize-remote-reservation/start",
    (Operation.AUTHORIZE_REMOTE_RESERVATION_STOP, RESERVATION_STYLE_CHARGING): _CHARGING
    + "authorize-remote-reservation/stop",
}


def _check_style(reservation_style: str) -> None:
    if reservation_style not in RESERVATION_STYLES:
        raise ValueError(
            f"unknown reservation path style {reservation_style!r}: "
            f"use {RESERVATION_STYLE_HUBJECT!r} (.../reservation-start-request) "
            f"or {RESERVATION_STYLE_CHARGING!r} (.../authorize-remote-reservation/start)"
        )


def _template(operation: Operation, reservation_style: str) -> str:
    style = reservation_style if operation.is_reservation else RESERVATION_STYLE_HUBJECT
    return _TEMPLATES[(operation, style)]


def hub_to_cpo_path(
    operation: Operation, provider_id: str, reservation_style: str = RESERVATION_STYLE_HUBJECT
) -> str:
    """The path the hub appends to the CPO's Service URL for ``operation``.

    The ProviderID goes in literally (``DE*ICE``), as the HBS sends it; only characters
    that would break the path (``/``, ``?``, ``#``, spaces …) are percent-encoded.
    ``reservation_style`` ("hubject" or "charging") only matters for reservations.
    """
    _check_style(reservation_style)
    if not provider_id:
        raise ValueError("provider_id is empty: give the EMP's ProviderID, e.g. 'DE*ICE'")
    segment = quote(provider_id, safe="*")
    return _template(operation, reservation_style).format(id=segment)


def path_template(operation: Operation, reservation_style: str = RESERVATION_STYLE_HUBJECT) -> str:
    """The path of ``operation`` with ``{id}`` where the ProviderID goes.

    An EMP posts its remote start/stop and reservations to Hubject on these same paths
    (OICP 2.3 EMP, 06_EMP_Code_Snippets; digest §1.3), so the hub serves them too.
    """
    _check_style(reservation_style)
    return _template(operation, reservation_style)


def join_service_url(service_url: str, path: str) -> str:
    """Append ``path`` to ``service_url`` with exactly one slash between them.

    ``https://cpo.example/oicp`` and ``https://cpo.example/oicp/`` both give
    ``https://cpo.example/oicp/api/oicp/...`` (the HBS appends, OICP 2.3 digest §1.2).
    """
    return f"{service_url.rstrip('/')}/{path.lstrip('/')}"


def hub_to_cpo_url(
    service_url: str,
    operation: Operation,
    provider_id: str,
    reservation_style: str = RESERVATION_STYLE_HUBJECT,
) -> str:
    """The full URL the hub posts ``operation`` to: Service URL plus the OICP path."""
    return join_service_url(service_url, hub_to_cpo_path(operation, provider_id, reservation_style))


@dataclass(frozen=True)
class PathMatch:
    """What a request path names: the operation, the ProviderID (decoded) and the style.

    For remote start/stop, whose path is the same in both styles, ``reservation_style``
    is "hubject".
    """

    operation: Operation
    provider_id: str
    reservation_style: str


def _suffix_pattern(template: str) -> re.Pattern[str]:
    escaped = re.escape(template).replace(re.escape("{id}"), "(?P<provider>[^/]+)")
    return re.compile(escaped + "$")


_MATCHERS: tuple[tuple[re.Pattern[str], Operation, str], ...] = tuple(
    (_suffix_pattern(template), operation, style)
    for (operation, style), template in _TEMPLATES.items()
)


@functools.lru_cache(maxsize=1024)  # a CPO sees the same few paths on every request
def match_hub_to_cpo_path(raw_path: str) -> PathMatch | None:
    """Recognise a hub-to-CPO path by its suffix, whatever prefix the Service URL had.

    ``raw_path`` is the path as received (query string allowed and ignored). The
    ProviderID segment may carry ``*`` literally or as ``%2A``/``%2a``; percent-escapes in
    it are decoded. Returns None if the path names none of the four operations.
    """
    path = raw_path.split("?", 1)[0].split("#", 1)[0]
    for pattern, operation, style in _MATCHERS:
        found = pattern.search(path)
        if found is not None:
            return PathMatch(operation, unquote(found.group("provider")), style)
    return None
