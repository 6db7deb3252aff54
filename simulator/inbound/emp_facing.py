"""The EMP-facing endpoints: remote start/stop and reservation start/stop.

An EMP posts them to Hubject on the same paths Hubject later appends to the CPO's Service URL
(OICP 2.3 EMP, 06_EMP_Code_Snippets; digest §1.3):

- ``/api/oicp/charging/v21/providers/{providerID}/authorize-remote/start`` and ``/stop``;
- ``/api/oicp/reservation/v11/providers/{providerID}/reservation-start-request`` and
  ``reservation-stop-request``.

Before the checks of :mod:`simulator.inbound.remote`: the ProviderID of the path and of the
body must be one the client certificate stands for (else 017, HTTP 401), the body must be
valid OICP (else HTTP 400 FaultBody), and the EMP must be known to the hub (else 300, HTTP
404, like Hubject's answer to an unknown partner ID).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from oicp.messages import (
    AuthorizeRemoteReservationStart,
    AuthorizeRemoteStart,
    RemoteRequest,
)
from oicp.operations import Operation
from oicp.paths import path_template
from simulator.inbound.bodies import BodyPreparer, checked_message
from simulator.inbound.gate import check_identity
from simulator.inbound.remote import RemoteControl
from simulator.inbound.replies import acknowledgement, partner_not_found, read_body
from simulator.partners.service import Partners

Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


def emp_path(operation: Operation) -> str:
    """The aiohttp route of ``operation`` on the hub (Hubject's documented paths)."""
    return path_template(operation).format(id="{provider_id}")


def add_emp_routes(
    app: web.Application, remote: RemoteControl, partners: Partners, bodies: BodyPreparer
) -> None:
    """Register the four EMP-facing operations on ``app``."""
    for operation in Operation:
        app.router.add_post(emp_path(operation), _handler(operation, remote, partners, bodies))


def _handler(
    operation: Operation, remote: RemoteControl, partners: Partners, bodies: BodyPreparer
) -> Route:
    async def handle(request: web.Request) -> web.StreamResponse:
        message = await _read(request, operation, bodies)
        if await partners.find_emp(message.provider_id) is None:
            raise partner_not_found(
                f"ProviderID {message.provider_id} is not a partner of the hub; "
                "configure the EMP first (POST /api/emps or 'hubsim emp add')"
            )
        if isinstance(message, AuthorizeRemoteStart | AuthorizeRemoteReservationStart):
            return acknowledgement(await remote.start(message))
        return acknowledgement(await remote.stop(message))

    return handle


async def _read(request: web.Request, operation: Operation, bodies: BodyPreparer) -> RemoteRequest:
    """Identity first (017), then the schema (400): Hubject checks the certificate first.

    A large body is decoded by a worker process (``bodies``)."""
    prepared = await bodies.prepare(operation, await read_body(request))

    def check_provider_ids(body_ids: tuple[object, ...]) -> None:
        check_identity(request, request.match_info["provider_id"], "the ProviderID in the path")
        for claimed in body_ids:
            check_identity(request, claimed, "the ProviderID in the body")

    message: RemoteRequest = checked_message(prepared, check_provider_ids)
    return message
