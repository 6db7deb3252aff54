"""The hub's JSON admin API: operators, Service Type Settings, Certificate Management, sending.

Every refusal is a JSON object ``{"error": sentence, "issues": [{field, value, message}]}``
with the messages of :mod:`simulator.settings_rules` unchanged. Routes are listed in the README.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from mockpki.errors import PKIError
from oicp import Operation, jsontext
from oicp.transfer import content_coding_problem
from simulator.api_query import known_query_only, takes_query
from simulator.certificates import CertificateUploadError
from simulator.check import check_operator, options_from_json
from simulator.expiry import expiry_of
from simulator.hub import Hub, HubError, HubIdentity, SettingsRejected, operator_issues
from simulator.model import (
    FieldIssue,
    Operator,
    ReservationPathStyle,
    ServiceType,
    SettingsRevision,
    UploadedCertificate,
    WireProfile,
)
from simulator.requests import (
    RequestRefused,
    SendParams,
    check_provider_id,
    id_issues,
    parse_wire_profile,
)
from simulator.storage import DuplicateCertificateError, ExchangeQuery, query_problems
from simulator.suggest import unknown_name
from simulator.whole_numbers import SQLITE_MAX_ID, whole_number

HUB_KEY = web.AppKey("hub", Hub)
# What GET /api/exchanges reads from its query: ExchangeQuery's fields but the one that
# only the portal's live updates set.
EXCHANGE_QUERY = tuple(f.name for f in dataclasses.fields(ExchangeQuery) if f.name != "after_id")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_admin_routes(app: web.Application) -> None:
    """Register the admin API on an application that holds a :class:`Hub` under HUB_KEY."""
    api = AdminAPI()
    app.middlewares.append(_same_origin_only)
    app.middlewares.append(_plain_bodies_only)
    app.middlewares.append(_refusals_as_json)
    app.middlewares.append(known_query_only)
    app.router.add_get("/api/health", api.health)
    app.router.add_get("/api/hub/certificate", api.hub_certificate)
    app.router.add_post("/api/hub/certificate/reload", api.reload_hub_certificate)
    app.router.add_get("/api/operators", api.list_operators)
    app.router.add_post("/api/operators", api.put_operator)
    app.router.add_get("/api/operators/{operator_id}", api.get_operator)
    app.router.add_get("/api/operators/{operator_id}/settings", api.all_settings)
    app.router.add_get("/api/operators/{operator_id}/settings/{service_type}", api.get_settings)
    app.router.add_put("/api/operators/{operator_id}/settings/{service_type}", api.save_settings)
    app.router.add_post(
        "/api/operators/{operator_id}/settings/{service_type}/check", api.check_settings
    )
    app.router.add_get(
        "/api/operators/{operator_id}/settings/{service_type}/history", api.settings_history
    )
    app.router.add_get("/api/operators/{operator_id}/certificates", api.list_certificates)
    app.router.add_post("/api/operators/{operator_id}/certificates", api.upload_certificates)
    app.router.add_delete(
        "/api/operators/{operator_id}/certificates/{cert_id}", api.delete_certificate
    )
    app.router.add_post("/api/operators/{operator_id}/send/{operation}", api.send)
    app.router.add_get("/api/operators/{operator_id}/send/{operation}", api.send_ready)
    app.router.add_post("/api/operators/{operator_id}/check/{service_type}", api.check)
    app.router.add_get("/api/exchanges", api.list_exchanges)
    app.router.add_get("/api/exchanges/{exchange_id}", api.get_exchange)


@web.middleware
async def _same_origin_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse API writes that a page on another site made the browser send.

    A loopback hub without a token trusts whoever can reach it; a browser visiting another
    site can reach it too, with form posts that need no preflight. Such requests carry an
    Origin header naming the other site.
    """
    origin = request.headers.get("Origin")
    if (
        request.path.startswith("/api/")
        and request.method not in ("GET", "HEAD", "OPTIONS")
        and origin is not None
        and urlsplit(origin).netloc != request.host
    ):
        return _refusal(
            403,
            f"cross-site request from {origin} refused; call the admin API from a script or "
            "the command line, or use the portal's own pages",
            [FieldIssue("Origin", origin, "must be the hub's own address")],
        )
    return await handler(request)


@web.middleware
async def _plain_bodies_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a compressed body before it is read (see :mod:`oicp.transfer`)."""
    problem = content_coding_problem(request.headers)
    if problem is None:
        return await handler(request)
    coding = request.headers.get("Content-Encoding")
    return _refusal(415, problem, [FieldIssue("Content-Encoding", coding, problem)])


@web.middleware
async def _refusals_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every refusal into a JSON answer; no traceback reaches an API user."""
    try:
        return await handler(request)
    except SettingsRejected as err:
        return _refusal(
            422,
            "the settings break the portal's rules; nothing was saved",
            err.issues,
            err.warnings,
        )
    except HubError as err:
        return _refusal(err.status, str(err), err.issues)
    except RequestRefused as err:
        return _refusal(400, "the request values are not valid OICP", err.issues)
    except CertificateUploadError as err:
        return _refusal(400, str(err), [FieldIssue("file", None, str(err))])
    except DuplicateCertificateError as err:
        return _refusal(409, str(err), [FieldIssue("file", None, str(err))])
    except PKIError as err:
        pki_dir = str(request.app[HUB_KEY].identity.pki_dir)
        return _refusal(409, str(err), [FieldIssue("pki_dir", pki_dir, str(err))])
    except web.HTTPException as err:
        if err.status < 400 or not request.path.startswith("/api/"):
            raise
        return _route_refusal(request, err)


def _route_refusal(request: web.Request, err: web.HTTPException) -> web.Response:
    """aiohttp's own 404 and 405 (plain text) as the API's JSON refusal."""
    if isinstance(err, web.HTTPMethodNotAllowed):
        allowed = ", ".join(sorted(err.allowed_methods))
        issue = FieldIssue("method", request.method, f"this route answers {allowed}")
        response = _refusal(405, f"{request.method} is not allowed on this route", [issue])
        response.headers["Allow"] = ",".join(sorted(err.allowed_methods))
        return response
    if err.status == 404:
        issue = FieldIssue("path", request.path, "no admin API route; see the README's table")
        return _refusal(404, "no such route in the admin API", [issue])
    return _refusal(err.status, err.reason, [FieldIssue("request", None, err.reason)])


def _refusal(
    status: int, error: str, issues: list[FieldIssue], warnings: list[FieldIssue] | None = None
) -> web.Response:
    body: dict[str, Any] = {"error": error, "issues": [i.to_json() for i in issues]}
    if warnings:
        body["warnings"] = [w.to_json() for w in warnings]
    return web.json_response(body, status=status)


def _bad(field: str, value: object, message: str, status: int = 400) -> HubError:
    return HubError([FieldIssue(field, value, message)], status=status)


class AdminAPI:
    """Handlers of the admin API; each one is a thin call into :class:`Hub`."""

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def hub_certificate(self, request: web.Request) -> web.Response:
        """The service certificate the hub presents now, with its days to expiry."""
        return web.json_response(hub_certificate_json(request.app[HUB_KEY].identity))

    async def reload_hub_certificate(self, request: web.Request) -> web.Response:
        """Read the PKI folder again: the renewed service certificate is used from now on."""
        hub = request.app[HUB_KEY]
        before = hub.identity
        after = await hub.reload_certificates()
        body = hub_certificate_json(after)
        body["previous"] = hub_certificate_json(before)
        return web.json_response(body)

    async def list_operators(self, request: web.Request) -> web.Response:
        ops = await request.app[HUB_KEY].storage.list_operators()
        return web.json_response({"operators": [operator_json(o) for o in ops]})

    async def get_operator(self, request: web.Request) -> web.Response:
        op = await request.app[HUB_KEY].operator(request.match_info["operator_id"])
        return web.json_response(operator_json(op))

    async def put_operator(self, request: web.Request) -> web.Response:
        """Create an operator, or change the fields the body names (the others stay)."""
        data = await read_json_object(request)
        hub = request.app[HUB_KEY]
        op_id = data.get("operator_id")
        current = await hub.storage.get_operator(op_id) if isinstance(op_id, str) else None
        op = await hub.put_operator(operator_from_json(data, current))
        return web.json_response(operator_json(op), status=201)

    async def all_settings(self, request: web.Request) -> web.Response:
        hub = request.app[HUB_KEY]
        op = await hub.operator(request.match_info["operator_id"])
        current = await hub.storage.all_current_settings(op.operator_id)
        return web.json_response(
            {st.slug: revision_json(current[st]) if st in current else None for st in ServiceType}
        )

    async def get_settings(self, request: web.Request) -> web.Response:
        hub = request.app[HUB_KEY]
        op_id, st = await _operator_and_service(request)
        history = await hub.storage.settings_history(op_id, st)
        return web.json_response(
            {
                "service_type": st.value,
                "current": revision_json(history[0]) if history else None,
                "previous": revision_json(history[1]) if len(history) > 1 else None,
            }
        )

    async def save_settings(self, request: web.Request) -> web.Response:
        op_id, st = await _operator_and_service(request)
        saved = await request.app[HUB_KEY].save_settings(op_id, st, await read_json_object(request))
        return web.json_response(
            {
                "saved": revision_json(saved.revision),
                "unchanged": saved.unchanged,
                "warnings": [w.to_json() for w in saved.warnings],
            }
        )

    async def check_settings(self, request: web.Request) -> web.Response:
        op_id, st = await _operator_and_service(request)
        verdict = await request.app[HUB_KEY].check(op_id, st, await read_json_object(request))
        return web.json_response(verdict.to_json())

    async def settings_history(self, request: web.Request) -> web.Response:
        op_id, st = await _operator_and_service(request)
        history = await request.app[HUB_KEY].storage.settings_history(op_id, st)
        return web.json_response({"history": [revision_json(r) for r in history]})

    async def list_certificates(self, request: web.Request) -> web.Response:
        hub = request.app[HUB_KEY]
        op = await hub.operator(request.match_info["operator_id"])
        certs = await hub.storage.list_certificates(op.operator_id)
        return web.json_response({"certificates": [certificate_json(c) for c in certs]})

    @takes_query("filename")
    async def upload_certificates(self, request: web.Request) -> web.Response:
        data, filename = await _upload(request)
        try:
            certs = await request.app[HUB_KEY].upload_certificates(
                request.match_info["operator_id"], data, filename
            )
        except CertificateUploadError as err:  # the refusal's value is the file it is about
            raise HubError([FieldIssue("file", filename, str(err))]) from None
        except DuplicateCertificateError as err:
            raise HubError([FieldIssue("file", filename, str(err))], status=409) from None
        return web.json_response({"certificates": [certificate_json(c) for c in certs]}, status=201)

    async def delete_certificate(self, request: web.Request) -> web.Response:
        hub = request.app[HUB_KEY]
        op = await hub.operator(request.match_info["operator_id"])
        raw = request.match_info["cert_id"]
        cert_id = record_id("cert_id", raw, "the numeric id shown in the certificate list")
        if not await hub.storage.delete_certificate(op.operator_id, cert_id):
            raise _bad("cert_id", raw, f"no certificate {raw} for {op.operator_id}", status=404)
        return web.json_response({"deleted": cert_id})

    async def send(self, request: web.Request) -> web.Response:
        hub = request.app[HUB_KEY]
        operation = _operation(request.match_info["operation"])
        data = await read_json_object(request)
        profile = data.pop("wire_profile", None)
        params = send_params_from_json(data)
        exchange = await hub.send(
            request.match_info["operator_id"],
            operation,
            params,
            profile=None if profile is None else _wire_profile(profile),
        )
        return web.json_response(exchange.to_json())

    @takes_query("provider_id")
    async def send_ready(self, request: web.Request) -> web.Response:
        """Whether a send of the operation would go out with the saved settings, and if not
        the outcome and sentence its exchange would carry. Sends nothing."""
        operation = _operation(request.match_info["operation"])
        provider_id = request.query.get("provider_id", "DE*ICE")  # only the URL's path has it
        check_provider_id(provider_id)
        refusal = await request.app[HUB_KEY].refusal_for(
            request.match_info["operator_id"], operation, provider_id
        )
        return web.json_response(
            {
                "operation": operation.value,
                "ready": refusal is None,
                "outcome": None if refusal is None else refusal.outcome.value,
                "detail": None if refusal is None else refusal.detail,
            }
        )

    async def check(self, request: web.Request) -> web.Response:
        """Run ``hubsim check`` on the saved settings; the body may set provider_id, evse_id,
        timeout_s. Answers the check report (docs/check.md), also when layers failed."""
        op_id, st = await _operator_and_service(request)
        data = await read_json_object(request) if request.body_exists else {}
        report = await check_operator(request.app[HUB_KEY], op_id, st, options_from_json(data))
        return web.json_response(report.to_json())

    @takes_query(*EXCHANGE_QUERY)
    async def list_exchanges(self, request: web.Request) -> web.Response:
        q = request.query
        issues: list[FieldIssue] = []
        try:
            limit = list_limit(q.get("limit"))
        except HubError as err:  # reported with the other filters' problems
            issues += err.issues
            limit = 1
        query = ExchangeQuery(
            operator_id=q.get("operator_id"),
            service_type=q.get("service_type"),
            outcome=q.get("outcome"),
            limit=limit,
            direction=q.get("direction"),
            partner_id=q.get("partner_id"),
            operation=q.get("operation"),
            failure_class=q.get("failure_class"),
            search=q.get("search"),
        )
        issues += [FieldIssue(f, q.get(f), message) for f, message in query_problems(query)]
        if issues:
            raise HubError(issues)
        storage = request.app[HUB_KEY].storage
        await storage.flush()  # the log is written in batches; show what was sent so far
        exchanges = await storage.query_exchanges(query)
        return web.json_response({"exchanges": [e.to_json() for e in exchanges]})

    async def get_exchange(self, request: web.Request) -> web.Response:
        raw = request.match_info["exchange_id"]
        exchange_id = record_id("exchange_id", raw, "the exchange_id a send answered with")
        storage = request.app[HUB_KEY].storage
        await storage.flush()  # an exchange a send has just answered with may be queued
        found = await storage.get_exchange(exchange_id)
        if found is None:
            raise _bad("exchange_id", raw, "no such exchange in the log", status=404)
        return web.json_response(found.to_json())


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
        raise HubError([FieldIssue(key, None, message) for key in twice])
    return data


def _repeated_keys(text: str) -> list[str]:
    """The keys an object of ``text`` (valid JSON) holds more than once: JSON parsers keep
    the last silently, so ``{"online_request": true, "online_request": false}`` is off."""
    found: dict[str, None] = {}  # in the order met, each once

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(items)
        if len(obj) != len(items):  # linear: a body of many keys costs no more per byte
            seen: set[str] = set()
            for key, _ in items:
                if key in seen:
                    found[key] = None
                seen.add(key)
        return obj

    json.loads(text, object_pairs_hook=pairs)
    return list(found)


async def _operator_and_service(request: web.Request) -> tuple[str, ServiceType]:
    op = await request.app[HUB_KEY].operator(request.match_info["operator_id"])
    return op.operator_id, _service_type(request.match_info["service_type"])


def _service_type(text: str) -> ServiceType:
    try:
        return ServiceType.from_text(text)
    except ValueError as exc:
        raise _bad("service_type", text, str(exc), status=404) from None


def _operation(text: str) -> Operation:
    try:
        return Operation.from_slug(text)
    except ValueError as exc:
        raise _bad("operation", text, str(exc), status=404) from None


async def _upload(request: web.Request) -> tuple[bytes, str]:
    """A certificate upload: multipart form field 'file', or a raw body with ?filename=."""
    named = request.query.get("filename")
    if request.content_type.startswith("multipart/"):
        if named is not None:
            raise _bad("filename", named, _NAMED_TWICE)
        form = await request.post()
        field = form.get("file")
        if not isinstance(field, web.FileField):
            raise _bad("file", None, "choose a .pem or .crt file to upload")
        return field.file.read(), field.filename
    if named is not None and not named.strip():
        raise _bad(
            "filename", named, "is blank: give the file's name, e.g. cpo.pem, or leave it out"
        )
    return await request.read(), named or "upload.pem"


_NAMED_TWICE = (
    "a multipart upload names its file itself: leave ?filename= out, or send the file as the "
    "raw body"
)


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
        issues.append(
            FieldIssue("operator_id", op_id, "is required: give the OperatorID, e.g. DE*ABC")
        )
        op_id = ""
    base = current if current is not None else Operator(op_id)
    operator = Operator(
        operator_id=op_id,
        name=str(data.get("name", base.name)),
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


def _wire_profile(value: object) -> WireProfile:
    """The profile named ``value``, or a HubError the portal and the config file show too."""
    try:
        return parse_wire_profile(value)
    except RequestRefused as err:
        raise HubError(err.issues) from None


def operator_json(op: Operator) -> dict[str, Any]:
    return {
        "operator_id": op.operator_id,
        "name": op.name,
        "reservation_path_style": op.reservation_path_style.value,
        "timeout_s": op.timeout_s,
        "wire_profile": op.wire_profile.value,
    }


def revision_json(rev: SettingsRevision) -> dict[str, Any]:
    return {
        "operator_id": rev.operator_id,
        "service_type": rev.service_type.value,
        "revision": rev.revision,
        "saved_at": rev.saved_at.isoformat(),
        "settings": rev.settings.to_json(),
    }


def hub_certificate_json(identity: HubIdentity) -> dict[str, Any]:
    """The hub's service certificate: names, serial, fingerprint, validity, days to expiry."""
    info = identity.certificate
    if info is None:
        return {"file": str(identity.client.cert_chain)}
    return {
        "file": str(identity.client.cert_chain),
        "subject": info.subject,
        "issuer": info.issuer,
        "serial_number": info.serial_number,
        "sha256": info.sha256,
        "not_before": info.not_before.isoformat(),
        **expiry_json(info.not_after),
    }


def expiry_json(not_after: datetime) -> dict[str, Any]:
    """``not_after``, ``days_left``, ``expiry_alarm`` and the sentence, as of now."""
    expiry = expiry_of(not_after, datetime.now(UTC))
    return expiry.to_json() | {"expiry_message": expiry.sentence("the certificate") or None}


def certificate_json(cert: UploadedCertificate) -> dict[str, Any]:
    return {
        "cert_id": cert.cert_id,
        "filename": cert.filename,
        "subject": cert.subject,
        "sans": list(cert.sans),
        "sha256": cert.sha256,
        "not_before": cert.not_before.isoformat(),
        **expiry_json(cert.not_after),
        "status": cert.status(datetime.now(UTC)).value,
        "uploaded_at": cert.uploaded_at.isoformat(),
    }
