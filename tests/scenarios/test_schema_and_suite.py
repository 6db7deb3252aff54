"""The JSON Schema of the format, and the onboarding suite that ships with it."""

from __future__ import annotations

import json

import jsonschema

from hubsim.scenario import load_scenarios, scenario_schema
from hubsim.scenario.stage import BAD_CLIENT_CERTIFICATES
from mockpki import MockHubjectPKI, bad_client_certificates
from oicp import Operation
from simulator.exchange import Outcome
from tests.scenarios.conftest import ONBOARDING, REPO


def test_schema_is_a_valid_json_schema() -> None:
    schema = scenario_schema()
    jsonschema.validators.validator_for(schema).check_schema(schema)


def test_schema_in_scenarios_folder_is_the_one_the_loader_uses() -> None:
    shipped = json.loads((REPO / "scenarios" / "schema.json").read_text(encoding="utf-8"))
    assert shipped == scenario_schema()


def test_schema_outcomes_are_the_outcomes_a_call_to_a_cpo_can_have() -> None:
    outcomes = scenario_schema()["$defs"]["expect"]["properties"]["outcome"]["enum"]
    assert outcomes == [outcome.value for outcome in Outcome if outcome.possible_for_cpo_calls]
    assert "request_invalid" not in outcomes and "emp_unreachable" not in outcomes


def test_schema_operations_are_the_four_hub_to_cpo_operations() -> None:
    sends = scenario_schema()["$defs"]["step"]["properties"]["send"]["enum"]
    assert sorted(sends) == sorted(op.slug for op in Operation if op.slug)


def test_bad_client_certificates_are_mockpkis_pack_except_none() -> None:
    pack = [bad.name for bad in bad_client_certificates(MockHubjectPKI.create())]
    enum = scenario_schema()["$defs"]["step"]["properties"]["client_certificate"]["enum"]
    assert enum == list(BAD_CLIENT_CERTIFICATES) == [n for n in pack if n != "no-certificate"]


def test_every_onboarding_scenario_names_the_spec_section_it_checks() -> None:
    scenarios = load_scenarios([ONBOARDING])
    assert len(scenarios) >= 8
    assert all(s.spec and "§" in s.spec for s in scenarios)


def test_onboarding_suite_covers_the_onboarding_cases() -> None:
    steps = [step for s in load_scenarios([ONBOARDING]) for step in s.steps]
    codes = {step.expect.status_code for step in steps}
    modes = {s.operator.certification.slug for s in load_scenarios([ONBOARDING])}
    operations = {step.operation for step in steps}
    assert {"603", "602", "400", "000"} <= codes
    assert modes == {"hubject", "user"}
    assert operations == set(Operation) - {op for op in Operation if not op.slug}
    assert any(step.expect.outcome == "client_cert_refused" for step in steps)
