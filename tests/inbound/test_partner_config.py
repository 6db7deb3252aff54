"""EMPs, contracts and sub-operators from the config file of ``hubsim hub serve``."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.config import ConfigError, apply_config, read_config
from simulator.inbound.service import Inbound
from simulator.model import ServiceType
from simulator.partner_model import Contract
from simulator.partners.config import apply_partner_config

CONFIG = """
operators:
  - operator_id: "DE*ABC"
emps:
  - provider_id: "DE-ICE"
    broadcast_request: true
    authentication_data:
      - RFIDMifareFamilyIdentification: {UID: "7568290FFF765F"}
    contracts:
      - {operator_id: "DE*ABC", service_type: authorization}
      - {operator_id: "DE*ABC", service_type: reservation}
sub_operators:
  "DE*ABC": ["DE*SUB"]
"""


async def test_the_config_file_creates_emps_contracts_and_sub_operators(
    inbound: Inbound, tmp_path: Path
) -> None:
    path = tmp_path / "hub.yaml"
    path.write_text(CONFIG)
    config = read_config(path).data

    await apply_config(inbound.hub, config, path)
    await apply_partner_config(inbound.partners, config, path)

    emp = await inbound.partners.emp("DE-ICE")
    assert emp.broadcast_request and len(emp.authentication_data) == 1
    assert await inbound.partners.contracts(provider_id="DE-ICE") == [
        Contract("DE-ICE", "DE*ABC", ServiceType.AUTHORIZATION),
        Contract("DE-ICE", "DE*ABC", ServiceType.RESERVATION),
    ]
    assert await inbound.partners.sub_operators("DE*ABC") == ["DE*SUB"]


def test_a_contract_with_an_operator_the_file_lacks_is_refused_on_its_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hub.yaml"
    path.write_text('emps:\n  - provider_id: "DE-ICE"\n    contracts: [{operator_id: "DE*XYZ"}]\n')

    where = r"hub\.yaml:3: emps\[0\]\.contracts\[0\]\.operator_id: no such operator DE\*XYZ"
    with pytest.raises(ConfigError, match=where):
        read_config(path)
