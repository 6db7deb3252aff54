"""The partner part of ``hubsim hub serve --config``: EMPs, their contracts, sub-operators.

Next to ``operators`` (see :mod:`simulator.config`), the file may hold::

    emps:
      - provider_id: "DE-ICE"
        name: ICE Mobility
        broadcast_request: true
        authentication_data:
          - RFIDMifareFamilyIdentification: {UID: "7568290FFF765F"}
        contracts:
          - {operator_id: "DE*ABC", service_type: authorization}
          - {operator_id: "DE*ABC", service_type: reservation}
    sub_operators:
      "DE*ABC": ["DE*SUB"]

Apply it after the operators: contracts and sub-operators name operators that must exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.config import ConfigError
from simulator.hub import HubError
from simulator.partners.forms import contracts_from_json, emp_from_json
from simulator.partners.service import Partners


async def apply_partner_config(partners: Partners, data: dict[str, Any], source: Path) -> None:
    """Create the file's EMPs with their contracts, and the operators' sub-operators."""
    emps = data.get("emps", []) or []
    if not isinstance(emps, list):
        raise ConfigError(f"{source}: 'emps' must be a list")
    for index, entry in enumerate(emps):
        where = f"{source}: emps[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a mapping")
        try:
            await _apply_emp(partners, entry)
        except HubError as err:
            raise ConfigError(f"{where}: {err}") from None
    await _apply_sub_operators(partners, data.get("sub_operators") or {}, source)


async def _apply_emp(partners: Partners, entry: dict[str, Any]) -> None:
    fields = {k: v for k, v in entry.items() if k != "contracts"}
    emp = await partners.put_emp(emp_from_json(fields))
    contracts = contracts_from_json(emp.provider_id, {"contracts": entry.get("contracts", [])})
    await partners.set_contracts(emp.provider_id, contracts)


async def _apply_sub_operators(partners: Partners, subs: object, source: Path) -> None:
    if not isinstance(subs, dict):
        raise ConfigError(f"{source}: 'sub_operators' must map an OperatorID to a list of IDs")
    for operator_id, ids in subs.items():
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ConfigError(
                f"{source}: sub_operators.{operator_id} must be a list of OperatorIDs"
            )
        try:
            await partners.set_sub_operators(str(operator_id), ids)
        except HubError as err:
            raise ConfigError(f"{source}: sub_operators.{operator_id}: {err}") from None
