"""Scenario files that break the format: every error names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubsim.errors import CLIError
from hubsim.scenario import FormatProblem, ScenarioFormatError, load_scenario, load_scenarios
from tests.scenarios.conftest import WriteScenario

MINIMAL = """
name: minimal
steps:
  - id: start
    send: remote-start
    evse_id: "DE*ABC*E0001"
"""


def problems_of(path: Path) -> list[FormatProblem]:
    with pytest.raises(ScenarioFormatError) as error:
        load_scenario(path)
    return list(error.value.problems)


def only(problems: list[FormatProblem]) -> FormatProblem:
    assert len(problems) == 1, problems
    return problems[0]


def test_minimal_scenario_loads_with_defaults(write_scenario: WriteScenario) -> None:
    scenario = load_scenario(write_scenario(MINIMAL))
    step = scenario.steps[0]
    assert (scenario.operator.operator_id, step.provider_id) == ("DE*ABC", "DE*ICE")
    assert scenario.endpoint.is_stub and step.expect.outcome == "accepted"


def test_yaml_syntax_error_names_the_line(write_scenario: WriteScenario) -> None:
    path = write_scenario("name: x\nsteps:\n  - id: a\n    send: [remote-start\n")
    problem = only(problems_of(path))
    assert (problem.file, problem.field) == (path, "(YAML syntax)")
    assert problem.line == 5


def test_unknown_field_names_its_line_and_the_allowed_fields(write_scenario: WriteScenario) -> None:
    path = write_scenario(MINIMAL + "    expect:\n      statuscode: '602'\n")
    problem = only(problems_of(path))
    assert (problem.line, problem.field) == (7, "steps[0].expect.statuscode")
    assert "allowed here: max_latency_ms, outcome, result, status_code" in problem.message


def test_missing_required_field_is_named(write_scenario: WriteScenario) -> None:
    path = write_scenario("name: x\nsteps:\n  - id: a\n    evse_id: 'DE*ABC*E1'\n")
    problem = only(problems_of(path))
    assert (problem.line, problem.field, problem.message) == (
        3,
        "steps[0].send",
        "is required but missing",
    )


def test_unknown_operation_lists_the_choices(write_scenario: WriteScenario) -> None:
    path = write_scenario(MINIMAL.replace("send: remote-start", "send: remote-begin"))
    problem = only(problems_of(path))
    assert (problem.line, problem.field) == (4, "steps[0].send")
    assert "remote-start, remote-stop, reservation-start, reservation-stop" in problem.message


def test_unquoted_status_code_asks_for_quotes(write_scenario: WriteScenario) -> None:
    path = write_scenario(MINIMAL + "    expect: {status_code: 000}\n")
    problem = only(problems_of(path))
    assert problem.field == "steps[0].expect.status_code"
    assert 'write it in quotes, as text (e.g. "000")' in problem.message


def test_duplicate_key_is_refused(write_scenario: WriteScenario) -> None:
    path = write_scenario(MINIMAL + '    evse_id: "DE*ABC*E0002"\n')
    problem = only(problems_of(path))
    assert (problem.line, problem.field, problem.message) == (
        6,
        "steps[0].evse_id",
        "appears twice; keep one",
    )


def test_session_from_must_name_an_earlier_step(write_scenario: WriteScenario) -> None:
    path = write_scenario(
        MINIMAL + "  - id: stop\n    send: remote-stop\n    evse_id: 'DE*ABC*E0001'\n"
        "    session_from: later\n"
    )
    problem = only(problems_of(path))
    assert (problem.line, problem.field) == (9, "steps[1].session_from")
    assert "the steps before this one are: start" in problem.message


def test_stop_needs_a_session(write_scenario: WriteScenario) -> None:
    path = write_scenario(MINIMAL + "  - id: stop\n    send: remote-stop\n    evse_id: 'DE*E'\n")
    problems = problems_of(path)
    assert any(
        p.field == "steps[1]" and "needs a SessionID: add session_from" in p.message
        for p in problems
    )


def test_step_ids_are_unique(write_scenario: WriteScenario) -> None:
    path = write_scenario(
        MINIMAL + "  - id: start\n    send: remote-start\n    evse_id: 'DE*ABC*E2'\n"
    )
    problem = only(problems_of(path))
    assert (problem.line, problem.field) == (6, "steps[1].id")


def test_request_fields_follow_the_protocol_rules(write_scenario: WriteScenario) -> None:
    path = write_scenario(MINIMAL.replace('"DE*ABC*E0001"', '"de*abc*e0001"'))
    problem = only(problems_of(path))
    assert (problem.line, problem.field) == (5, "steps[0].evse_id")
    assert "is not a valid OICP EvseID" in problem.message


def test_bad_value_under_defaults_is_reported_there(write_scenario: WriteScenario) -> None:
    path = write_scenario(
        "name: x\ndefaults:\n  provider_id: 'not a provider'\nsteps:\n"
        "  - id: a\n    send: remote-start\n    evse_id: 'DE*ABC*E1'\n"
    )
    problem = only(problems_of(path))
    assert (problem.line, problem.field) == (3, "defaults.provider_id")


def test_undeclared_variable_is_refused(write_scenario: WriteScenario) -> None:
    path = write_scenario(MINIMAL.replace('"DE*ABC*E0001"', '"${evse}"'))
    problem = only(problems_of(path))
    assert (problem.line, problem.field) == (5, "steps[0].evse_id")
    assert "uses ${evse}, which is not declared under variables:" in problem.message


def test_set_replaces_a_declared_variable(write_scenario: WriteScenario) -> None:
    text = "variables: {evse: 'DE*ABC*E0001'}\n" + MINIMAL.replace('"DE*ABC*E0001"', '"${evse}"')
    path = write_scenario(text)
    assert load_scenario(path).steps[0].evse_id == "DE*ABC*E0001"
    assert load_scenario(path, {"evse": "DE*XYZ*E7"}).steps[0].evse_id == "DE*XYZ*E7"


def test_set_for_a_variable_no_scenario_declares_is_refused(
    write_scenario: WriteScenario,
) -> None:
    path = write_scenario(MINIMAL)
    with pytest.raises(CLIError, match="--set evse: no scenario declares such a variable"):
        load_scenarios([path], {"evse": "DE*XYZ*E7"})


def test_endpoint_is_the_stub_or_a_url_not_both(write_scenario: WriteScenario) -> None:
    path = write_scenario("endpoint:\n  stub: {}\n  url: https://cpo.example.com\n" + MINIMAL)
    problem = only(problems_of(path))
    assert (problem.line, problem.field) == (1, "endpoint")
    assert "exactly one of 'stub'" in problem.message


def test_service_url_follows_the_portal_rules(write_scenario: WriteScenario) -> None:
    path = write_scenario("endpoint: {url: 'http://cpo.example.com'}\n" + MINIMAL)
    problem = only(problems_of(path))
    assert (problem.line, problem.field) == (1, "endpoint.url")
    assert "uses http://" in problem.message


def test_stub_answer_with_an_external_url_is_refused(write_scenario: WriteScenario) -> None:
    text = "endpoint: {url: 'https://cpo.example.com'}\n" + MINIMAL
    path = write_scenario(text + "    stub: {answer: {type: reject, code: '602'}}\n")
    problem = only(problems_of(path))
    assert (problem.line, problem.field) == (8, "steps[0].stub")


@pytest.mark.parametrize("check", ["status_code: '000'", "result: true"])
def test_status_checks_need_an_acknowledging_outcome(
    write_scenario: WriteScenario, check: str
) -> None:
    path = write_scenario(MINIMAL + f"    expect: {{outcome: timeout, {check}}}\n")
    problem = only(problems_of(path))
    assert problem.field == "steps[0].expect.outcome"
    assert "no acknowledgement came back" in problem.message


def test_result_must_agree_with_the_outcome(write_scenario: WriteScenario) -> None:
    path = write_scenario(MINIMAL + "    expect: {outcome: accepted, result: false}\n")
    problem = only(problems_of(path))
    assert problem.field == "steps[0].expect.result"
    assert problem.message.endswith("write result: true, or leave result out")


def test_problems_of_every_file_are_reported_together(write_scenario: WriteScenario) -> None:
    first = write_scenario(MINIMAL.replace("remote-start", "remote-begin"), "a.yaml")
    second = write_scenario("name: [\n", "b.yaml")
    with pytest.raises(ScenarioFormatError) as error:
        load_scenarios([first.parent])
    assert [p.file.name for p in error.value.problems] == ["a.yaml", "b.yaml"]
    assert str(error.value).splitlines()[0].startswith(f"{first}:4: steps[0].send:")
    assert str(second) in str(error.value)


def test_a_folder_without_scenarios_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CLIError, match="holds no scenario files"):
        load_scenarios([tmp_path])


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        ("max_latency_ms: 0", "is 0; it must be more than 0"),
        ("max_latency_ms: ten", "is a string ('ten'); it must be a number"),
    ],
)
def test_bounds_and_types_are_said_in_words(
    write_scenario: WriteScenario, expect: str, message: str
) -> None:
    path = write_scenario(MINIMAL + f"    expect: {{{expect}}}\n")
    problem = only(problems_of(path))
    assert problem.field == "steps[0].expect.max_latency_ms"
    assert problem.message.startswith(message)


def test_a_step_id_with_other_characters_names_the_ones_allowed(
    write_scenario: WriteScenario,
) -> None:
    path = write_scenario(MINIMAL.replace("id: start", "id: 'bad id!'"))
    problem = only(problems_of(path))
    assert problem.message.startswith("'bad id!' is not allowed here: use letters, digits, - and _")


def test_a_first_step_taking_its_session_from_a_later_one_is_told_to_move_it(
    write_scenario: WriteScenario,
) -> None:
    text = MINIMAL.replace("send: remote-start", "send: remote-stop\n    session_from: start")
    problem = only(problems_of(write_scenario(text)))
    assert problem.field == "steps[0].session_from"
    assert problem.message.endswith("this is the first step, so put the start step before it")


def test_an_empty_step_list_is_said_in_words(write_scenario: WriteScenario) -> None:
    problem = only(problems_of(write_scenario("name: empty\nsteps: []\n")))
    assert (problem.field, problem.message) == ("steps", "is empty: give at least 1")
