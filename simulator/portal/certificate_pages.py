"""The Certificate Management tab: upload, list with status and coverage, delete.

Uploads go through :meth:`simulator.hub.Hub.upload_certificates` (the parsing rules of
:mod:`simulator.certificates`); the warnings come from
:func:`simulator.settings_rules.user_certificate_problem`, as on the settings page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from aiohttp import web

from simulator.admin_api import HUB_KEY
from simulator.certificates import CertificateUploadError
from simulator.expiry import expiry_of
from simulator.hub import Hub
from simulator.model import (
    Operator,
    ServerCertification,
    ServiceType,
    SettingsRevision,
    UploadedCertificate,
)
from simulator.portal import urls
from simulator.portal.errors import PageError
from simulator.portal.render import render_page
from simulator.portal.views import ExpiryView, PresentedCertificate, certificate_rows
from simulator.settings_rules import user_certificate_problem
from simulator.storage import DuplicateCertificateError
from simulator.whole_numbers import whole_number

# How many recent exchanges to look through for the certificate an endpoint presented.
_RECENT = 20
NO_FILE = "Choose a .pem or .crt file to upload, then press Upload."


async def show_certificates(request: web.Request) -> web.Response:
    """GET: the operator's certificates, with a notice after an upload or a delete."""
    operator = await _operator(request)
    return await _certificates_page(request, operator, notice=_notice(request))


async def upload_certificate(request: web.Request) -> web.Response:
    """POST (multipart): store one .pem/.crt (a certificate or a chain), or say why not."""
    operator = await _operator(request)
    field = (await request.post()).get("file")
    if not isinstance(field, web.FileField) or not field.filename:
        return await _certificates_page(request, operator, upload_error=NO_FILE, status=400)
    try:
        stored = await _hub(request).upload_certificates(
            operator.operator_id, field.file.read(), field.filename
        )
    except (CertificateUploadError, DuplicateCertificateError) as err:
        status = 409 if isinstance(err, DuplicateCertificateError) else 400
        return await _certificates_page(request, operator, upload_error=str(err), status=status)
    target = urls.certificates_url(operator.operator_id)
    raise web.HTTPSeeOther(f"{target}?uploaded={len(stored)}")


async def delete_certificate(request: web.Request) -> web.Response:
    """POST: delete one certificate of the operator."""
    operator = await _operator(request)
    raw = request.match_info["cert_id"]
    cert_id = whole_number(raw)
    deleted = cert_id is not None and await _hub(request).storage.delete_certificate(
        operator.operator_id, cert_id
    )
    if not deleted:
        raise PageError(
            404,
            "No such certificate",
            f"{operator.operator_id} has no certificate {raw}: it may have been deleted "
            "already. Go back to Certificate Management and reload the list.",
        )
    target = urls.certificates_url(operator.operator_id)
    raise web.HTTPSeeOther(f"{target}?deleted={raw}")


async def _certificates_page(
    request: web.Request,
    operator: Operator,
    *,
    notice: str | None = None,
    upload_error: str | None = None,
    status: int = 200,
) -> web.Response:
    hub = _hub(request)
    now = datetime.now(UTC)
    certificates = await hub.storage.list_certificates(operator.operator_id)
    current = await hub.storage.all_current_settings(operator.operator_id)
    service_urls = [r.settings.service_url for r in current.values() if r.settings.service_url]
    warnings = [
        (service_type, problem)
        for service_type, revision in sorted(current.items(), key=lambda item: _order(item[0]))
        if (problem := _user_certificate_warning(revision, certificates, now)) is not None
    ]
    return await render_page(
        request,
        "certificates.html",
        hub_certificate=_hub_certificate(hub, now),
        presented=await _presented(hub, operator.operator_id, now),
        status=status,
        title=f"Certificate Management · {operator.operator_id}",
        operator=operator,
        active_tab="certificates",
        rows=certificate_rows(certificates, service_urls, now),
        warnings=warnings,
        notice=notice,
        upload_error=upload_error,
    )


def _hub_certificate(hub: Hub, now: datetime) -> PresentedCertificate | None:
    info = hub.identity.certificate
    if info is None:
        return None
    return PresentedCertificate(
        label="Hub service certificate (presented on every call to your backend)",
        subject=info.subject,
        sha256=info.sha256,
        not_after=info.not_after,
        expiry=ExpiryView(expiry_of(info.not_after, now), "The hub's service certificate"),
        serial_number=info.serial_number,
    )


async def _presented(hub: Hub, operator_id: str, now: datetime) -> list[PresentedCertificate]:
    """Per service type, the server certificate the endpoint presented on the latest call."""
    await hub.storage.flush()  # the log is written in batches
    found = []
    for service_type in (ServiceType.AUTHORIZATION, ServiceType.RESERVATION):
        recent = await hub.storage.list_exchanges(
            operator_id=operator_id, service_type=service_type.value, limit=_RECENT
        )
        tls = next((e.tls for e in recent if e.tls and e.tls.server_not_after), None)
        if tls is None or tls.server_not_after is None:
            continue
        not_after = datetime.fromisoformat(tls.server_not_after)
        found.append(
            PresentedCertificate(
                label=f"{service_type.value}: presented by your endpoint",
                subject=tls.server_subject or "",
                sha256=tls.server_sha256,
                not_after=not_after,
                expiry=ExpiryView(expiry_of(not_after, now), "Your server certificate"),
            )
        )
    return found


def _user_certificate_warning(
    revision: SettingsRevision, certificates: Sequence[UploadedCertificate], now: datetime
) -> str | None:
    settings = revision.settings
    if settings.server_certification is not ServerCertification.USER:
        return None
    if not settings.online_request:
        return None  # the hub never calls an offline service type
    return user_certificate_problem(settings, certificates, now)


def _order(service_type: ServiceType) -> int:
    return list(ServiceType).index(service_type)


def _notice(request: web.Request) -> str | None:
    uploaded, deleted = request.query.get("uploaded", ""), request.query.get("deleted", "")
    count = whole_number(uploaded)
    if count is not None:
        return f"Uploaded {count} certificate{'s' if count != 1 else ''}."
    if whole_number(deleted) is not None:
        return f"Deleted certificate {deleted}."
    return None


def _hub(request: web.Request) -> Hub:
    return request.config_dict[HUB_KEY]


async def _operator(request: web.Request) -> Operator:
    return await _hub(request).operator(request.match_info["operator_id"])
