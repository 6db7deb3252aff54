"""Every problem of the hub's config file at once, each on its line, before anything is applied.

``hubsim hub serve --config`` used to stop at the first refusal while applying the file, so a
file with three mistakes took three starts to fix. The operators' fields, their certificate
files and their settings are judged here by the same rules the hub applies (the admin API's
operator fields, Certificate Management's upload rules, the portal's settings rules); only
what needs the database (a duplicate upload, an unknown OperatorID of an EMP) is left to
applying.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from httpguard import ConnectionLimits
from simulator.api_bodies import operator_from_json
from simulator.certificates import CertificateUploadError, parse_certificate_upload
from simulator.hub import HubError
from simulator.model import ServiceType
from simulator.partners.config_problems import partner_problems
from simulator.settings_rules import CHECKBOX_ADVICE, read_and_check_settings
from simulator.suggest import unknown_name
from simulator.yaml_lines import JSONPath, LineMap, dotted

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
    "connection_limit",
    "max_answer_bytes",
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

Problem = tuple[JSONPath, str]


def config_problems(data: dict[str, Any], lines: LineMap, path: Path) -> list[str]:
    """``FILE:LINE: FIELD: message`` for every problem found, in the file's order."""
    found = list(_unknown_keys(data, (), TOP_LEVEL_KEYS))
    found += [(where, "this key appears twice: keep one") for where, _ in lines.duplicates]
    found += _value_problems(data)
    operators = data.get("operators", [])
    if not isinstance(operators, list):
        found.append((("operators",), "must be a list of operators"))
        operators = []
    for index, entry in enumerate(operators):
        found += _operator_problems(entry, ("operators", index), path.parent)
    found += _repeated(operators, "operators", "operator_id")
    emps = data.get("emps")
    found += _repeated(emps if isinstance(emps, list) else [], "emps", "provider_id")
    found += partner_problems(data, {str(e.get("operator_id")) for e in _mappings(operators)})
    ordered = sorted(found, key=lambda problem: lines.key_line(problem[0]))
    return [f"{path}:{lines.key_line(where)}: {dotted(where)}: {msg}" for where, msg in ordered]


# The top level's values, by what each must be.
_TEXT = ("pki_dir", "database", "host", "oicp_host", "admin_token")
_PORTS = ("port", "oicp_port")
_COUNTS = ("max_exchanges", "connection_limit", "max_answer_bytes")
_CONNECTION_KEYS = ("header_timeout_s", "body_timeout_s", "keepalive_timeout_s", "max_connections")


def _value_problems(data: dict[str, Any]) -> list[Problem]:
    """The top-level settings of the file, each of the type and range the hub needs."""
    found: list[Problem] = []
    for key in _TEXT:
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            found.append(((key,), f"is {data[key]!r}: give a text, e.g. {key}: {_EXAMPLES[key]}"))
    for key in _PORTS:
        if key in data and not _whole(data[key], 0, 65535):
            found.append(((key,), f"is {data[key]!r}: give a port number from 0 to 65535"))
    for key in _COUNTS:
        if key in data and not _whole(data[key], 1, None):
            found.append(((key,), f"is {data[key]!r}: give a whole number of 1 or more"))
    hosts = data.get("allowed_hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        found.append((("allowed_hosts",), f"is {hosts!r}: give a list of host names"))
    found += _connection_problems(data.get("connections"))
    return found


_EXAMPLES = {
    "pki_dir": "certs",
    "database": "hub.sqlite3",
    "host": "127.0.0.1",
    "oicp_host": "127.0.0.1",
    "admin_token": "a long random text",
}


def _whole(value: object, low: int, high: int | None) -> bool:
    if isinstance(value, bool) or not isinstance(value, int):
        return False  # 20041.5, true and "abc" are no port and no count
    return low <= value and (high is None or value <= high)


def _connection_problems(section: object) -> list[Problem]:
    if section is None:
        return []
    if not isinstance(section, dict):
        return [(("connections",), "must be a mapping, e.g. connections: {header_timeout_s: 60}")]
    found = list(_unknown_keys(section, ("connections",), _CONNECTION_KEYS))
    numbers = {key: section[key] for key in _CONNECTION_KEYS if key in section}
    wrong = [key for key, value in numbers.items() if not _number(value, key)]
    found += [(("connections", key), f"is {numbers[key]!r}: give a number") for key in wrong]
    if wrong:
        return found
    # The ranges are httpguard's own rule, by which the flags (--header-timeout …) are judged
    # too; each of its sentences starts with the field it is about.
    for problem in ConnectionLimits(**numbers).problems():
        found.append((("connections", problem.split(" ", 1)[0]), problem))
    return found


def _number(value: object, key: str) -> bool:
    allowed = int if key == "max_connections" else int | float
    return isinstance(value, allowed) and not isinstance(value, bool)


def _mappings(entries: list[Any]) -> list[dict[str, Any]]:
    return [entry for entry in entries if isinstance(entry, dict)]


def _repeated(entries: list[Any], section: str, key: str) -> list[Problem]:
    """A second entry for the same ID: applying it would silently replace the first."""
    first: dict[str, int] = {}
    found: list[Problem] = []
    for index, entry in enumerate(entries):
        value = entry.get(key) if isinstance(entry, dict) else None
        if not isinstance(value, str):
            continue
        if value in first:
            where = f"{section}[{first[value]}]"
            found.append(((section, index, key), f"{value} is already {where}: keep one entry"))
        else:
            first[value] = index
    return found


def _unknown_keys(
    data: dict[str, Any], where: JSONPath, known: Collection[str]
) -> Iterator[Problem]:
    for key in data:
        if key not in known:
            yield (*where, str(key)), unknown_name("key", key, list(known), "the known keys")


def _operator_problems(entry: object, where: JSONPath, base: Path) -> list[Problem]:
    if not isinstance(entry, dict):
        return [(where, "must be a mapping with operator_id and its fields")]
    found = list(_unknown_keys(entry, where, OPERATOR_KEYS))
    fields = {k: v for k, v in entry.items() if k in OPERATOR_KEYS[:5]}
    try:
        operator_from_json(fields)
    except HubError as err:
        found += [((*where, issue.field), issue.message) for issue in err.issues]
    found += _certificate_problems(entry.get("certificates"), (*where, "certificates"), base)
    found += _settings_problems(entry.get("settings"), (*where, "settings"))
    return found


def _certificate_problems(files: object, where: JSONPath, base: Path) -> list[Problem]:
    if files is None:
        return []
    if not isinstance(files, list):
        return [(where, "must be a list of .pem or .crt files")]
    found: list[Problem] = []
    for index, name in enumerate(files):
        file = base / str(name)
        try:
            parse_certificate_upload(file.read_bytes(), file.name)
        except OSError as exc:
            found.append(((*where, index), f"{file} cannot be read ({exc.strerror})"))
        except CertificateUploadError as exc:
            found.append(((*where, index), f"{file}: {exc}"))
    return found


def _settings_problems(settings: object, where: JSONPath) -> list[Problem]:
    if settings is None:
        return []
    if not isinstance(settings, dict):
        return [(where, "must map service types (authorization, reservation …) to settings")]
    found: list[Problem] = []
    for name, raw in settings.items():
        here = (*where, str(name))
        try:
            service_type = ServiceType.from_text(str(name))
        except ValueError as exc:
            found.append((here, str(exc)))
            continue
        if not isinstance(raw, dict):
            found.append((here, "must be a mapping of settings fields"))
            continue
        # Errors only: a User certificate warning depends on the uploads, judged on applying.
        _, verdict = read_and_check_settings(
            service_type, raw, certificates=(), now=datetime.now(UTC)
        )
        found += [
            ((*here, issue.field), issue.message.replace(CHECKBOX_ADVICE, "write true or false"))
            for issue in verdict.errors
        ]
    return found
