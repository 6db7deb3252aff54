"""Declarative scenarios: YAML files that drive the hub against a CPO endpoint.

``load_scenarios`` reads and checks files (errors name file, line and field),
``run_scenarios`` runs them, ``junit_xml`` and ``RunReport.to_json`` report them. The format
is defined by ``schema.json`` and described in ``docs/scenarios.md``.
"""

from hubsim.scenario.errors import FormatProblem, ScenarioFormatError, ScenarioSetupError
from hubsim.scenario.junit import junit_xml, write_junit
from hubsim.scenario.loader import find_scenario_files, load_scenario, load_scenarios
from hubsim.scenario.model import (
    BehaviourRule,
    EndpointSpec,
    Expectation,
    OperatorSpec,
    Scenario,
    ServiceSpec,
    Step,
    StubSpec,
)
from hubsim.scenario.results import RunReport, ScenarioResult, StepResult
from hubsim.scenario.runner import RunOptions, run_scenario, run_scenarios
from hubsim.scenario.validate import scenario_schema

__all__ = [
    "BehaviourRule",
    "EndpointSpec",
    "Expectation",
    "FormatProblem",
    "OperatorSpec",
    "RunOptions",
    "RunReport",
    "Scenario",
    "ScenarioFormatError",
    "ScenarioResult",
    "ScenarioSetupError",
    "ServiceSpec",
    "Step",
    "StepResult",
    "StubSpec",
    "find_scenario_files",
    "junit_xml",
    "load_scenario",
    "load_scenarios",
    "run_scenario",
    "run_scenarios",
    "scenario_schema",
    "write_junit",
]
