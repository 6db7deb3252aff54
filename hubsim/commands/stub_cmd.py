"""``hubsim stub serve``: run the configurable, recording CPO backend."""

from __future__ import annotations

import argparse
import ssl
from pathlib import Path
from typing import Any

from cpo_stub.backend import BackendConfig
from cpo_stub.recording import MAX_RECORDS
from cpo_stub.server import run_stub
from hubsim.commands.limits_args import add_limit_arguments, limits_from
from hubsim.commands.options import port_number
from hubsim.errors import CLIError


def register(sub: Any) -> None:
    stub = sub.add_parser("stub", help="the CPO stub backend")
    stub_sub = stub.add_subparsers(dest="stub_command", required=True, metavar="ACTION")
    serve = stub_sub.add_parser("serve", help="run the CPO stub over mutual TLS")
    serve.add_argument("--pki", required=True, help="folder written by 'hubsim pki init'")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=port_number, default=8443, help="HTTPS port (default 8443)")
    serve.add_argument(
        "--user-cert",
        action="store_true",
        help="present the self-signed cpo-user-server.pem instead of cpo-server.pem",
    )
    serve.add_argument(
        "--server-cert",
        help="serve this certificate file (leaf first, then any intermediates) instead of "
        "the PKI's; needs --server-key",
    )
    serve.add_argument("--server-key", help="the key of --server-cert")
    serve.add_argument(
        "--client-ca",
        help="trust these certificates for client certificates instead of hubject-ca.pem; "
        "each one is an anchor on its own (an intermediate alone, or one pinned leaf)",
    )
    serve.add_argument(
        "--control-port", type=port_number, help="plain-HTTP control API port on 127.0.0.1"
    )
    serve.add_argument(
        "--hub-url",
        help="act as a real backend: after an accepted remote start send ChargingNotifications "
        "Start and Progress, after a stop End and a CDR, to the hub's OICP port at this URL",
    )
    serve.add_argument(
        "--max-records",
        type=int,
        default=MAX_RECORDS,
        help=f"requests and failed handshakes the stub keeps, each (default {MAX_RECORDS}); "
        "older ones are dropped and counted",
    )
    add_limit_arguments(serve)
    serve.set_defaults(func=run, prints_report=False)


def _server_pair(args: argparse.Namespace) -> tuple[Path, Path] | None:
    if (args.server_cert is None) != (args.server_key is None):
        given, missing = (
            ("--server-cert", "--server-key")
            if args.server_key is None
            else ("--server-key", "--server-cert")
        )
        raise CLIError(f"{given} needs {missing}: pass the certificate and its key together")
    if args.server_cert is None:
        return None
    return Path(args.server_cert), Path(args.server_key)


def _tls_files(args: argparse.Namespace) -> None:
    """Each certificate file given is one the stub can read, named by its option: a missing
    one read "No such file or directory", an unreadable one OpenSSL's own words."""
    for option, value in (
        ("--server-cert", args.server_cert),
        ("--server-key", args.server_key),
        ("--client-ca", args.client_ca),
    ):
        if value is not None and not Path(value).is_file():
            raise CLIError(f"{option} {value}: no such file; give the path of a PEM file")
    if args.client_ca is not None:
        try:
            ssl.create_default_context().load_verify_locations(cafile=args.client_ca)
        except (ssl.SSLError, ValueError, UnicodeDecodeError):
            raise CLIError(
                f"--client-ca {args.client_ca}: no certificate in it; give the PEM file of the "
                "CA (or the certificates) that client certificates must chain to"
            ) from None
    if args.server_cert is not None:
        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
                args.server_cert, args.server_key
            )
        except (ssl.SSLError, ValueError):
            raise CLIError(
                f"--server-cert {args.server_cert} with --server-key {args.server_key}: "
                "cannot be loaded; give a PEM certificate (leaf first) and the PEM key that "
                "belongs to it"
            ) from None


async def run(args: argparse.Namespace) -> int:
    pki = Path(args.pki)
    server_pair = _server_pair(args)
    _tls_files(args)
    backend = BackendConfig.from_pki_dir(pki, args.hub_url) if args.hub_url else None
    if args.max_records < 1:
        raise CLIError(f"--max-records must be at least 1, not {args.max_records}")
    await run_stub(
        pki,
        host=args.host,
        port=args.port,
        user_cert=args.user_cert,
        control_port=args.control_port,
        backend=backend,
        server_pair=server_pair,
        client_ca=Path(args.client_ca) if args.client_ca else None,
        limits=limits_from(args),
        max_records=args.max_records,
    )
    return 0
