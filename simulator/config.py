"""The config file of ``hubsim hub serve``: operators, their certificates and settings.

A YAML (or JSON) file such as::

    operators:
      - operator_id: "DE*ABC"
        name: ABC Charging
        reservation_path_style: hubject      # or: charging
        timeout_s: 10
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
Settings equal to the saved ones make no new revision, so restarting does not pile them up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from simulator.admin_api import operator_from_json
from simulator.certificates import CertificateUploadError
from simulator.hub import Hub, HubError
from simulator.model import ServiceType
from simulator.settings_rules import parse_settings
from simulator.storage import DuplicateCertificateError


class ConfigError(Exception):
    """The config file cannot be applied; the message names the file and the field."""


def load_config(path: Path) -> dict[str, Any]:
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
    return data


async def apply_config(hub: Hub, data: dict[str, Any], source: Path) -> None:
    """Create the operators of the file, upload their certificates and save their settings."""
    operators = data.get("operators", [])
    if not isinstance(operators, list):
        raise ConfigError(f"{source}: 'operators' must be a list")
    for index, entry in enumerate(operators):
        where = f"{source}: operators[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a mapping")
        try:
            await _apply_operator(hub, entry, source.parent, where)
        except HubError as err:
            raise ConfigError(f"{where}: {err}") from None


async def _apply_operator(hub: Hub, entry: dict[str, Any], base: Path, where: str) -> None:
    fields = {k: v for k, v in entry.items() if k not in ("certificates", "settings")}
    operator = await hub.put_operator(operator_from_json(fields))
    for cert_path in entry.get("certificates", []) or []:
        await _upload(hub, operator.operator_id, base / str(cert_path), where)
    for name, settings in (entry.get("settings") or {}).items():
        await _save_settings(hub, operator.operator_id, str(name), settings, where)


async def _upload(hub: Hub, operator_id: str, path: Path, where: str) -> None:
    try:
        await hub.upload_certificates(operator_id, path.read_bytes(), path.name)
    except OSError as exc:
        raise ConfigError(f"{where}.certificates: {path} cannot be read ({exc.strerror})") from None
    except CertificateUploadError as exc:
        raise ConfigError(f"{where}.certificates: {path}: {exc}") from None
    except DuplicateCertificateError:
        pass  # already uploaded on an earlier start


async def _save_settings(hub: Hub, operator_id: str, name: str, raw: object, where: str) -> None:
    try:
        service_type = ServiceType.from_text(name)
    except ValueError as exc:
        raise ConfigError(f"{where}.settings.{name}: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}.settings.{name} must be a mapping of settings fields")
    wanted, _ = parse_settings(raw)
    current = await hub.storage.current_settings(operator_id, service_type)
    if current is not None and wanted == current.settings:
        return
    try:
        await hub.save_settings(operator_id, service_type, raw)
    except HubError as err:
        raise ConfigError(f"{where}.settings.{name}: {err}") from None
