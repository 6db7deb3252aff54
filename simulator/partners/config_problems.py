"""Judging the partner part of the config file before anything is applied.

``emps`` and ``sub_operators`` (see :mod:`simulator.partners.config`) obey the admin API's
rules for EMPs, contracts and sub-operators. Each problem is a path in the file and a
message, so that :mod:`simulator.config_problems` reports it on its line, with every other
problem of the file. A contract or sub-operator entry must name an operator of the file's
``operators``: the file seeds a new database, which holds no other.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from simulator.hub import HubError
from simulator.model import FieldIssue
from simulator.partners.forms import EMP_FIELDS, contract_from_json, emp_from_json
from simulator.partners.service import contract_issues, emp_issues, sub_operator_issues
from simulator.suggest import unknown_name
from simulator.yaml_lines import JSONPath, PathPart

Problem = tuple[JSONPath, str]

EMP_KEYS = (*EMP_FIELDS, "contracts")
_NOT_IN_FILE = "add it under operators: in this file"


def partner_problems(data: dict[str, Any], operator_ids: Collection[str]) -> list[Problem]:
    """Every problem of the file's ``emps`` and ``sub_operators``."""
    return _emps_problems(data.get("emps"), operator_ids) + _sub_operator_problems(
        data.get("sub_operators"), operator_ids
    )


def _emps_problems(emps: object, operator_ids: Collection[str]) -> list[Problem]:
    if emps is None:
        return []
    if not isinstance(emps, list):
        return [(("emps",), "must be a list of EMPs, each with provider_id and its fields")]
    found: list[Problem] = []
    for index, entry in enumerate(emps):
        found += _emp_problems(entry, ("emps", index), operator_ids)
    return found


def _emp_problems(entry: object, where: JSONPath, operator_ids: Collection[str]) -> list[Problem]:
    if not isinstance(entry, dict):
        return [(where, "must be a mapping with provider_id and its fields")]
    found: list[Problem] = [
        ((*where, str(key)), unknown_name("key", key, EMP_KEYS, "the known keys"))
        for key in entry
        if key not in EMP_KEYS
    ]
    provider_id = str(entry.get("provider_id"))
    try:
        emp = emp_from_json({k: v for k, v in entry.items() if k in EMP_FIELDS})
        found += _at(where, emp_issues(emp))
    except HubError as err:  # its contracts are judged all the same
        found += _at(where, err.issues)
    items = entry.get("contracts", []) or []
    if not isinstance(items, list):
        return [*found, ((*where, "contracts"), "must be a list of {operator_id, service_type}")]
    for index, item in enumerate(items):
        try:
            contract = contract_from_json(provider_id, index, item)
        except HubError as err:
            found += _at(where, err.issues)
            continue
        issues = contract_issues(contract, contract.operator_id in operator_ids, _NOT_IN_FILE)
        found += _at((*where, "contracts", index), issues)
    return found


def _sub_operator_problems(subs: object, operator_ids: Collection[str]) -> list[Problem]:
    if subs is None:
        return []
    if not isinstance(subs, dict):
        return [(("sub_operators",), "must map an OperatorID to a list of sub-operator IDs")]
    found: list[Problem] = []
    for operator_id, ids in subs.items():
        where: JSONPath = ("sub_operators", str(operator_id))
        if str(operator_id) not in operator_ids:
            found.append((where, f"{operator_id} is no operator: {_NOT_IN_FILE}"))
        if not isinstance(ids, list):
            found.append((where, "must be a list of OperatorIDs, e.g. ['DE*SUB']"))
            continue
        found += [
            ((*where, *_path(issue.field)[1:]), f"{issue.value!r} {issue.message}")
            for issue in sub_operator_issues(str(operator_id), ids)
        ]
    return found


_INDEXED = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _at(where: JSONPath, issues: list[FieldIssue]) -> list[Problem]:
    """The issues of a form (``contracts[0].operator_id``) as paths below ``where``."""
    return [((*where, *_path(issue.field)), issue.message) for issue in issues]


def _path(field: str) -> tuple[PathPart, ...]:
    return tuple(int(index) if index else name for name, index in _INDEXED.findall(field))
