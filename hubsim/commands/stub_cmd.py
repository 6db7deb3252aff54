"""``hubsim stub serve``: run the configurable, recording CPO backend."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cpo_stub.backend import BackendConfig
from cpo_stub.server import run_stub


def register(sub: Any) -> None:
    stub = sub.add_parser("stub", help="the CPO stub backend")
    stub_sub = stub.add_subparsers(dest="stub_command", required=True, metavar="ACTION")
    serve = stub_sub.add_parser("serve", help="run the CPO stub over mutual TLS")
    serve.add_argument("--pki", required=True, help="folder written by 'hubsim pki init'")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=8443, help="HTTPS port (default 8443)")
    serve.add_argument(
        "--user-cert",
        action="store_true",
        help="present the self-signed cpo-user-server.pem instead of cpo-server.pem",
    )
    serve.add_argument("--control-port", type=int, help="plain-HTTP control API port on 127.0.0.1")
    serve.add_argument(
        "--hub-url",
        help="act as a real backend: after an accepted remote start send ChargingNotifications "
        "Start and Progress, after a stop End and a CDR, to the hub's OICP port at this URL",
    )
    serve.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    pki = Path(args.pki)
    backend = BackendConfig.from_pki_dir(pki, args.hub_url) if args.hub_url else None
    await run_stub(
        pki,
        host=args.host,
        port=args.port,
        user_cert=args.user_cert,
        control_port=args.control_port,
        backend=backend,
    )
    return 0
