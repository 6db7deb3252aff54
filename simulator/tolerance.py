"""The tolerance pack's variants: requests that real HBS traffic shows or the spec allows.

Each variant changes one thing of the request the check's baseline sent (the plan's wire
profile), so that a difference in the answer is that one thing's doing. The sources of
each variant are in docs/tolerance.md; the ``source`` strings here name them briefly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from oicp import Operation, RemoteRequest

# A misspelling that Hubject's own official reservation schemas contain (EMPPartnerSessionId,
# small "d"); Hubject ignores misspelled members instead of refusing them (hubject/oicp #88).
MISSPELLED_MEMBER = "EMPPartnerSessionId"
UNKNOWN_MEMBER = "HubsimUnknownMember"
DIN_EVCO_ID = "DE*ICE*I01000*6"  # the DIN-form EvcoID of the captured HBS remote start


@dataclass
class Draft:
    """One request of a variant, as it will be sent: URL, headers and JSON body."""

    operation: Operation
    request: RemoteRequest  # the valid request the draft started from
    url: str
    headers: dict[str, str]
    body: dict[str, Any]


Mutation = Callable[[Draft], None]


@dataclass(frozen=True)
class Variant:
    """One way of writing the request that a CPO endpoint should tolerate."""

    key: str
    title: str
    source: str
    mutate: Mutation
    kind: str = "start"  # "start", "stop-echo", "reservation-no-session", "start-null-session"


def _explicit_nulls(draft: Draft) -> None:
    draft.body = draft.request.to_wire(explicit_nulls=True)


def _omitted(draft: Draft) -> None:
    draft.body = draft.request.to_wire(explicit_nulls=False)


def _literal_star(draft: Draft) -> None:
    """The path as the hub writes it: the ProviderID's ``*`` literal (nothing to change)."""


def _encoded_star(draft: Draft) -> None:
    head, sep, tail = draft.url.partition("/providers/")
    provider, slash, rest = tail.partition("/")
    draft.url = f"{head}{sep}{provider.replace('*', '%2A')}{slash}{rest}"


def _content_type(value: str) -> Mutation:
    def mutate(draft: Draft) -> None:
        draft.headers["Content-Type"] = value

    return mutate


def _unknown_member(draft: Draft) -> None:
    draft.body[UNKNOWN_MEMBER] = "a member this OICP version does not define"


def _misspelled_member(draft: Draft) -> None:
    draft.body.pop("EMPPartnerSessionID", None)
    draft.body[MISSPELLED_MEMBER] = "hubsim-emp-session-1"


def _remote_identification_alone(draft: Draft) -> None:
    draft.body["Identification"] = {"RemoteIdentification": _evco(draft)}


def _din_evco(draft: Draft) -> None:
    ident = dict(draft.body["Identification"])
    ident["RemoteIdentification"] = {"EvcoID": DIN_EVCO_ID}
    draft.body["Identification"] = ident


def _evco(draft: Draft) -> dict[str, Any]:
    remote = draft.body["Identification"]["RemoteIdentification"]
    return dict(remote)


def _no_session_id(draft: Draft) -> None:
    draft.body.pop("SessionID", None)


def _null_session_id(draft: Draft) -> None:
    draft.body["SessionID"] = None


def _nothing(draft: Draft) -> None:
    """The stop carries what the start's answer gave; see the pack's stop-echo flow."""


CAPTURE = "captured HBS remote start (WWCP_OICP CPOServerAPI.cs; OICP 2.3 digest §2.1)"

VARIANTS: tuple[Variant, ...] = (
    Variant("explicit-nulls", "absent members as explicit null", CAPTURE, _explicit_nulls),
    Variant(
        "members-omitted",
        "absent members omitted",
        "the official schema and the spec's examples (oicp-cpo-2.3-api-doc)",
        _omitted,
    ),
    Variant("path-literal-star", "'*' literal in the path", CAPTURE, _literal_star),
    Variant(
        "path-encoded-star",
        "'*' as %2A in the path",
        "RFC 3986 percent-encoding; HTTP clients that encode reserved characters",
        _encoded_star,
    ),
    Variant(
        "content-type-charset-upper",
        "Content-Type: application/json;charset=UTF-8",
        CAPTURE,
        _content_type("application/json;charset=UTF-8"),
    ),
    Variant(
        "content-type-plain",
        "Content-Type: application/json",
        "the official OpenAPI (consumes: application/json)",
        _content_type("application/json"),
    ),
    Variant(
        "content-type-charset-lower",
        "Content-Type: application/json; charset=utf-8",
        "RFC 8259 / RFC 9110 (charset is case-insensitive, a space is allowed)",
        _content_type("application/json; charset=utf-8"),
    ),
    Variant(
        "unknown-member",
        "an unknown extra member",
        "Hubject ignores unknown members (hubject/oicp PR #88, spec aligned in PR #95)",
        _unknown_member,
    ),
    Variant(
        "misspelled-optional-member",
        f"a misspelled optional member ({MISSPELLED_MEMBER})",
        "the official reservation schemas spell it so; Hubject ignores misspellings "
        "(hubject/oicp PR #88, #95)",
        _misspelled_member,
    ),
    Variant(
        "remote-identification-alone",
        "Identification with RemoteIdentification only",
        "OICP 2.3 CPO 03 IdentificationType, NOTE 2 (only RemoteIdentification for remote "
        "authorization)",
        _remote_identification_alone,
    ),
    Variant(
        "remote-identification-din-evco",
        "RemoteIdentification with a DIN-form EvcoID",
        f"{CAPTURE}: EvcoID {DIN_EVCO_ID}; OICP 2.3 EvcoIDType (ISO and DIN forms)",
        _din_evco,
    ),
    Variant(
        "stop-echoes-cpo-partner-session-id",
        "the start's CPOPartnerSessionID echoed in the stop",
        "OICP 2.3 CPO 02 eRoamingAuthorizeRemoteStop (CPOPartnerSessionID)",
        _nothing,
        kind="stop-echo",
    ),
    Variant(
        "reservation-without-session-id",
        "a reservation start without SessionID",
        "OICP 2.3 CPO 02 eRoamingAuthorizeRemoteReservationStart (SessionID optional)",
        _no_session_id,
        kind="reservation-no-session",
    ),
    Variant(
        "remote-start-session-id-null",
        "a remote start with SessionID null",
        "the HBS portal's remote testing tool (OICP 2.3 integration guide, CPO 09)",
        _null_session_id,
        kind="start-null-session",
    ),
)
"""Every variant, in the order the pack sends them. The two without a usable SessionID come
last and use spare EVSEs: their sessions cannot be stopped."""


VARIANT_KEYS: tuple[str, ...] = tuple(v.key for v in VARIANTS)


def variant(key: str) -> Variant:
    """The variant named ``key``; raises KeyError listing the keys for an unknown one."""
    for found in VARIANTS:
        if found.key == key:
            return found
    raise KeyError(f"{key!r} is not a tolerance variant; use one of {', '.join(VARIANT_KEYS)}")


def apply_variant(
    chosen: Variant,
    operation: Operation,
    request: RemoteRequest,
    url: str,
    headers: Mapping[str, str],
    body: dict[str, Any],
) -> Draft:
    """The request as ``chosen`` writes it (a scenario step with ``variant:``)."""
    draft = Draft(operation, request, url, dict(headers), dict(body))
    chosen.mutate(draft)
    return draft
