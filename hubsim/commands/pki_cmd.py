"""``hubsim pki init``: write the mock Hubject PKI to a folder."""

from __future__ import annotations

import argparse
from typing import Any

from mockpki import MockHubjectPKI


def register(sub: Any) -> None:
    pki = sub.add_parser("pki", help="the test PKI (a mock Hubject CA)")
    pki_sub = pki.add_subparsers(dest="pki_command", required=True, metavar="ACTION")
    init = pki_sub.add_parser("init", help="write the mock Hubject CA and every certificate")
    init.add_argument("--dir", required=True, help="folder to write the PEM files to")
    init.add_argument("--host", default="localhost", help="host name of the server certificates")
    init.add_argument(
        "--operator", default="DE*ABC", help="OperatorID of the CPO client certificate"
    )
    init.set_defaults(func=run_init)


def run_init(args: argparse.Namespace) -> int:
    from pathlib import Path

    files = MockHubjectPKI.create(host=args.host, operator_id=args.operator).write(Path(args.dir))
    print(f"wrote the mock Hubject PKI for host {args.host} to {files.directory}:")
    for path in sorted(files.directory.glob("*.pem")) + sorted(files.directory.glob("*.key")):
        print(f"  {path.name}")
    return 0
