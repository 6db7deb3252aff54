"""The hub's JSON admin API: operators, Service Type Settings, Certificate Management, sending.

Every refusal is a JSON object ``{"error": sentence, "issues": [{field, value, message}]}``
with the messages of :mod:`simulator.settings_rules` unchanged. Routes are listed in the README.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from mockpki.errors import PKIError
from oicp import Operation
from oicp.transfer import content_coding_problem
from simulator.api_bodies import (
    list_limit,
    operator_from_json,
    read_json_object,
    record_id,
    send_from_json,
)
from simulator.api_query import known_query_only, takes_query
from simulator.certificates import CertificateUploadError
from simulator.check import check_operator, options_from_json
from simulator.expiry import expiry_of
from simulator.hub import Hub, HubError, HubIdentity, SettingsRejected
from simulator.model import (
    FieldIssue,
    Operator,
    ServiceType,
    SettingsRevision,
    UploadedCertificate,
)
from simulator.requests import (
    RequestRefused,
    check_provider_id,
)
from simulator.storage import DuplicateCertificateError, ExchangeQuery, query_problems

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
    if isinstance(err, web.HTTPRequestEntityTooLarge):
        limit = request.client_max_size
        issue = FieldIssue(
            "body",
            None,
            f"is larger than the {limit} bytes the admin API reads; send a smaller one (an "
            "operator or its settings are a few hundred bytes, a certificate chain a few KB)",
        )
        return _refusal(413, "the request body is too large", [issue])
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
        return web.json_response(operator_json(op), status=201 if current is None else 200)

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
        params, profile = send_from_json(operation, await read_json_object(request))
        exchange = await hub.send(
            request.match_info["operator_id"], operation, params, profile=profile
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
    return expiry.to_json() | {"expiry_message": expiry.sentence("The certificate") or None}


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
