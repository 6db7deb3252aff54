"""Reading EMPs and contracts from JSON (admin API) with refusals that name the field."""

from __future__ import annotations

from typing import Any

from oicp.errors import OICPValidationError
from oicp.identification import Identification, identification_from_wire
from simulator.hub import HubError
from simulator.model import FieldIssue, ServiceType
from simulator.partner_model import EMP, Contract
from simulator.suggest import unknown_name

_EMP_FIELDS = (
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


def _flag(data: dict[str, Any], name: str, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise _bad(name, value, "must be true or false")
    return value


def emp_from_json(data: dict[str, Any]) -> EMP:
    """An EMP from ``{"provider_id", "name", flags…, "authentication_data": [Identification]}``."""
    unknown = sorted(set(data) - set(_EMP_FIELDS))
    if unknown:
        message = unknown_name("field", unknown[0], _EMP_FIELDS, "the EMP's fields")
        raise _bad(unknown[0], data[unknown[0]], message)
    provider_id = data.get("provider_id")
    if not isinstance(provider_id, str) or not provider_id:
        raise _bad("provider_id", provider_id, "is required: give the ProviderID, e.g. DE-ICE")
    return EMP(
        provider_id=provider_id,
        name=str(data.get("name", "")),
        offline_authorization=_flag(data, "offline_authorization", False),
        online_request=_flag(data, "online_request", True),
        broadcast_request=_flag(data, "broadcast_request", False),
        reachable=_flag(data, "reachable", True),
        authentication_data=authentication_data_from_json(data.get("authentication_data", [])),
    )


def authentication_data_from_json(items: object) -> tuple[Identification, ...]:
    """OICP Identification objects, e.g. ``{"RFIDMifareFamilyIdentification": {"UID": …}}``."""
    if not isinstance(items, list):
        raise _bad("authentication_data", items, "must be a list of OICP Identification objects")
    found = []
    for index, item in enumerate(items):
        try:
            found.append(identification_from_wire(item, f"/authentication_data/{index}"))
        except OICPValidationError as error:
            raise HubError(
                [
                    FieldIssue(f"authentication_data[{index}]", item, p.message)
                    for p in error.problems
                ]
            ) from None
    return tuple(found)


def contracts_from_json(provider_id: str, data: dict[str, Any]) -> list[Contract]:
    """Contracts from ``{"contracts": [{"operator_id", "service_type"}, …]}``.

    ``service_type`` is ``authorization`` or ``reservation`` (the portal labels work too).
    """
    items = data.get("contracts")
    if not isinstance(items, list):
        raise _bad("contracts", items, 'must be a list of {"operator_id", "service_type"} objects')
    return [_contract(provider_id, index, item) for index, item in enumerate(items)]


def _contract(provider_id: str, index: int, item: object) -> Contract:
    where = f"contracts[{index}]"
    if not isinstance(item, dict):
        raise _bad(where, item, 'must be an object {"operator_id", "service_type"}')
    operator_id = item.get("operator_id")
    if not isinstance(operator_id, str) or not operator_id:
        raise _bad(f"{where}.operator_id", operator_id, "is required: the CPO's OperatorID")
    try:
        service_type = ServiceType.from_text(str(item.get("service_type", "authorization")))
    except ValueError as exc:
        raise _bad(f"{where}.service_type", item.get("service_type"), str(exc)) from None
    return Contract(provider_id, operator_id, service_type)
