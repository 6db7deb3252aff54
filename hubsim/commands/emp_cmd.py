"""``hubsim emp``: configure the hub's simulated EMPs and make one send through the hub.

All actions talk to a running hub's admin API (``--hub``). The sends go from the hub's
simulated EMP to the hub's own OICP listener over mutual TLS, exactly as an EMP backend's
would, so the hub's checks (017, 300, 210, 603, 604 …) and the forwarding to the CPO apply.

    hubsim emp add DE-ICE --uid 7568290FFF765F --broadcast
    hubsim emp contract DE-ICE --with "DE*ABC" --with "DE*ABC:reservation"
    hubsim emp remote-start DE-ICE --evse "DE*ABC*E0001"
    hubsim emp remote-stop DE-ICE --evse "DE*ABC*E0001" --session-id 3f0c…
    hubsim emp sessions
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from typing import Any

from hubsim.errors import CLIError
from hubsim.hub_client import call_hub
from oicp import Operation
from oicp.status import describe

_SENDS = {op.slug: op for op in Operation}


def register(sub: Any) -> None:
    emp = sub.add_parser("emp", help="simulated EMPs: configure them, send through the hub")
    actions = emp.add_subparsers(dest="emp_command", required=True, metavar="ACTION")
    _add(actions)
    listing = actions.add_parser("list", help="list the configured EMPs")
    _common(listing)
    listing.set_defaults(func=run_list)
    _contract(actions)
    for slug in _SENDS:
        _send(actions, slug)
    sessions = actions.add_parser("sessions", help="list sessions, or show one's timeline")
    sessions.add_argument("--session-id", help="show this session with its timeline")
    _common(sessions)
    sessions.set_defaults(func=run_sessions)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hub", default="http://127.0.0.1:8080", help="admin API URL of the hub")
    parser.add_argument(
        "--admin-token",
        default=os.environ.get("HUBSIM_ADMIN_TOKEN"),
        help="the hub's admin token, if it has one (or HUBSIM_ADMIN_TOKEN)",
    )
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")


def _add(actions: Any) -> None:
    add = actions.add_parser("add", help="create or replace an EMP")
    add.add_argument("provider_id", metavar="PROVIDER_ID", help="ProviderID, e.g. DE-ICE")
    add.add_argument("--name", default="", help="display name")
    add.add_argument(
        "--offline", action="store_true", help="its authentication data is uploaded to the hub"
    )
    add.add_argument("--no-online", action="store_true", help="untick Online Request")
    add.add_argument("--broadcast", action="store_true", help="tick Broadcast Request")
    add.add_argument("--unreachable", action="store_true", help="it answers nothing")
    add.add_argument("--uid", action="append", default=[], help="an RFID card UID it knows")
    add.add_argument("--evco", action="append", default=[], help="an EvcoID it knows (remote)")
    add.add_argument("--qr", action="append", default=[], help="EVCOID:PIN of a QR code")
    add.add_argument("--pnc", action="append", default=[], help="a Plug&Charge EvcoID")
    _common(add)
    add.set_defaults(func=run_add)


def _contract(actions: Any) -> None:
    contract = actions.add_parser("contract", help="replace an EMP's contracts with CPOs")
    contract.add_argument("provider_id", metavar="PROVIDER_ID")
    contract.add_argument(
        "--with",
        dest="contracts",
        action="append",
        default=[],
        metavar="OPERATOR[:SERVICE]",
        help="a contract with a CPO; SERVICE is authorization (default) or reservation",
    )
    _common(contract)
    contract.set_defaults(func=run_contract)


def _send(actions: Any, slug: str) -> None:
    send = actions.add_parser(slug, help=f"make the EMP send a {slug.replace('-', ' ')}")
    operation = _SENDS[slug]
    send.add_argument("provider_id", metavar="PROVIDER_ID")
    send.add_argument("--evse", required=True, help="EvseID, e.g. DE*ABC*E0001")
    if operation.is_start:
        send.add_argument("--evco", help="EvcoID of the RemoteIdentification")
    else:
        send.add_argument("--session-id", help="SessionID of the session to stop")
    if operation is Operation.AUTHORIZE_REMOTE_RESERVATION_START:
        send.add_argument("--duration", type=int, help="reservation Duration in minutes (1-99)")
    send.add_argument("--emp-session-id", help="EMPPartnerSessionID")
    _common(send)
    send.set_defaults(func=run_send, operation=slug)


def identifications(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The OICP Identification objects the flags name."""
    found: list[dict[str, Any]] = [
        {"RFIDMifareFamilyIdentification": {"UID": uid.upper()}} for uid in args.uid
    ]
    found += [{"RemoteIdentification": {"EvcoID": evco}} for evco in args.evco]
    found += [{"PlugAndChargeIdentification": {"EvcoID": evco}} for evco in args.pnc]
    for qr in args.qr:
        evco, sep, pin = qr.partition(":")
        if not sep:
            raise CLIError(f"--qr {qr!r}: give EVCOID:PIN, e.g. DE-ICE-C12345678-X:1234")
        found.append({"QRCodeIdentification": {"EvcoID": evco, "PIN": pin}})
    return found


async def _call(
    args: argparse.Namespace,
    method: str,
    path: str,
    body: object = None,
    options: Mapping[str, str] | None = None,
) -> Any:
    return await call_hub(
        args.hub, method, path, body, admin_token=args.admin_token, options=options
    )


# The options of the EMP sends, by the field of the admin API each one fills.
_SEND_OPTIONS = {
    "evse_id": "--evse",
    "evco_id": "--evco",
    "session_id": "--session-id",
    "duration": "--duration",
    "emp_partner_session_id": "--emp-session-id",
}


def _print(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)


async def run_add(args: argparse.Namespace) -> int:
    body = {
        "provider_id": args.provider_id,
        "name": args.name,
        "offline_authorization": args.offline,
        "online_request": not args.no_online,
        "broadcast_request": args.broadcast,
        "reachable": not args.unreachable,
        "authentication_data": identifications(args),
    }
    data = await _call(args, "POST", "/api/emps", body)
    count = len(data["authentication_data"])
    _print(args, data, f"EMP {data['provider_id']} saved ({count} identification(s))")
    return 0


async def run_list(args: argparse.Namespace) -> int:
    data = await _call(args, "GET", "/api/emps")
    lines = [
        f"{e['provider_id']}  online={e['online_request']} broadcast={e['broadcast_request']} "
        f"offline={e['offline_authorization']} reachable={e['reachable']}"
        for e in data["emps"]
    ]
    _print(args, data, "\n".join(lines) or "no EMPs configured")
    return 0


async def run_contract(args: argparse.Namespace) -> int:
    contracts = []
    for text in args.contracts:
        operator_id, _, service = text.partition(":")
        contracts.append({"operator_id": operator_id, "service_type": service or "authorization"})
    path = f"/api/emps/{args.provider_id}/contracts"
    options = {
        f"contracts[{index}].{field}": f"--with {text!r}"
        for index, text in enumerate(args.contracts)
        for field in ("operator_id", "service_type")
    }
    data = await _call(args, "PUT", path, {"contracts": contracts}, options)
    lines = [
        f"{c['provider_id']} -> {c['operator_id']} ({c['service_type']})" for c in data["contracts"]
    ]
    _print(args, data, "\n".join(lines) or f"{args.provider_id} has no contracts")
    return 0


async def run_send(args: argparse.Namespace) -> int:
    fields = {
        "evse_id": args.evse,
        "evco_id": getattr(args, "evco", None),  # each send has only the options it uses
        "session_id": getattr(args, "session_id", None),
        "duration": getattr(args, "duration", None),
        "emp_partner_session_id": args.emp_session_id,
    }
    body = {k: v for k, v in fields.items() if v is not None}
    path = f"/api/emps/{args.provider_id}/send/{args.operation}"
    data = await _call(args, "POST", path, body, _SEND_OPTIONS)
    answer = data.get("response_body")
    _print(args, data, _answer_line(data["http_status"], answer, data.get("response_text")))
    return 0 if isinstance(answer, dict) and answer.get("Result") is True else 1


def _answer_line(status: int, answer: object, text: str | None) -> str:
    if not isinstance(answer, dict) or not isinstance(answer.get("StatusCode"), dict):
        return f"HTTP {status}: {(text or '').strip()[:300]}"
    code = answer["StatusCode"]
    result = answer.get("Result")
    # Description is optional in OICP: without one, the spec's words for the code (as the
    # portal shows them), not Python's "None".
    meaning = code.get("Description") or describe(str(code.get("Code"))) or ""
    line = f"HTTP {status} Result {str(result).lower()} {code.get('Code')} {meaning}".rstrip()
    if code.get("AdditionalInfo"):
        line += f" ({code['AdditionalInfo']})"
    if answer.get("SessionID"):
        line += f"\nSessionID {answer['SessionID']}"
    return line


async def run_sessions(args: argparse.Namespace) -> int:
    if args.session_id is not None and not args.session_id.strip():
        raise CLIError("--session-id is empty: give a SessionID, or leave it out to list all")
    if args.session_id:
        data = await _call(args, "GET", f"/api/sessions/{args.session_id}")
        lines = [
            f"{e['at']}  {e['label']:<24} {e['direction']:<16} "
            f"{'' if e['result'] is None else e['result']} {e['status_code'] or ''}"
            for e in data["timeline"]
        ]
        session = data["session"]
        head = (
            f"{session['session_id']} {session['kind']} {session['state']} "
            f"EvseID={session['evse_id']}"
        )
        _print(args, data, "\n".join([head, *lines]))
        return 0
    data = await _call(args, "GET", "/api/sessions")
    lines = [
        f"{s['session_id']}  {s['kind']:<13} {s['state']:<9} {s['provider_id']} -> "
        f"{s['operator_id']} {s['evse_id'] or ''}"
        for s in data["sessions"]
    ]
    _print(args, data, "\n".join(lines) or "no sessions yet")
    return 0
