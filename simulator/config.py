"""The config file of ``hubsim hub serve``: operators, their certificates and settings.

A YAML (or JSON) file such as::

    operators:
      - operator_id: "DE*ABC"
        name: ABC Charging
        reservation_path_style: hubject      # or: charging
        timeout_s: 10
        wire_profile: hbs                    # or: strict (docs/wire-profiles.md)
        certificates: [certs/cpo-user-server.pem]
        settings:
          authorization:
            online_request: true
            service_url: "https://localhost:8443"
            server_certification: hubject     # or: user
          reservation:
            online_request: true
            service_url: "https://localhost:8443"

Everything goes through :class:`~simulator.hub.Hub`, so the file obeys the portal's rules.
The file seeds a new database only (:mod:`simulator.seed` decides and says so at start), so
what the portal and the API changed later stays. Relative paths (``pki_dir``, ``database``,
``certificates``) are read from the file's folder. An unknown key is refused before anything
is applied, with the known key closest to it.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from simulator.admin_api import operator_from_json
from simulator.certificates import CertificateUploadError
from simulator.hub import Hub, HubError
from simulator.model import ServiceType
from simulator.storage import DuplicateCertificateError


class ConfigError(Exception):
    """The config file cannot be applied; the message names the file and the field."""


TOP_LEVEL_KEYS = (
    "pki_dir",
    "database",
    "host",
    "port",
    "admin_token",
    "max_exchanges",
    "oicp_port",
    "oicp_host",
    "allowed_hosts",
    "connections",
    "operators",
    "emps",
    "sub_operators",
)
OPERATOR_KEYS = (
    "operator_id",
    "name",
    "reservation_path_style",
    "timeout_s",
    "wire_profile",
    "certificates",
    "settings",
)


def unknown_key_issue(where: str, key: object, known: Collection[str]) -> str | None:
    """The refusal of ``key`` at ``where`` when it is not one of ``known``, with a guess."""
    if key in known:
        return None
    close = difflib.get_close_matches(str(key), list(known), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{where}: unknown key {key!r}: {hint}the known keys are {', '.join(known)}"


def check_keys(data: dict[str, Any], path: Path) -> None:
    """Refuse the first unknown key of the file, at the top level or in an operator."""
    found = [unknown_key_issue(str(path), key, TOP_LEVEL_KEYS) for key in data]
    operators = data.get("operators")
    for index, entry in enumerate(operators if isinstance(operators, list) else []):
        if isinstance(entry, dict):
            where = f"{path}: operators[{index}]"
            found += [unknown_key_issue(where, key, OPERATOR_KEYS) for key in entry]
    issues = [issue for issue in found if issue]
    if issues:
        raise ConfigError(issues[0])


def load_config(path: Path) -> dict[str, Any]:
    """Read the file and refuse unknown keys; nothing is applied yet."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping with an 'operators' list")
    check_keys(data, path)
    return data


async def apply_config(hub: Hub, data: dict[str, Any], source: Path) -> list[str]:
    """Create the operators of the file, upload their certificates and save their settings.

    Returns the settings' warnings (Broadcast on, User certificate without an upload), each
    naming its place in the file.
    """
    warnings: list[str] = []
    operators = data.get("operators", [])
    if not isinstance(operators, list):
        raise ConfigError(f"{source}: 'operators' must be a list")
    for index, entry in enumerate(operators):
        where = f"{source}: operators[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a mapping")
        try:
            warnings += await _apply_operator(hub, entry, source.parent, where)
        except HubError as err:
            raise ConfigError(f"{where}: {err}") from None
    return warnings


async def _apply_operator(hub: Hub, entry: dict[str, Any], base: Path, where: str) -> list[str]:
    fields = {k: v for k, v in entry.items() if k not in ("certificates", "settings")}
    operator = await hub.put_operator(operator_from_json(fields))
    for cert_path in entry.get("certificates", []) or []:
        await _upload(hub, operator.operator_id, base / str(cert_path), where)
    warnings: list[str] = []
    for name, settings in (entry.get("settings") or {}).items():
        warnings += await _save_settings(hub, operator.operator_id, str(name), settings, where)
    return warnings


async def _upload(hub: Hub, operator_id: str, path: Path, where: str) -> None:
    try:
        await hub.upload_certificates(operator_id, path.read_bytes(), path.name)
    except OSError as exc:
        raise ConfigError(f"{where}.certificates: {path} cannot be read ({exc.strerror})") from None
    except CertificateUploadError as exc:
        raise ConfigError(f"{where}.certificates: {path}: {exc}") from None
    except DuplicateCertificateError:
        pass  # already uploaded on an earlier start


async def _save_settings(
    hub: Hub, operator_id: str, name: str, raw: object, where: str
) -> list[str]:
    try:
        service_type = ServiceType.from_text(name)
    except ValueError as exc:
        raise ConfigError(f"{where}.settings.{name}: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}.settings.{name} must be a mapping of settings fields")
    try:
        saved = await hub.save_settings(operator_id, service_type, raw)
    except HubError as err:
        raise ConfigError(f"{where}.settings.{name}: {err}") from None
    return [f"{where}.settings.{name}.{w.field}: {w.message}" for w in saved.warnings]
