"""The reports of a run: JUnit XML (one testcase per step), JSON, and the readable text."""

from __future__ import annotations

import io
import json

from lxml import etree

from hubsim.scenario import RunOptions, junit_xml, load_scenario, run_scenarios
from hubsim.scenario.results import RunReport
from hubsim.scenario.text import scenario_lines, summary_line
from tests.scenarios.conftest import WriteScenario

MIXED = """
name: mixed results
spec: "OICP 2.3 CPO §eRoamingAuthorizeRemoteStart"
steps:
  - id: accepted
    send: remote-start
    evse_id: "DE*ABC*E0001"
  - id: wrong-code
    send: remote-start
    evse_id: "DE*ABC*E0001"
    expect: {status_code: "000"}
  - id: orphan-stop
    send: remote-stop
    evse_id: "DE*ABC*E0002"
    session_from: dropped
  - id: dropped
    send: remote-start
    evse_id: "DE*ABC*E0003"
    stub: {answer: {type: close}}
"""


async def mixed_report(write_scenario: WriteScenario, options: RunOptions) -> RunReport:
    # orphan-stop takes its SessionID from "lost", whose connection is dropped.
    text = MIXED.replace("session_from: dropped", "session_from: lost").replace(
        "  - id: orphan-stop",
        '  - id: lost\n    send: remote-start\n    evse_id: "DE*ABC*E0004"\n'
        "    stub: {answer: {type: close}}\n    expect: {outcome: connection_closed}\n"
        "  - id: orphan-stop",
    )
    return await run_scenarios([load_scenario(write_scenario(text, "suite/mixed.yaml"))], options)


async def test_junit_has_a_testsuite_per_scenario_and_a_testcase_per_step(
    write_scenario: WriteScenario, options: RunOptions
) -> None:
    root = etree.fromstring(junit_xml(await mixed_report(write_scenario, options)))
    (suite,) = root.findall("testsuite")
    names = [case.get("name") for case in suite.findall("testcase")]
    assert names == ["accepted", "wrong-code", "lost", "orphan-stop", "dropped"]
    assert {case.get("classname") for case in suite.findall("testcase")} == {"suite.mixed"}
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("5", "2", "1")
    assert root.get("tests") == "5"


async def test_junit_failure_carries_every_unmet_expectation(
    write_scenario: WriteScenario, options: RunOptions
) -> None:
    root = etree.fromstring(junit_xml(await mixed_report(write_scenario, options)))
    failure = root.find("testsuite/testcase[@name='wrong-code']/failure")
    assert failure is not None
    assert failure.get("message") == (
        "expected StatusCode 000 (Success.), got 602 (EVSE already in use/ wrong token.)"
    )


async def test_junit_step_that_could_not_be_sent_is_an_error(
    write_scenario: WriteScenario, options: RunOptions
) -> None:
    root = etree.fromstring(junit_xml(await mixed_report(write_scenario, options)))
    error = root.find("testsuite/testcase[@name='orphan-stop']/error")
    assert error is not None and "got no SessionID back" in (error.get("message") or "")


async def test_junit_names_the_spec_section_and_the_step_line(
    write_scenario: WriteScenario, options: RunOptions
) -> None:
    root = etree.fromstring(junit_xml(await mixed_report(write_scenario, options)))
    spec = root.find("testsuite/properties/property[@name='spec']")
    case = root.find("testsuite/testcase[@name='accepted']")
    assert spec is not None and spec.get("value") == "OICP 2.3 CPO §eRoamingAuthorizeRemoteStart"
    assert case is not None and case.get("line") == "4"


async def test_json_report_lists_each_step_with_its_exchange(
    write_scenario: WriteScenario, options: RunOptions
) -> None:
    data = json.loads(json.dumps((await mixed_report(write_scenario, options)).to_json()))
    steps = data["scenarios"][0]["steps"]
    assert (data["passed"], data["steps_passed"], data["steps_failed"]) == (False, 2, 3)
    assert steps[0]["exchange"]["outcome"] == "accepted"
    assert steps[3]["exchange"] is None


async def test_text_report_names_the_failed_step_and_why(
    write_scenario: WriteScenario, options: RunOptions
) -> None:
    report = await mixed_report(write_scenario, options)
    stream = io.StringIO()
    text = "\n".join(scenario_lines(report.scenarios[0], stream))
    assert text.startswith("FAIL  mixed results")
    assert "  FAIL  wrong-code   remote-start DE*ABC*E0001 -> rejected, Result false, 602" in text
    assert "expected StatusCode 000 (Success.), got 602" in text
    assert summary_line(report, stream) == "1 scenario, 5 steps: 2 passed, 3 failed"
