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
``certificates``) are read from the file's folder. Every problem of the file (an unknown key,
with the known key closest to it; a bad field, certificate file or setting) is refused at
once, each on its line, before anything is applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from simulator.api_bodies import operator_from_json
from simulator.certificates import CertificateUploadError
from simulator.config_problems import config_problems
from simulator.hub import Hub, HubError
from simulator.model import ServiceType
from simulator.storage import DuplicateCertificateError
from simulator.yaml_lines import JSONPath, LineMap, dotted, line_map


class ConfigError(Exception):
    """The config file cannot be applied; the message names the file and the field."""


@dataclass(frozen=True)
class ConfigFile:
    """A judged config file: its values, and the line of each (for the warnings at start)."""

    data: dict[str, Any]
    lines: LineMap


SettingWarning = tuple[JSONPath, str]
"""A setting's warning: where in the file, and what it says."""


def read_config(path: Path) -> ConfigFile:
    """Read the file and judge all of it; nothing is applied yet.

    Every problem is refused at once, one ``FILE:LINE: FIELD: message`` line each
    (:mod:`simulator.config_problems`).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: is not UTF-8 text (byte {exc.start})") from None
    try:
        lines = line_map(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(_yaml_problem(path, exc)) from None
    if data is None:
        return ConfigFile({}, lines)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping with an 'operators' list")
    problems = config_problems(data, lines, path)
    if problems:
        raise ConfigError("\n".join(problems))
    return ConfigFile(data, lines)


def _yaml_problem(path: Path, exc: yaml.YAMLError) -> str:
    """PyYAML's error on one line, at its line and column."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
    said = f"{context}, {problem}" if context else problem
    return f"{where}: not valid YAML: {said}"


async def apply_config(hub: Hub, data: dict[str, Any], source: Path) -> list[SettingWarning]:
    """Create the operators of the file, upload their certificates and save their settings.

    Returns the settings' warnings (Broadcast on, User certificate without an upload), each
    with its place in the file.
    """
    warnings: list[SettingWarning] = []
    operators = data.get("operators", [])
    if not isinstance(operators, list):
        raise ConfigError(f"{source}: 'operators' must be a list")
    for index, entry in enumerate(operators):
        where = f"operators[{index}]"  # the warnings are printed after "config FILE: "
        if not isinstance(entry, dict):
            raise ConfigError(f"{source}: {where} must be a mapping")
        try:
            warnings += await _apply_operator(hub, entry, source.parent, ("operators", index))
        except HubError as err:
            raise ConfigError(f"{source}: {where}: {err}") from None
        except ConfigError as err:
            raise ConfigError(f"{source}: {err}") from None
    return warnings


async def _apply_operator(
    hub: Hub, entry: dict[str, Any], base: Path, at: JSONPath
) -> list[SettingWarning]:
    where = dotted(at)
    fields = {k: v for k, v in entry.items() if k not in ("certificates", "settings")}
    operator = await hub.put_operator(operator_from_json(fields))
    for cert_path in entry.get("certificates", []) or []:
        await _upload(hub, operator.operator_id, base / str(cert_path), where)
    warnings: list[SettingWarning] = []
    for name, settings in (entry.get("settings") or {}).items():
        here = (*at, "settings", str(name))
        warnings += await _save_settings(hub, operator.operator_id, here, settings)
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
    hub: Hub, operator_id: str, at: JSONPath, raw: object
) -> list[SettingWarning]:
    name, where = str(at[-1]), dotted(at[:-2])
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
    return [((*at, w.field), w.message) for w in saved.warnings]
