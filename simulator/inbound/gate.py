"""The front door: NGINX's 400 pages for client certificates, and the 017 identity check.

Hubject's NGINX lets every TLS handshake complete and then answers (certificates digest
§2.7, from NGINX's ``ngx_http_request.c``):

- no client certificate: ``400 Bad Request`` "No required SSL certificate was sent";
- a certificate that does not verify against the Hubject chain (foreign CA, self-signed,
  expired …): ``400 Bad Request`` "The SSL Certificate Error", worded as Hubject's support
  article quotes it ("Error 400 - Bad Request: The SSL Certificate Error"); NGINX's own page
  writes "certificate error" in lower case.

Behind the door, every request's OperatorID or ProviderID must match the certificate, or the
answer is 017 "Unauthorized Access" (OICP 2.3, 01_CPO_Communication_Paradigms, Security).
Mock convention: the certificate stands for the IDs in its subject's CN and OU.
"""

from __future__ import annotations

import logging

from aiohttp import web

from httpguard import page_400
from simulator.inbound.replies import Handler, unauthorized
from simulator.inbound.tls_transport import CLIENT_CERTIFICATE, ClientCertificate

logger = logging.getLogger("simulator.inbound")

NO_CERTIFICATE = "No required SSL certificate was sent"
CERTIFICATE_ERROR = "The SSL Certificate Error"
DETAIL_HEADER = "X-Hubsim-Detail"
"""A header the mock adds to its 400 pages (NGINX sends none): why the certificate failed."""


def client_certificate(request: web.Request) -> ClientCertificate:
    """What the TLS front learned about this connection's client certificate."""
    transport = request.transport
    found = transport.get_extra_info(CLIENT_CERTIFICATE) if transport else None
    return found if isinstance(found, ClientCertificate) else ClientCertificate(None, ())


def nginx_400(reason: str, detail: str) -> web.Response:
    """NGINX's 400 page for ``reason``, plus the mock's one-line diagnosis in a header."""
    return web.Response(
        status=400,
        text=page_400(reason),
        content_type="text/html",
        headers={DETAIL_HEADER: detail, "Connection": "close"},
    )


@web.middleware
async def certificate_gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer a missing or untrusted client certificate before any OICP handling."""
    client = client_certificate(request)
    if not client.presented:
        detail = "no client certificate: present the one the mock Hubject CA issued to you"
        logger.info("%s %s: %s", request.method, request.path, detail)
        return nginx_400(NO_CERTIFICATE, detail)
    if not client.verified:
        errors = "; ".join(str(e) for e in client.verify_errors)
        info = client.info()
        subject = info.subject if info else "?"
        detail = (
            f"client certificate {subject} does not verify against the mock Hubject CA: {errors}"
        )
        logger.info("%s %s: %s", request.method, request.path, detail)
        return nginx_400(CERTIFICATE_ERROR, detail)
    return await handler(request)


def check_identity(request: web.Request, claimed: object, where: str) -> None:
    """Raise 017 (HTTP 401) unless ``claimed`` is an ID the client certificate stands for.

    ``where`` names the place of the ID in the request ("ProviderID in the path").
    """
    ids = client_certificate(request).partner_ids()
    if isinstance(claimed, str) and claimed in ids:
        return
    shown = ", ".join(sorted(ids)) or "none"
    raise unauthorized(
        f"{where} is {claimed!r} but the client certificate stands for {shown} (its CN/OU); "
        "send the ID your certificate was issued for, or use that partner's certificate"
    )
