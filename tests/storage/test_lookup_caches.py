"""The lookups every EMP request makes are remembered, and a write makes them fresh again."""

from __future__ import annotations

from simulator.model import Operator, ServiceType
from simulator.partner_model import EMP, Contract
from simulator.partners.service import Partners
from simulator.storage import Storage
from simulator.storage.evse import evse_row
from tests.storage.conftest import OPERATOR_ID

AUTH = ServiceType.AUTHORIZATION


async def test_a_contract_removed_after_a_lookup_is_gone_at_the_next(storage: Storage) -> None:
    partners = Partners(storage)
    await partners.put_emp(EMP("DE-ICE"))
    await partners.set_contracts("DE-ICE", [Contract("DE-ICE", OPERATOR_ID, AUTH)])
    assert await partners.has_contract("DE-ICE", OPERATOR_ID, AUTH)
    await partners.set_contracts("DE-ICE", [])
    assert not await partners.has_contract("DE-ICE", OPERATOR_ID, AUTH)


async def test_an_emp_added_after_a_miss_is_found(storage: Storage) -> None:
    partners = Partners(storage)
    assert await partners.find_emp("DE-NEW") is None
    await Partners(storage).put_emp(EMP("DE-NEW"))  # another service object, same storage
    found = await partners.find_emp("DE-NEW")
    assert found is not None and found.provider_id == "DE-NEW"


async def test_a_deleted_emp_is_no_longer_found(storage: Storage) -> None:
    partners = Partners(storage)
    await partners.put_emp(EMP("DE-ICE"))
    assert await partners.find_emp("DE-ICE") is not None
    await partners.delete_emp("DE-ICE")
    assert await partners.find_emp("DE-ICE") is None


async def test_a_sub_operator_added_after_a_lookup_owns_its_evses(storage: Storage) -> None:
    partners = Partners(storage)
    assert await partners.operator_of_evse("DE*SUB*E1") is None
    await partners.set_sub_operators(OPERATOR_ID, ["DE*SUB"])
    assert await partners.operator_of_evse("DE*SUB*E1") == OPERATOR_ID


async def test_an_operator_created_after_a_lookup_owns_its_evses(storage: Storage) -> None:
    partners = Partners(storage)
    assert await partners.operator_of_evse("DE*XYZ*E1") is None
    await storage.upsert_operator(Operator("DE*XYZ"))
    assert await partners.operator_of_evse("DE*XYZ*E1") == "DE*XYZ"


async def test_the_evse_count_follows_each_push(storage: Storage) -> None:
    assert await storage.evse.count(OPERATOR_ID) == 0
    row = evse_row("DE*ABC*E1", True, {"EvseID": "DE*ABC*E1"})
    await storage.evse.push_data(OPERATOR_ID, "fullLoad", [row])
    assert await storage.evse.count(OPERATOR_ID) == 1
    await storage.evse.push_data(OPERATOR_ID, "fullLoad", [])
    assert await storage.evse.count(OPERATOR_ID) == 0


async def test_a_deleted_operator_no_longer_owns_its_sub_operators_evses(
    storage: Storage,
) -> None:
    partners = Partners(storage)
    await storage.upsert_operator(Operator("DE*XYZ"))
    await partners.set_sub_operators("DE*XYZ", ["DE*SUB"])
    assert await partners.operator_of_evse("DE*SUB*E1") == "DE*XYZ"
    await storage.delete_operator("DE*XYZ")
    assert await partners.operator_of_evse("DE*SUB*E1") is None
