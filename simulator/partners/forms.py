"""Reading EMPs and contracts from JSON (admin API) with refusals that name the field."""

from __future__ import annotations

from typing import Any

from oicp.errors import OICPValidationError
from oicp.identification import Identification, identification_from_wire
from simulator.hub import HubError
from simulator.model import FieldIssue, ServiceType
from simulator.partner_model import EMP, Contract
from simulator.suggest import unknown_name

EMP_FIELDS = (
    "provider_id",
    "name",
    "offline_authorization",
    "online_request",
    "broadcast_request",
    "reachable",
    "authentication_data",
)


def _bad(field: str, value: object, message: str) -> HubError:
    return HubError([FieldIssue(field, value, message)])


def _flag(data: dict[str, Any], name: str, default: bool, issues: list[FieldIssue]) -> bool:
    value = data.get(name, default)
    if isinstance(value, bool):
        return value
    shown = "null" if value is None else repr(value)
    issues.append(FieldIssue(name, value, f"must be true or false, not {shown}"))
    return default


def emp_from_json(data: dict[str, Any]) -> EMP:
    """An EMP from ``{"provider_id", "name", flags…, "authentication_data": [Identification]}``.

    Every problem of the body is refused at once.
    """
    issues = [
        FieldIssue(name, data[name], unknown_name("field", name, EMP_FIELDS, "the EMP's fields"))
        for name in data
        if name not in EMP_FIELDS
    ]
    provider_id = data.get("provider_id")
    if not isinstance(provider_id, str) or not provider_id:
        issues.append(
            FieldIssue("provider_id", provider_id, "is required: give the ProviderID, e.g. DE-ICE")
        )
    flags = {
        name: _flag(data, name, default, issues)
        for name, default in (
            ("offline_authorization", False),
            ("online_request", True),
            ("broadcast_request", False),
            ("reachable", True),
        )
    }
    identifications: tuple[Identification, ...] = ()
    try:
        identifications = authentication_data_from_json(data.get("authentication_data", []))
    except HubError as err:
        issues += err.issues
    name = data.get("name", "")
    if not isinstance(name, str):
        issues.append(FieldIssue("name", name, "must be a text, e.g. ICE Mobility"))
    if issues:
        raise HubError(issues)
    return EMP(
        provider_id=str(provider_id),
        name=str(name),
        authentication_data=identifications,
        **flags,
    )


def authentication_data_from_json(items: object) -> tuple[Identification, ...]:
    """OICP Identification objects, e.g. ``{"RFIDMifareFamilyIdentification": {"UID": …}}``."""
    if not isinstance(items, list):
        raise _bad("authentication_data", items, "must be a list of OICP Identification objects")
    found = []
    issues: list[FieldIssue] = []
    for index, item in enumerate(items):
        try:
            found.append(identification_from_wire(item, f"/authentication_data/{index}"))
        except OICPValidationError as error:
            where = f"authentication_data[{index}]"
            issues += [FieldIssue(where, item, p.message) for p in error.problems]
    if issues:
        raise HubError(issues)
    return tuple(found)


CONTRACT_FIELDS = ("operator_id", "service_type")


def contracts_from_json(provider_id: str, data: dict[str, Any]) -> list[Contract]:
    """Contracts from ``{"contracts": [{"operator_id", "service_type"}, …]}``.

    ``service_type`` is ``authorization`` or ``reservation`` (the portal labels work too).
    Every contract's problems are refused at once.
    """
    indexed, issues = read_contracts(provider_id, data)
    if issues:
        raise HubError(issues)
    return [contract for _, contract in indexed]


def read_contracts(
    provider_id: str, data: dict[str, Any]
) -> tuple[list[tuple[int, Contract]], list[FieldIssue]]:
    """The readable contracts of the body, each with its index, and the problems of the rest."""
    issues = [
        FieldIssue(
            name, data[name], unknown_name("field", name, ("contracts",), "the body's fields")
        )
        for name in data
        if name != "contracts"
    ]
    items = data.get("contracts")
    if not isinstance(items, list):
        message = 'must be a list of {"operator_id", "service_type"} objects'
        return [], [*issues, FieldIssue("contracts", items, message)]
    indexed: list[tuple[int, Contract]] = []
    for index, item in enumerate(items):
        try:
            indexed.append((index, contract_from_json(provider_id, index, item)))
        except HubError as err:
            issues += err.issues
    return indexed, issues


def contract_from_json(provider_id: str, index: int, item: object) -> Contract:
    """The ``index``-th contract of a list, refusing each of its problems."""
    where = f"contracts[{index}]"
    if not isinstance(item, dict):
        raise _bad(where, item, 'must be an object {"operator_id", "service_type"}')
    issues = [
        FieldIssue(
            f"{where}.{key}",
            value,
            unknown_name("field", key, CONTRACT_FIELDS, "a contract's fields"),
        )
        for key, value in item.items()
        if key not in CONTRACT_FIELDS
    ]
    operator_id = item.get("operator_id")
    if not isinstance(operator_id, str) or not operator_id:
        issues.append(
            FieldIssue(f"{where}.operator_id", operator_id, "is required: the CPO's OperatorID")
        )
    service_type = ServiceType.AUTHORIZATION
    raw = item.get("service_type", "authorization")
    try:
        service_type = ServiceType.from_text(str(raw))
    except ValueError:
        issues.append(FieldIssue(f"{where}.service_type", raw, _CONTRACT_TYPES))
    if issues:
        raise HubError(issues)
    return Contract(provider_id, str(operator_id), service_type)


_CONTRACT_TYPES = "is no service type an EMP can subscribe to: use authorization or reservation"
