"""The rules about partners: EMP settings, contracts, sub-operators, and who owns an EvseID.

Every refusal is a :class:`~simulator.hub.HubError` whose issues name the field, so the admin
API and the CLI show them like the portal's own refusals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import TypeVar, cast

from oicp.identifiers import is_operator_id, is_provider_id, operator_id_of_evse
from simulator.hub import HubError
from simulator.model import FieldIssue, ServiceType
from simulator.partner_model import CONTRACT_SERVICE_TYPES, EMP, Contract
from simulator.storage import Storage

T = TypeVar("T")

_SEPARATORS = re.compile(r"[*\-]")


def id_key(partner_id: str) -> str:
    """An OperatorID or ProviderID without separators, upper case: ``DE*ABC`` -> ``DEABC``.

    EvseIDs and EvcoIDs may write the partner part with or without separators
    (``DE*ABC*E1`` and ``DEABCE1`` name the same operator, OICP 2.3 EvseIDType), so the hub
    compares partner parts by this key. IDs in paths and bodies are compared as strings.
    """
    return _SEPARATORS.sub("", partner_id).upper()


def provider_key_of_evco(evco_id: str) -> str:
    """The key of the EMP an EvcoID belongs to: its country code and provider part.

    ``DE-8EO-CAET5E4XY-3`` and ``DE*8EO*AET5E4*3`` both give ``DE8EO`` (EvcoIDType).
    """
    return _SEPARATORS.sub("", evco_id)[:5].upper()


class UnknownEMPError(HubError):
    def __init__(self, provider_id: str) -> None:
        super().__init__(
            [
                FieldIssue(
                    "provider_id",
                    provider_id,
                    f"no EMP {provider_id!r} is configured; create it first "
                    "(POST /api/emps or 'hubsim emp add')",
                )
            ],
            status=404,
        )


def emp_issues(emp: EMP) -> list[FieldIssue]:
    """Checks on an EMP's own fields."""
    issues = []
    if not is_provider_id(emp.provider_id):
        issues.append(
            FieldIssue(
                "provider_id",
                emp.provider_id,
                "is not an OICP ProviderID; use the form DE-ABC or DE*ABC "
                "(country, optional separator, 3 characters)",
            )
        )
    if emp.broadcast_request and not emp.online_request:
        issues.append(
            FieldIssue(
                "broadcast_request",
                True,
                "Broadcast Request needs Online Request: tick both, as the portal requires",
            )
        )
    return issues


def contract_issues(contract: Contract, operator_known: bool, to_create: str) -> list[FieldIssue]:
    """Checks on a contract: its operator exists (else ``to_create`` says how to make it),
    and it is for a service type an EMP can subscribe to."""
    issues = []
    if not operator_known:
        issues.append(
            FieldIssue(
                "operator_id",
                contract.operator_id,
                f"no such operator {contract.operator_id}: {to_create}",
            )
        )
    if contract.service_type not in CONTRACT_SERVICE_TYPES:
        issues.append(
            FieldIssue(
                "service_type",
                contract.service_type.slug,
                "an EMP can subscribe to authorization or reservation only",
            )
        )
    return issues


def sub_operator_issues(operator_id: str, ids: list[object]) -> list[FieldIssue]:
    """Checks on an operator's list of sub-operator IDs, each named by its index."""
    issues = []
    first: dict[object, int] = {}
    for index, sub in enumerate(ids):
        field = f"sub_operator_ids[{index}]"
        if not isinstance(sub, str) or not is_operator_id(sub):
            issues.append(FieldIssue(field, sub, "is not an OICP OperatorID, e.g. DE*SUB"))
        elif sub == operator_id:
            issues.append(FieldIssue(field, sub, "is the operator itself: name other operators"))
        elif sub in first:
            issues.append(
                FieldIssue(field, sub, f"is sub_operator_ids[{first[sub]}] again: keep one")
            )
        first.setdefault(sub, index)
    return issues


class Partners:
    """EMPs, contracts and sub-operators, checked and stored."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._store = storage.partners
        # Every EMP request looks up its EMP, its contract and the EVSE's operator; reading
        # them from SQLite each time took four trips to the storage thread per request. They
        # are cached until an operator or partner write (the generations) makes them stale.
        self._cache: dict[tuple[object, ...], object] = {}
        self._cache_generation = (-1, -1)

    def _generation(self) -> tuple[int, int]:
        """Taken before a read, so that a write ending during the read is never missed."""
        generation = (self._storage.config_generation, self._store.generation)
        if generation != self._cache_generation:
            self._cache.clear()
            self._cache_generation = generation
        return generation

    def _remember(self, generation: tuple[int, int], key: tuple[object, ...], value: T) -> T:
        if generation == self._cache_generation:
            self._cache[key] = value
        return value

    async def put_emp(self, emp: EMP) -> EMP:
        issues = emp_issues(emp)
        if issues:
            raise HubError(issues)
        await self._store.put_emp(emp)
        return emp

    async def emp(self, provider_id: str) -> EMP:
        """The EMP, or :class:`UnknownEMPError` (HTTP 404 in the admin API)."""
        found = await self._store.get_emp(provider_id)
        if found is None:
            raise UnknownEMPError(provider_id)
        return found

    async def find_emp(self, provider_id: str) -> EMP | None:
        generation, key = self._generation(), ("emp", provider_id)
        if key in self._cache:
            return cast("EMP | None", self._cache[key])
        return self._remember(generation, key, await self._store.get_emp(provider_id))

    async def emps(self) -> list[EMP]:
        return await self._store.list_emps()

    async def delete_emp(self, provider_id: str) -> None:
        if not await self._store.delete_emp(provider_id):
            raise UnknownEMPError(provider_id)

    async def set_contracts(self, provider_id: str, contracts: list[Contract]) -> list[Contract]:
        """Replace the EMP's contracts; every operator must exist."""
        await self.emp(provider_id)
        issues = await self.contract_problems(list(enumerate(contracts)))
        if issues:
            raise HubError(issues)
        await self._store.set_contracts(provider_id, contracts)
        return await self._store.contracts(provider_id=provider_id)

    async def contract_problems(self, indexed: list[tuple[int, Contract]]) -> list[FieldIssue]:
        """The problems of each contract (``contracts[i].operator_id``, …) against the
        operators stored now."""
        issues = []
        for index, contract in indexed:
            known = await self._storage.get_operator(contract.operator_id) is not None
            found = contract_issues(contract, known, "create the CPO first (POST /api/operators)")
            issues += [replace(i, field=f"contracts[{index}].{i.field}") for i in found]
        return issues

    async def contracts(
        self, *, provider_id: str | None = None, operator_id: str | None = None
    ) -> list[Contract]:
        return await self._store.contracts(provider_id=provider_id, operator_id=operator_id)

    async def has_contract(
        self, provider_id: str, operator_id: str, service_type: ServiceType
    ) -> bool:
        generation, key = self._generation(), ("contract", provider_id, operator_id, service_type)
        if key in self._cache:
            return bool(self._cache[key])
        found = await self._store.contracts(provider_id=provider_id, operator_id=operator_id)
        return self._remember(generation, key, any(c.service_type is service_type for c in found))

    async def set_sub_operators(self, operator_id: str, sub_operator_ids: list[str]) -> None:
        """Replace the operator's sub-operators (their IDs appear only inside EvseIDs)."""
        if await self._storage.get_operator(operator_id) is None:
            raise HubError([FieldIssue("operator_id", operator_id, "no such operator")], status=404)
        issues = sub_operator_issues(operator_id, list(sub_operator_ids))
        if issues:
            raise HubError(issues)
        await self._store.set_sub_operators(operator_id, sub_operator_ids)

    async def sub_operators(self, operator_id: str) -> list[str]:
        return sorted(await self._store.sub_operators(operator_id))

    async def operator_of_evse(self, evse_id: str) -> str | None:
        """The configured operator an EvseID belongs to, directly or through a sub-operator.

        "Hubject will derive the CPO's OperatorID from the EvseID" (OICP 2.3 CPO,
        eRoamingAuthorizeRemoteStart); a sub-operator's EVSEs belong to its hub operator
        (01_CPO_Communication_Paradigms, hub and sub partners).
        """
        owners = await self._owners()
        return owners.get(id_key(operator_id_of_evse(evse_id)))

    async def _owners(self) -> dict[str, str]:
        """The key of each OperatorID and sub-operator ID -> the configured operator."""
        generation, key = self._generation(), ("owners",)
        if key in self._cache:
            return cast("dict[str, str]", self._cache[key])
        subs = await self._store.sub_operators()
        owners = {id_key(sub): owner for sub, owner in subs.items()}
        # A configured operator's own ID wins over a sub-operator of the same name.
        owners |= {
            id_key(op.operator_id): op.operator_id for op in await self._storage.list_operators()
        }
        return self._remember(generation, key, owners)

    async def foreign_evses(self, operator_id: str, evse_ids: Iterable[str]) -> list[str]:
        """The EvseIDs that belong neither to ``operator_id`` nor to its sub-operators."""
        keys = {id_key(operator_id)} | {id_key(s) for s in await self.sub_operators(operator_id)}
        return [e for e in evse_ids if id_key(operator_id_of_evse(e)) not in keys]

    async def emp_of_evco(self, evco_id: str) -> EMP | None:
        """The configured EMP whose ProviderID an EvcoID starts with."""
        key = provider_key_of_evco(evco_id)
        return next((e for e in await self.emps() if id_key(e.provider_id) == key), None)
