"""``hubsim send``: send one remote start/stop or reservation start/stop to a CPO.

Through a running hub (``--operator``, using the saved settings), or one-shot with
``--url --server-cert --pki``. Exit 0 only when the CPO acknowledged with Result true.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from hubsim.commands.options import DEFAULT_HUB, hub_of, one_target
from hubsim.errors import CLIError
from hubsim.hub_client import call_hub
from hubsim.report import print_exchange
from oicp import Operation
from simulator.model import WireProfile
from simulator.oneshot import ServerCertChoice, send_one_shot
from simulator.requests import RequestRefused, SendParams

_JSON_FIELDS = (
    "ok",
    "outcome",
    "result",
    "status_code",
    "session_id",
    "http_status",
    "elapsed_ms",
    "detail",
)


def register(sub: Any) -> None:
    send = sub.add_parser("send", help="send one OICP request to a CPO backend")
    send.add_argument(
        "operation",
        choices=[op.slug for op in Operation if op.slug],
        metavar="OPERATION",
        help="remote-start, remote-stop, reservation-start or reservation-stop",
    )
    via = send.add_argument_group("through a running hub")
    via.add_argument("--hub", help=f"admin API URL of the hub (default {DEFAULT_HUB})")
    via.add_argument("--operator", help="OperatorID whose saved settings to use")
    via.add_argument(
        "--admin-token",
        help="the hub's admin token, if it has one (or HUBSIM_ADMIN_TOKEN)",
    )
    direct = send.add_argument_group("one-shot, no hub")
    direct.add_argument("--url", help="Service URL of the backend (the OICP path is appended)")
    direct.add_argument("--server-cert", help="'hubject' or 'user:FILE'")
    direct.add_argument("--pki", help="folder written by 'hubsim pki init'")
    direct.add_argument(
        "--timeout", type=float, default=10.0, help="seconds (default 10, at most 60)"
    )
    body = send.add_argument_group("request")
    body.add_argument("--provider", required=True, help="ProviderID of the EMP, e.g. DE*ICE")
    body.add_argument("--evse", required=True, help="EvseID, e.g. DE*ABC*E0001")
    body.add_argument("--evco", help="EvcoID for the RemoteIdentification")
    body.add_argument("--session-id", help="SessionID (required for the stops)")
    body.add_argument(
        "--cpo-partner-session-id",
        help="CPOPartnerSessionID, e.g. the one the CPO returned for the start, echoed in the stop",
    )
    body.add_argument("--emp-partner-session-id", help="EMPPartnerSessionID")
    body.add_argument("--duration", type=int, help="reservation Duration in minutes (1-99)")
    send.add_argument(
        "--wire",
        choices=[p.value for p in WireProfile],
        help="wire profile for this call: hbs (the real hub's shape) or strict (the official "
        "schema's); default: the operator's profile, or hbs one-shot",
    )
    send.add_argument("--json", action="store_true", help="print one JSON object")
    send.set_defaults(func=run_send)


def params_from(args: argparse.Namespace) -> SendParams:
    return SendParams(
        evse_id=args.evse,
        provider_id=args.provider,
        evco_id=args.evco,
        session_id=args.session_id,
        cpo_partner_session_id=args.cpo_partner_session_id,
        emp_partner_session_id=args.emp_partner_session_id,
        duration=args.duration,
    )


async def run_send(args: argparse.Namespace) -> int:
    operation = Operation.from_slug(args.operation)
    one_target(args)
    if args.url:
        exchange = await _one_shot(args, operation)
    elif args.operator:
        exchange = await _through_hub(args, operation)
    else:
        raise CLIError(
            "say where to send: --operator ID (through a running hub) "
            "or --url URL --server-cert hubject|user:FILE --pki DIR (one-shot)"
        )
    if args.json:
        print(json.dumps({k: exchange[k] for k in _JSON_FIELDS} | {"exchange": exchange}))
    else:
        print_exchange(exchange)
    return 0 if exchange.get("result") is True and exchange.get("ok") else 1


async def _one_shot(args: argparse.Namespace, operation: Operation) -> dict[str, Any]:
    if not args.server_cert or not args.pki:
        raise CLIError(
            "one-shot sending needs --server-cert hubject|user:FILE and --pki DIR with --url"
        )
    if not 0 < args.timeout <= 60:
        raise CLIError(
            f"--timeout {args.timeout:g} is out of range: give more than 0 and at most 60 seconds"
        )
    try:
        exchange = await send_one_shot(
            args.url,
            ServerCertChoice.parse(args.server_cert),
            Path(args.pki),
            operation,
            params_from(args),
            timeout_s=args.timeout,
            profile=WireProfile(args.wire or WireProfile.HBS.value),
        )
    except RequestRefused as refused:
        raise CLIError(_in_option_terms(refused)) from None
    return exchange.to_json()


# The option of each field of SendParams (params_from), for the builder's refusals, here
# or at the hub's admin API.
_OPTIONS = {
    "evse_id": "--evse",
    "provider_id": "--provider",
    "evco_id": "--evco",
    "session_id": "--session-id",
    "cpo_partner_session_id": "--cpo-partner-session-id",
    "emp_partner_session_id": "--emp-partner-session-id",
    "duration": "--duration",
}


def _in_option_terms(refused: RequestRefused) -> str:
    """The hub's request builder names SendParams' fields; the user typed options."""
    return "; ".join(f"{_OPTIONS.get(i.field, i.field)}: {i.message}" for i in refused.issues)


async def _through_hub(args: argparse.Namespace, operation: Operation) -> dict[str, Any]:
    params = {k: v for k, v in vars(params_from(args)).items() if v is not None}
    if args.wire:
        params["wire_profile"] = args.wire
    path = f"/api/operators/{args.operator}/send/{operation.slug}"
    hub, token = hub_of(args)
    data: dict[str, Any] = await call_hub(
        hub, "POST", path, params, admin_token=token, options=_OPTIONS
    )
    return data
