"""``hubsim hub serve``: run the mock hub with its admin API."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

from hubsim.commands.limits_args import add_limit_arguments, limits_from
from hubsim.commands.options import port_number
from hubsim.errors import CLIError, user_error_message
from simulator.app import HubOptions, running_hub, serve_forever, start_problems
from simulator.config import ConfigError, read_config
from simulator.hub import Hub
from simulator.inbound.service import Inbound
from simulator.seed import seed_from_config
from simulator.sender import DEFAULT_CONNECTION_LIMIT, DEFAULT_MAX_ANSWER_BYTES


def register(sub: Any) -> None:
    hub = sub.add_parser("hub", help="the mock hub")
    hub_sub = hub.add_subparsers(dest="hub_command", required=True, metavar="ACTION")
    serve = hub_sub.add_parser("serve", help="run the hub and its admin API")
    serve.add_argument("--config", help="YAML file with operators, certificates and settings")
    serve.add_argument(
        "--pki", help="folder written by 'hubsim pki init' (or pki_dir in the config)"
    )
    serve.add_argument("--db", help="SQLite file (default: in memory; or database in the config)")
    serve.add_argument("--host", help="admin API address (default 127.0.0.1)")
    serve.add_argument("--port", type=port_number, help="admin API port (default 8080)")
    serve.add_argument(
        "--max-exchanges", type=_positive, help="how many exchanges the log keeps (default 10000)"
    )
    serve.add_argument(
        "--oicp-port",
        type=port_number,
        help="port of the OICP listener for CPOs and EMPs (mutual TLS; or oicp_port in the "
        "config; default: no listener)",
    )
    serve.add_argument("--oicp-host", help="address of the OICP listener (default 127.0.0.1)")
    serve.add_argument(
        "--admin-token",
        default=os.environ.get("HUBSIM_ADMIN_TOKEN"),
        help="required when listening on a non-loopback address (or HUBSIM_ADMIN_TOKEN)",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a Host name the admin port answers besides the loopback names and its own "
        "address (repeat for more; or allowed_hosts in the config)",
    )
    add_limit_arguments(serve)
    serve.add_argument(
        "--connection-limit",
        type=_positive,
        help="how many requests to CPOs may be in flight at once (or connection_limit in the "
        f"config; default {DEFAULT_CONNECTION_LIMIT}); a request that finds no free slot within "
        "its timeout ends as connection_limit, the CPO never asked",
    )
    serve.add_argument(
        "--max-answer-bytes",
        type=_positive,
        help="the largest CPO answer body the hub reads (or max_answer_bytes in the config; "
        f"default {DEFAULT_MAX_ANSWER_BYTES}); a larger one ends as answer_too_large",
    )
    serve.set_defaults(func=run_serve, prints_report=False)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is too small: give 1 or more")
    return value


def _flag_problems(args: argparse.Namespace) -> list[str]:
    """What is wrong with the command line alone, whatever the config file holds."""
    try:
        _refuse_empty_texts(args)
    except CLIError as err:
        return [str(err)]
    flags = HubOptions(
        pki_dir=Path(args.pki or "."),
        host=args.host or "127.0.0.1",
        port=args.port if args.port is not None else 8080,
        admin_token=args.admin_token,
        oicp_port=args.oicp_port,
    )
    return [problem for problem in start_problems(flags) if "not loopback" not in problem]


def _refuse_empty_texts(args: argparse.Namespace) -> None:
    """An empty value would otherwise read as the option left out (no token at all)."""
    if args.admin_token is not None and not args.admin_token.strip():
        raise CLIError(
            "the admin token (--admin-token or HUBSIM_ADMIN_TOKEN) is empty: give one of at "
            "least 16 characters, or leave it out on a loopback address"
        )
    if any(not host.strip() for host in args.allowed_host):
        raise CLIError("--allowed-host is empty: give a host name, e.g. --allowed-host hub.example")


def options_from(args: argparse.Namespace, config: dict[str, Any], base: Path) -> HubOptions:
    """Command-line flags win over the config file, which wins over defaults."""
    _refuse_empty_texts(args)
    pki = args.pki or config.get("pki_dir")
    if not pki:
        raise CLIError(
            "no PKI folder: pass --pki DIR (written by 'hubsim pki init') or set pki_dir"
        )
    pki_dir = Path(pki) if args.pki else base / str(pki)
    database = args.db or (
        str(base / str(config["database"])) if config.get("database") else ":memory:"
    )
    return HubOptions(
        pki_dir=pki_dir,
        database=database,
        host=args.host or str(config.get("host", "127.0.0.1")),
        port=args.port if args.port is not None else int(config.get("port", 8080)),
        admin_token=args.admin_token or config.get("admin_token"),
        max_exchanges=_setting(args.max_exchanges, config, "max_exchanges", 10000),
        oicp_port=_oicp_port(args, config),
        oicp_host=args.oicp_host or str(config.get("oicp_host", "127.0.0.1")),
        allowed_hosts=tuple(args.allowed_host) + _config_hosts(config),
        limits=limits_from(args, config),
        connection_limit=_setting(
            args.connection_limit, config, "connection_limit", DEFAULT_CONNECTION_LIMIT
        ),
        max_answer_bytes=_setting(
            args.max_answer_bytes, config, "max_answer_bytes", DEFAULT_MAX_ANSWER_BYTES
        ),
    )


def _config_hosts(config: dict[str, Any]) -> tuple[str, ...]:
    hosts = config.get("allowed_hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise CLIError("'allowed_hosts' in the config must be a list of host names")
    return tuple(hosts)


def _setting(flag: int | None, config: dict[str, Any], key: str, default: int) -> int:
    if flag is not None:
        return flag
    value = config.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise CLIError(f"{key} in the config is {value!r}; give a whole number of 1 or more")
    return value


def _oicp_port(args: argparse.Namespace, config: dict[str, Any]) -> int | None:
    port = args.oicp_port if args.oicp_port is not None else config.get("oicp_port")
    return None if port is None else int(port)


async def run_serve(args: argparse.Namespace) -> int:
    config_path = Path(args.config) if args.config else None
    try:
        loaded = read_config(config_path) if config_path else None
    except ConfigError as err:  # say what is wrong with the flags too, in the same run
        raise CLIError("\n".join([str(err), *_flag_problems(args)])) from None
    config = loaded.data if loaded else {}
    base = config_path.parent if config_path else Path.cwd()
    options = options_from(args, config, base)

    async def prepare(hub: Hub, inbound: Inbound) -> None:
        if config_path is not None and loaded is not None:  # both or neither
            lines = await seed_from_config(
                hub, inbound.partners, loaded, config_path, options.database
            )
            for line in lines:
                print(line, flush=True)

    async with running_hub(options, prepare) as running:
        print(
            f"hub admin API listening on {running.url} (database: {options.database})", flush=True
        )
        print(f"HBS portal on {running.portal_url}", flush=True)
        if running.oicp_url:
            print(f"OICP endpoints (mutual TLS) on {running.oicp_url}", flush=True)
        sys.stdout.flush()
        _reload_on_sighup(running.hub)
        await serve_forever()
    return 0


def _reload_on_sighup(hub: Hub) -> None:
    """SIGHUP makes the hub read its PKI folder again, like POST /api/hub/certificate/reload."""
    loop = asyncio.get_running_loop()
    pending: set[asyncio.Task[None]] = set()

    def start_reload() -> None:
        task = loop.create_task(_reload(hub))
        pending.add(task)
        task.add_done_callback(pending.discard)

    loop.add_signal_handler(signal.SIGHUP, start_reload)


async def _reload(hub: Hub) -> None:
    try:
        identity = await hub.reload_certificates()
    except Exception as exc:  # the hub keeps running with what it had; say why
        print(f"hubsim: error: reload refused: {user_error_message(exc)}", file=sys.stderr)
        return
    info = identity.certificate
    facts = (
        f"serial {info.serial_number}, expires {info.not_after:%Y-%m-%d %H:%M} UTC" if info else ""
    )
    print(f"reloaded the hub's service certificate from {identity.pki_dir}: {facts}", flush=True)
