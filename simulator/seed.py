"""The rule of ``hubsim hub serve --config``: the file seeds a new database, nothing more.

A database that holds no operator and no EMP is new: the file's operators, certificates,
settings, EMPs, contracts and sub-operators go into it. A database that holds any of them
was seeded before or edited in the portal and the API since; the file is not applied again,
so those edits stay, and the start says so. To start again from the file, delete the database
(or give ``--db`` a new file). An in-memory database is new on every start.

Before the real database is touched, the file is applied to a scratch in-memory database: a
file with a refused entry stores nothing, and the start fails naming the entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.config import ConfigFile, SettingWarning, apply_config
from simulator.hub import Hub
from simulator.partners.config import apply_partner_config
from simulator.partners.service import Partners
from simulator.storage import Storage
from simulator.yaml_lines import dotted


async def held_state(hub: Hub, partners: Partners) -> str | None:
    """What the database already holds, in words ("2 operator(s)"), or None when new."""
    operators = len(await hub.storage.list_operators())
    emps = len(await partners.emps())
    held = [f"{n} {what}(s)" for n, what in ((operators, "operator"), (emps, "EMP")) if n]
    return " and ".join(held) or None


async def seed_from_config(
    hub: Hub, partners: Partners, config: ConfigFile, path: Path, database: str
) -> list[str]:
    """Apply the config file to a new database; the lines to tell the user at start."""
    data = config.data
    held = await held_state(hub, partners)
    if held is not None:
        return [
            f"config {path}: not applied: the database {database} already holds {held}. The "
            "file seeds new databases only, so what the portal and the API changed stays; "
            "to start again from the file, delete the database or give --db a new file"
        ]
    await _dry_run(hub, data, path)
    warnings = await _apply(hub, partners, data, path)
    operators = len(data.get("operators") or [])
    emps = len(data.get("emps") or [])
    lines = [
        f"config {path}: seeded the new database {database} with {operators} operator(s) and "
        f"{emps} EMP(s); its relative paths are read from {path.parent.resolve()}"
    ]
    return lines + [
        f"config {path}:{config.lines.key_line(where)}: warning: {dotted(where)}: {message}"
        for where, message in warnings
    ]


async def _apply(
    hub: Hub, partners: Partners, data: dict[str, Any], path: Path
) -> list[SettingWarning]:
    warnings = await apply_config(hub, data, path)
    await apply_partner_config(partners, data, path)
    return warnings


async def _dry_run(hub: Hub, data: dict[str, Any], path: Path) -> None:
    """Apply the file to a scratch database first: a refusal then leaves nothing stored."""
    scratch = Hub(await Storage.open(":memory:"), hub.identity)
    try:
        await _apply(scratch, Partners(scratch.storage), data, path)
    finally:
        await scratch.close()
