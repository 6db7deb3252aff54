"""Running scenarios against the bundled stub or an external target."""

from __future__ import annotations

from cpo_stub import CPOStub
from hubsim.scenario import RunOptions, load_scenario, load_scenarios, run_scenarios
from hubsim.scenario.stage import StagePKI, stub_service_url
from simulator.model import ServerCertification
from simulator.oneshot import ServerCertChoice
from tests.scenarios.conftest import ONBOARDING, WriteScenario

START_STOP = """
name: start and stop
endpoint:
  stub:
    behaviours:
      - {evse_id: "DE*ABC*E0009", answer: {type: reject, code: "700"}}
steps:
  - id: start
    send: remote-start
    evse_id: "DE*ABC*E0001"
  - id: stop
    send: remote-stop
    evse_id: "DE*ABC*E0001"
    session_from: start
"""


async def test_onboarding_suite_passes_against_the_bundled_stub(options: RunOptions) -> None:
    report = await run_scenarios(load_scenarios([ONBOARDING]), options)
    failed = [
        (r.scenario.name, s.step.id, s.failures, s.error)
        for r in report.scenarios
        for s in r.steps
        if not s.passed
    ]
    assert failed == []
    assert report.passed


async def test_example_scenarios_pass_against_the_bundled_stub(options: RunOptions) -> None:
    report = await run_scenarios(load_scenarios([ONBOARDING.parent / "examples"]), options)
    assert report.passed


async def test_step_sends_the_session_id_of_an_earlier_step(
    write_scenario: WriteScenario, options: RunOptions
) -> None:
    report = await run_scenarios([load_scenario(write_scenario(START_STOP))], options)
    start, stop = (step.exchange for step in report.scenarios[0].steps)
    assert start is not None and stop is not None
    assert stop.request_body["SessionID"] == start.session_id
    assert report.passed


async def test_unmet_expectation_fails_the_step_with_what_came_back(
    write_scenario: WriteScenario, options: RunOptions
) -> None:
    text = START_STOP.replace('"DE*ABC*E0001"\n  - id: stop', '"DE*ABC*E0009"\n  - id: stop')
    report = await run_scenarios([load_scenario(write_scenario(text))], options)
    start = report.scenarios[0].steps[0]
    assert not report.passed
    assert start.failures == (
        "expected outcome accepted, got rejected: The CPO answered Result false with "
        "StatusCode 700 (EVSE out of service.).",
    )


async def test_step_without_the_earlier_session_is_not_run(
    write_scenario: WriteScenario, options: RunOptions
) -> None:
    dropped = (
        '"DE*ABC*E0001"\n    stub: {answer: {type: close}}\n'
        "    expect: {outcome: connection_closed}\n"
    )
    text = START_STOP.replace('"DE*ABC*E0001"\n', dropped, 1)
    report = await run_scenarios([load_scenario(write_scenario(text))], options)
    stop = report.scenarios[0].steps[1]
    assert stop.exchange is None
    assert stop.error is not None and "step 'start' got no SessionID back" in stop.error


async def test_latency_bound_is_checked_against_the_measured_time(
    write_scenario: WriteScenario, options: RunOptions
) -> None:
    path = write_scenario(
        """
        name: slow backend
        steps:
          - id: start
            send: remote-start
            evse_id: "DE*ABC*E0001"
            stub: {answer: {type: delay, seconds: 0.05}}
            expect: {outcome: accepted, max_latency_ms: 1}
        """
    )
    report = await run_scenarios([load_scenario(path)], options)
    (failure,) = report.scenarios[0].steps[0].failures
    assert failure.startswith("took ") and failure.endswith("ms, more than max_latency_ms 1")


async def test_step_stub_answer_applies_to_that_step_only(
    write_scenario: WriteScenario, options: RunOptions
) -> None:
    path = write_scenario(
        """
        name: one dropped connection
        defaults: {evse_id: "DE*ABC*E0001"}
        steps:
          - id: dropped
            send: remote-start
            stub: {answer: {type: close}}
            expect: {outcome: connection_closed}
          - id: retried
            send: remote-start
        """
    )
    report = await run_scenarios([load_scenario(path)], options)
    assert report.passed


async def test_offline_service_type_is_refused_by_the_hub(
    write_scenario: WriteScenario, options: RunOptions
) -> None:
    path = write_scenario(
        """
        name: authorization offline
        operator:
          services: {authorization: {online_request: false}}
        steps:
          - id: start
            send: remote-start
            evse_id: "DE*ABC*E0001"
            expect: {outcome: settings_invalid}
        """
    )
    report = await run_scenarios([load_scenario(path)], options)
    assert report.passed


async def test_failed_setup_marks_every_step_not_run(
    write_scenario: WriteScenario, options: RunOptions
) -> None:
    path = write_scenario(
        """
        name: user mode without the certificate to upload
        operator: {certification: user}
        endpoint: {url: "https://localhost:9/oicp"}
        steps:
          - {id: start, send: remote-start, evse_id: "DE*ABC*E0001"}
          - {id: again, send: remote-start, evse_id: "DE*ABC*E0002"}
        """
    )
    result = (await run_scenarios([load_scenario(path)], options)).scenarios[0]
    assert result.setup_error is not None and "--server-cert user:FILE" in result.setup_error
    assert [step.error is not None for step in result.steps] == [True, True]


async def test_target_replaces_the_endpoint_and_skips_stub_arrangements(
    write_scenario: WriteScenario, hubsim_pki: StagePKI
) -> None:
    async with CPOStub.from_pki_dir(hubsim_pki.files.directory) as backend:
        options = RunOptions(
            target=stub_service_url(backend, "/cpo"),
            pki_dir=hubsim_pki.files.directory,
            server_cert=ServerCertChoice(ServerCertification.HUBJECT),
        )
        report = await run_scenarios([load_scenario(write_scenario(START_STOP))], options)
        paths = [record.path for record in backend.records]
    result = report.scenarios[0]
    assert report.passed
    assert paths[0].startswith("/cpo/api/oicp/charging/v21/providers/DE*ICE/")
    assert "do not apply to an external endpoint" in result.notes[0]


async def test_user_mode_against_a_target_uploads_the_given_certificate(
    write_scenario: WriteScenario, hubsim_pki: StagePKI
) -> None:
    files = hubsim_pki.files
    async with CPOStub.from_pki_dir(files.directory, user_cert=True) as backend:
        options = RunOptions(
            target=stub_service_url(backend),
            pki_dir=files.directory,
            server_cert=ServerCertChoice(ServerCertification.USER, files.cpo_user_server_cert),
        )
        report = await run_scenarios([load_scenario(write_scenario(START_STOP))], options)
    exchange = report.scenarios[0].steps[0].exchange
    assert report.passed
    assert exchange is not None and exchange.server_certification == "user"


async def test_bad_client_certificate_is_reported_with_the_stubs_reason(
    write_scenario: WriteScenario, options: RunOptions
) -> None:
    path = write_scenario(
        """
        name: expired client certificate
        steps:
          - id: expired
            send: remote-start
            evse_id: "DE*ABC*E0001"
            client_certificate: expired
            expect: {outcome: client_cert_refused}
        """
    )
    step = (await run_scenarios([load_scenario(path)], options)).scenarios[0].steps[0]
    assert step.passed
    assert step.notes == ("the stub refused the handshake: certificate has expired",)


def test_scenario_paths_in_reports_are_the_given_ones(write_scenario: WriteScenario) -> None:
    path = write_scenario(START_STOP, "suite/start-stop.yaml")
    scenario = load_scenarios([path.parent])[0]
    assert scenario.path == path
    assert scenario.suite_name == "suite.start-stop"
