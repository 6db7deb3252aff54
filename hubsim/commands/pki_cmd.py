"""``hubsim pki init`` and ``hubsim pki renew``: write the mock Hubject PKI, renew parts of it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hubsim.errors import CLIError
from mockpki import MockHubjectPKI, PKIFiles, RenewalTarget, expiry_after, renew_pki_dir
from mockpki.inspect import describe_certificate
from simulator.hub import operator_issues
from simulator.model import Operator

_EXPIRES_HELP = (
    "make the {what} expire after this long: a whole number with m, h or d (45m, 12h, 30d); "
    "default: two years"
)


def register(sub: Any) -> None:
    pki = sub.add_parser("pki", help="the test PKI (a mock Hubject CA)")
    pki_sub = pki.add_subparsers(dest="pki_command", required=True, metavar="ACTION")
    init = pki_sub.add_parser("init", help="write the mock Hubject CA and every certificate")
    init.add_argument("--dir", required=True, help="folder to write the PEM files to")
    init.add_argument(
        "--host",
        action="append",
        help="host name the server certificates cover; repeat it for more names, the first "
        "being the CN (default localhost)",
    )
    init.add_argument(
        "--operator", default="DE*ABC", help="OperatorID of the CPO client certificate"
    )
    init.add_argument("--expires-in", help=_EXPIRES_HELP.format(what="leaf certificates"))
    init.add_argument(
        "--force",
        action="store_true",
        help="replace a PKI already in the folder (every certificate issued from it stops working)",
    )
    init.add_argument(
        "--if-absent",
        action="store_true",
        help="keep a complete PKI already in the folder and exit 0 (for a container's start)",
    )
    init.set_defaults(func=run_init)
    renew = pki_sub.add_parser(
        "renew",
        help="renew one certificate (or rotate the intermediate), keeping the previous files",
    )
    renew.add_argument(
        "target",
        choices=[t.value for t in RenewalTarget],
        help="hub-client: the hub's service certificate; intermediate: a new intermediate "
        "under the same root, re-issuing its leaves; cpo-server, cpo-user-server, hub-server",
    )
    renew.add_argument("--dir", required=True, help="folder written by 'hubsim pki init'")
    renew.add_argument("--expires-in", help=_EXPIRES_HELP.format(what="renewed certificates"))
    renew.set_defaults(func=run_renew)


def run_init(args: argparse.Namespace) -> int:
    if args.force and args.if_absent:  # force won, and replaced the PKI a user meant to keep
        raise CLIError(
            "give either --force (replace the PKI in --dir) or --if-absent (keep it), not both"
        )
    issues = operator_issues(Operator(args.operator))
    if issues:  # the rule the admin API applies to an OperatorID
        raise CLIError(f"--operator {args.operator!r}: {issues[0].message}")
    if Path(args.dir).exists() and not Path(args.dir).is_dir():
        raise CLIError(f"--dir {args.dir} is a file; give a folder (made if it does not exist)")
    target = PKIFiles(Path(args.dir))
    hosts = args.host or ["localhost"]
    if args.if_absent and target.exists():
        print(f"kept the mock Hubject PKI already in {target.directory}")
        return 0
    present = [path.name for path in target.all_paths() if path.exists()]
    if present and not args.force:
        raise CLIError(
            f"{target.directory} already holds a mock PKI ({', '.join(present[:3])}"
            f"{' ...' if len(present) > 3 else ''}); a new CA there would break every "
            "certificate issued from the old one (uploads, a hub database kept with it): "
            "keep it, pick another --dir, or pass --force to replace it"
        )
    not_after = expiry_after(args.expires_in)
    authority = MockHubjectPKI.create(
        hosts[0], args.operator, leaf_not_after=not_after, extra_hosts=hosts[1:]
    )
    files = authority.write(target.directory)
    print(f"wrote the mock Hubject PKI for {', '.join(hosts)} to {files.directory}:")
    for path in sorted(files.directory.glob("*.pem")) + sorted(files.directory.glob("*.key")):
        print(f"  {path.name}")
    if not_after is not None:
        print(f"leaf certificates expire on {not_after:%Y-%m-%d %H:%M} UTC")
    return 0


def run_renew(args: argparse.Namespace) -> int:
    target = RenewalTarget(args.target)
    renewal = renew_pki_dir(Path(args.dir), target, not_after=expiry_after(args.expires_in))
    print(f"renewed {target.value} in {renewal.files.directory}:")
    for new, previous in renewal.replaced:
        print(f"  {new.name} (previous: {previous.name}){_facts(new)}")
    if target is RenewalTarget.INTERMEDIATE:
        print(f"  the old intermediate alone: {renewal.files.previous_intermediate_cert.name}")
    return 0


def _facts(path: Path) -> str:
    if path.suffix != ".pem" or path.name == "hubject-ca.pem":
        return ""
    from mockpki.inspect import load_pem_chain

    info = describe_certificate(load_pem_chain(path.read_bytes())[0])
    return f": serial {info.serial_number}, expires {info.not_after:%Y-%m-%d %H:%M} UTC"
