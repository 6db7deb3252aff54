"""Reading the admin API's request bodies and query values, refusing every problem at once.

The handlers of :mod:`simulator.admin_api` and :mod:`simulator.inbound.admin`, the portal and
the config file read operators, sends and lists through these, so that a field is refused
in the same words wherever it comes from. Each refusal is a :class:`~simulator.hub.HubError`
whose issues name the field, the value and what to give instead.
"""

from __future__ import annotations

import json
import math
from typing import Any

from aiohttp import web

from oicp import Operation, jsontext
from simulator.hub import HubError, operator_issues
from simulator.model import FieldIssue, Operator, ReservationPathStyle, WireProfile
from simulator.requests import (
    RequestRefused,
    SendParams,
    build_request,
    builder_issues,
    id_issues,
    parse_wire_profile,
)
from simulator.suggest import unknown_name
from simulator.whole_numbers import SQLITE_MAX_ID, whole_number


def _bad(field: str, value: object, message: str, status: int = 400) -> HubError:
    return HubError([FieldIssue(field, value, message)], status=status)


MAX_LIST_LIMIT = 10000
"""The most entries one list answer holds (the exchange log keeps 10,000 by default)."""


def _whole_number(field: str, raw: str, low: int, high: int, what: str) -> int:
    value = whole_number(raw, low, high)
    if value is not None:
        return value
    raise _bad(field, raw, f"must be a whole number from {low} to {high}: {what}")


def list_limit(raw: str | None) -> int:
    """The ``?limit=`` of a list (default 100), or a refusal naming the bad value."""
    if raw is None:
        return 100
    return _whole_number("limit", raw, 1, MAX_LIST_LIMIT, "how many entries to list")


def record_id(field: str, raw: str, what: str) -> int:
    """A numeric id from the path, or a 400 refusal (an id that cannot exist is not a 404)."""
    return _whole_number(field, raw, 1, SQLITE_MAX_ID, what)


def _non_finite(data: object) -> str | None:
    """The JSON pointer of a NaN or Infinity in ``data`` (Python's json module reads them,
    JSON has none, and a refusal quoting one would not be JSON either), or None."""
    stack: list[tuple[str, object]] = [("", data)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return pointer or "/"
        if isinstance(value, dict):
            stack.extend((f"{pointer}/{key}", item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((f"{pointer}/{i}", item) for i, item in enumerate(value))
    return None


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body, or a refusal naming what is wrong with it."""
    if request.can_read_body and request.content_type not in ("application/json", ""):
        raise _bad(
            "Content-Type",
            request.content_type,
            "send the body as application/json",
            status=415,
        )
    try:
        data = await request.json(loads=jsontext.loads)
    except ValueError as exc:  # bad JSON, bad UTF-8, too deep or a lone surrogate
        raise _bad("body", None, f"is not valid JSON ({exc}); send a JSON object") from None
    found = _non_finite(data)  # before anything quotes the value back
    if found is not None:
        raise _bad(
            found.lstrip("/") or "body",
            None,
            "is NaN or Infinity, which JSON does not have; send a number",
        )
    if not isinstance(data, dict):
        raise _bad("body", data, "must be a JSON object")
    twice = _repeated_keys(await request.text())
    if twice:
        message = "is given twice in one JSON object, and only the last would count; give it once"
        # The value: every one given, in order, so that the refusal says which were sent.
        raise HubError([FieldIssue(key, values, message) for key, values in twice.items()])
    return data


def _repeated_keys(text: str) -> dict[str, list[Any]]:
    """The keys an object of ``text`` (valid JSON) holds more than once: JSON parsers keep
    the last silently, so ``{"online_request": true, "online_request": false}`` is off."""
    found: dict[str, list[Any]] = {}  # in the order met: every value given, the first object

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(items)
        if len(obj) != len(items):  # linear: a body of many keys costs no more per byte
            given: dict[str, list[Any]] = {}
            for key, value in items:
                given.setdefault(key, []).append(value)
            for key, values in given.items():
                if len(values) > 1:
                    found.setdefault(key, values)
        return obj

    json.loads(text, object_pairs_hook=pairs, parse_int=jsontext.integer_as_orjson_reads_it)
    return found


def send_params_from_json(data: dict[str, Any]) -> SendParams:
    """Read the send form: EvseID and ProviderID are required, the rest optional."""
    known = set(SendParams.__dataclass_fields__)
    fields = sorted(known | {"wire_profile"})
    issues = [
        FieldIssue(name, data[name], unknown_name("field", name, fields, "the send fields"))
        for name in sorted(set(data) - known)
    ]
    for name, example in (("evse_id", "DE*ABC*E1"), ("provider_id", "DE*ICE")):
        problem = _required_text(data.get(name), example)
        if problem is not None:
            issues.append(FieldIssue(name, data.get(name), problem))
    duration = data.get("duration")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int)):
        issues.append(
            FieldIssue("duration", duration, "must be a whole number of minutes from 1 to 99")
        )
    if issues:  # the builder will not run: say what it would refuse of the IDs now
        raise HubError(issues + id_issues(data))
    return SendParams(**data)


def send_from_json(
    operation: Operation, data: dict[str, Any], *, wire_profile: bool = True
) -> tuple[SendParams, WireProfile | None]:
    """The admin API's send body: its form, its ``wire_profile`` (where the route takes
    one) and what the request builder makes of them, with every problem of the three in one
    HubError (a client fixed the missing ProviderID, then met the bad wire_profile, then the
    bad EvcoID)."""
    data = dict(data)
    profile_value = data.pop("wire_profile", None) if wire_profile else None
    issues: list[FieldIssue] = []
    profile = None
    if profile_value is not None:
        try:
            profile = parse_wire_profile(profile_value)
        except RequestRefused as err:
            issues += err.issues
    try:
        params = send_params_from_json(data)
    except HubError as err:
        found = err.issues + issues
        raise HubError(found + _builder_issues_beside(operation, data, found)) from None
    try:
        build_request(operation, params)
    except RequestRefused as err:
        raise RequestRefused(err.issues + issues) from None  # told as invalid OICP values
    if issues:
        raise HubError(issues)
    return params, profile


def _builder_issues_beside(
    operation: Operation, data: dict[str, Any], found: list[FieldIssue]
) -> list[FieldIssue]:
    """What the builder refuses of the send fields not refused already."""
    refused = {issue.field for issue in found}
    given = {
        k: v
        for k, v in data.items()
        if k in SendParams.__dataclass_fields__ and k not in refused and k != "duration"
    }
    return builder_issues(operation, given)


def _required_text(value: object, example: str) -> str | None:
    if value is None:
        return f"is required: give it, e.g. {example}"
    if not isinstance(value, str):
        return f"must be a string, e.g. {example}"
    return f"is empty: give it, e.g. {example}" if not value else None


def operator_from_json(data: dict[str, Any], current: Operator | None = None) -> Operator:
    """The operator the JSON describes; every problem at once in one :class:`HubError`.

    Fields left out keep their values in ``current`` (the stored operator: a partial update),
    or take the defaults for a new operator.
    """
    issues = [
        _unknown_operator_field(name, data[name]) for name in data if name not in OPERATOR_FIELDS
    ]
    op_id = data.get("operator_id")
    if not isinstance(op_id, str):
        said = "is required" if op_id is None else "must be text"
        issues.append(FieldIssue("operator_id", op_id, f"{said}: give the OperatorID, e.g. DE*ABC"))
        op_id = ""
    base = current if current is not None else Operator(op_id)
    operator = Operator(
        operator_id=op_id,
        name=_name(data, base, issues),
        reservation_path_style=_path_style(data, base, issues),
        timeout_s=_timeout(data, base, issues),
        wire_profile=_wire_profile_field(data, base, issues),
    )
    unreadable = {issue.field for issue in issues}
    issues += [i for i in operator_issues(operator) if i.field not in unreadable]
    if issues:
        raise HubError(issues)
    return operator


# The fields of an operator, as operator_json writes them and operator_from_json reads them.
OPERATOR_FIELDS = ("operator_id", "name", "reservation_path_style", "timeout_s", "wire_profile")


def _unknown_operator_field(name: str, value: object) -> FieldIssue:
    # A typo such as "nmae" would otherwise be dropped without a word and the field keep its
    # default.
    message = unknown_name("field", name, OPERATOR_FIELDS, "the operator's fields")
    return FieldIssue(name, value, message)


def _name(data: dict[str, Any], base: Operator, issues: list[FieldIssue]) -> str:
    """The display name; null is no name. Anything else but text was stored as Python's
    repr of it ("None", "['a']") and shown on every portal page."""
    name = data.get("name", base.name)
    if name is None:
        return ""
    if not isinstance(name, str):
        issues.append(FieldIssue("name", name, 'must be text, e.g. "Example CPO", or null'))
        return base.name
    return name


def _path_style(
    data: dict[str, Any], base: Operator, issues: list[FieldIssue]
) -> ReservationPathStyle:
    style = data.get("reservation_path_style", base.reservation_path_style.value)
    try:
        return ReservationPathStyle(style)
    except ValueError:
        message = "use 'hubject' (reservation/v11) or 'charging' (charging/v21)"
        issues.append(FieldIssue("reservation_path_style", style, message))
        return base.reservation_path_style


def _timeout(data: dict[str, Any], base: Operator, issues: list[FieldIssue]) -> float:
    timeout = data.get("timeout_s", base.timeout_s)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        issues.append(FieldIssue("timeout_s", timeout, "must be a number of seconds (at most 60)"))
        return base.timeout_s
    return float(timeout)


def _wire_profile_field(
    data: dict[str, Any], base: Operator, issues: list[FieldIssue]
) -> WireProfile:
    try:
        return parse_wire_profile(data.get("wire_profile", base.wire_profile.value))
    except RequestRefused as err:
        issues += err.issues
        return base.wire_profile


def wire_profile_of(value: object) -> WireProfile:
    """The profile named ``value``, or a HubError the portal and the config file show too."""
    try:
        return parse_wire_profile(value)
    except RequestRefused as err:
        raise HubError(err.issues) from None
