"""Running scenarios: set up the operator and the endpoint, send each step, judge the answer.

Each scenario gets its own hub (in-memory storage, the product's settings rules) and, unless
the endpoint is external, its own bundled stub presenting the certificate its mode calls for.
Steps run in order; a step's SessionID can come from an earlier step's answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from cpo_stub import CPOStub, Expectation
from hubsim.scenario.errors import ScenarioSetupError
from hubsim.scenario.judge import judge
from hubsim.scenario.model import Scenario, Step, StubSpec
from hubsim.scenario.results import RunReport, ScenarioResult, StepResult
from hubsim.scenario.stage import (
    StagePKI,
    arrange_stub,
    configure_operator,
    open_hub,
    start_stub_for,
    stub_service_url,
    temporary_folder,
    user_certificate_upload,
)
from hubsim.scenario.stub_control import STARTS, left_over_state_note, prepare_stub
from simulator.exchange import Exchange, Outcome
from simulator.hub import Hub, HubError
from simulator.model import ServerCertification
from simulator.oneshot import ServerCertChoice
from simulator.requests import RequestRefused, SendParams
from simulator.tolerance import variant

NOT_STARTED = "(not started)"


@dataclass(frozen=True)
class RunOptions:
    """How to run: against the bundled stub, or ``target`` with the given certificates."""

    target: str | None = None  # a CPO's Service URL, replacing every scenario's endpoint
    pki_dir: Path | None = None  # None: a temporary PKI for this run
    server_cert: ServerCertChoice | None = None  # overrides each scenario's certification
    user_cert: Path | None = None  # with target: the upload of the User-certificate scenarios
    stub_control: str | None = None  # with target: the control API of a 'hubsim stub serve'
    strict: bool = False  # every scenario as if it said strict: true


async def run_scenarios(
    scenarios: Sequence[Scenario],
    options: RunOptions | None = None,
    *,
    on_result: Callable[[ScenarioResult], None] | None = None,
) -> RunReport:
    """Run every scenario in order; ``on_result`` sees each result as soon as it is known."""
    options = options or RunOptions()
    results: list[ScenarioResult] = []
    with temporary_folder("hubsim-scenarios-") as scratch:
        pki = _pki(options, Path(scratch))
        for scenario in scenarios:
            result = await run_scenario(scenario, pki, options)
            results.append(result)
            if on_result is not None:
                on_result(result)
    return RunReport(tuple(results))


def _pki(options: RunOptions, scratch: Path) -> StagePKI:
    if options.pki_dir is not None:
        return StagePKI.existing(options.pki_dir, scratch)
    return StagePKI.create(scratch)


async def run_scenario(scenario: Scenario, pki: StagePKI, options: RunOptions) -> ScenarioResult:
    """Run one scenario; a setup failure marks every step as not run."""
    async with AsyncExitStack() as stack:
        run = _ScenarioRun(scenario, pki, options, stack)
        try:
            await run.set_up()
        except ScenarioSetupError as exc:
            not_run = tuple(StepResult(s, error=f"not run: {exc}") for s in scenario.steps)
            return ScenarioResult(scenario, not_run, run.endpoint_label, str(exc), tuple(run.notes))
        steps = [await run.step(step) for step in scenario.steps]
        return ScenarioResult(scenario, tuple(steps), run.endpoint_label, notes=tuple(run.notes))
    raise AssertionError("unreachable")  # pragma: no cover - the with block always returns


class _ScenarioRun:
    """The running parts of one scenario and the answers of its steps so far."""

    def __init__(
        self, scenario: Scenario, pki: StagePKI, options: RunOptions, stack: AsyncExitStack
    ) -> None:
        self.scenario = scenario
        self.pki = pki
        self.options = options
        self.stack = stack
        self.service_url = NOT_STARTED
        self.endpoint_label = NOT_STARTED
        self.notes: list[str] = []
        self.stub: CPOStub | None = None
        self.hub: Hub | None = None
        self.exchanges: dict[str, Exchange] = {}
        self._bad_hubs: dict[str, Hub] = {}
        self._handshakes_noted = 0
        self._started: set[str] = set()  # EvseIDs this scenario's accepted starts opened

    @property
    def certification(self) -> ServerCertification:
        choice = self.options.server_cert
        return choice.mode if choice else self.scenario.operator.certification

    async def set_up(self) -> None:
        external = self.options.target or self.scenario.endpoint.url
        mode = f"{self.certification.value} mode"
        if external:
            self.service_url = self.endpoint_label = external
            upload = self._external_upload()
            if self.options.stub_control:
                self.notes += await prepare_stub(
                    self.options.stub_control, self.scenario.endpoint.stub
                )
            else:
                self._note_ignored_stub()
        else:
            self.service_url = await self._start_stub()
            upload = user_certificate_upload(self.pki) if self._user_mode else None
            self.endpoint_label = f"{self.service_url} (bundled stub, {self._stub_certificate})"
        self.endpoint_label += f"; {mode}"
        self._note_forced_mode()
        self.hub = await open_hub(self.pki.identity)
        self.stack.push_async_callback(self.hub.close)
        warnings = await configure_operator(
            self.hub, self.scenario.operator, self.service_url, self.certification, upload=upload
        )
        self.notes += [f"settings warning: {w.field}: {w.message}" for w in warnings]

    @property
    def _user_mode(self) -> bool:
        return self.certification is ServerCertification.USER

    def _external_upload(self) -> tuple[bytes, str] | None:
        if not self._user_mode:
            return None
        choice = self.options.server_cert
        upload = choice.user_file if choice is not None else self.options.user_cert
        if upload is None:
            raise ScenarioSetupError(
                "this scenario uses User certificate mode against an external endpoint: pass "
                "--user-cert FILE (the certificate your endpoint presents, to upload; the other "
                "scenarios keep their mode), or --server-cert user:FILE or hubject for all"
            )
        try:
            return upload.read_bytes(), upload.name
        except OSError as exc:
            raise ScenarioSetupError(f"cannot read {upload}: {exc.strerror}") from None

    def _note_forced_mode(self) -> None:
        """A scenario about one certification mode, run in the other by --server-cert, says
        so: its PASS read as evidence for the mode in its name."""
        declared = self.scenario.operator
        if declared.certification_given and declared.certification is not self.certification:
            self.notes.append(
                f"this scenario is about {declared.certification.value} mode, and --server-cert "
                f"ran it in {self.certification.value} mode: its result says nothing of "
                f"{declared.certification.value} mode (--user-cert FILE instead of --server-cert "
                "runs every scenario in its own mode)"
            )

    def _note_ignored_stub(self) -> None:
        if self.scenario.endpoint.stub != StubSpec():
            self.notes.append(
                "the endpoint: stub: arrangements do not apply to an external endpoint; your "
                "backend must give these answers itself"
            )

    @property
    def _stub_certificate(self) -> str:
        presented = self.scenario.endpoint.stub.server_certificate or self.certification
        if presented is ServerCertification.USER:
            return "self-signed cpo-user-server.pem"
        return "cpo-server.pem from the mock Hubject CA"

    async def _start_stub(self) -> str:
        spec = self.scenario.endpoint.stub
        stub = start_stub_for(self.pki, spec.server_certificate or self.certification)
        self.stub = await self.stack.enter_async_context(stub)
        arrange_stub(self.stub, spec)
        return stub_service_url(self.stub, spec.path)

    # --- steps ----------------------------------------------------------------------------

    async def step(self, step: Step) -> StepResult:
        session_id = self._session_for(step)
        if isinstance(session_id, StepResult):
            return session_id
        arranged_notes, arranged = self._arrange(step)
        notes = list(arranged_notes)
        try:
            hub = self._hub_for(step.client_certificate)
            exchange = await hub.send(
                self.scenario.operator.operator_id,
                step.operation,
                _params(step, session_id, self._cpo_partner_session_id(step)),
                profile=step.wire,
                variant=variant(step.variant) if step.variant else None,
            )
        except (RequestRefused, HubError, ScenarioSetupError) as refused:
            return StepResult(step, error=f"not sent: {refused}", notes=tuple(notes))
        finally:
            if arranged is not None and self.stub is not None:
                self.stub.core.expectations.remove(arranged)
        self.exchanges[step.id] = exchange
        notes += await self._refused_handshake(exchange)
        failures = tuple(judge(step.expect, exchange))
        if step.operation in STARTS and exchange.result:
            self._started.add(step.evse_id)
        strict = self.scenario.strict or self.options.strict
        if failures and not strict and bad_client_accepted(step, exchange):
            return StepResult(step, (), exchange, notes=tuple(notes), warnings=failures)
        if failures:
            notes += self._likely_causes(step, exchange)
        return StepResult(step, failures, exchange, notes=tuple(notes))

    def _likely_causes(self, step: Step, exchange: Exchange) -> list[str]:
        """Causes outside the endpoint's code that explain a failed step on an external one."""
        if self.stub is not None:
            return []
        causes = []
        if not self.options.stub_control:
            left_over = left_over_state_note(step.evse_id, exchange, self._started)
            causes += [left_over] if left_over else []
        if exchange.outcome is Outcome.SERVER_CERT_UNTRUSTED and self.options.pki_dir is None:
            causes.append(
                "no --pki was given, so this run made a fresh mock Hubject CA that your "
                "endpoint's certificate cannot chain to: if it comes from 'hubsim pki init "
                "--dir DIR', pass --pki DIR"
            )
        return causes

    async def _refused_handshake(self, exchange: Exchange) -> tuple[str, ...]:
        """What the stub said when it refused the hub's certificate (it logs that a moment
        after the hub saw the connection drop, so wait for it briefly)."""
        if self.stub is None or exchange.outcome is not Outcome.CLIENT_CERT_REFUSED:
            return ()
        seen = self._handshakes_noted + 1
        try:
            failures = await self.stub.wait_for_handshake_failures(seen, timeout=2.0)
        except TimeoutError:
            return ()
        self._handshakes_noted = len(failures)
        return (f"the stub refused the handshake: {failures[-1].reason}",)

    def _session_for(self, step: Step) -> str | StepResult | None:
        if step.session_from is None:
            return step.session_id
        earlier = self.exchanges.get(step.session_from)
        if earlier is None or earlier.session_id is None:
            how = f"outcome {earlier.outcome.value}" if earlier else "it was not sent"
            return StepResult(
                step,
                error=f"not run: step {step.session_from!r} got no SessionID back ({how}), "
                "so this step has no session to refer to",
            )
        return earlier.session_id

    def _cpo_partner_session_id(self, step: Step) -> str | None:
        """The CPOPartnerSessionID the ``session_from`` step's answer gave, to echo it."""
        if not step.echo_cpo_partner_session_id or step.session_from is None:
            return None
        earlier = self.exchanges.get(step.session_from)
        return earlier.cpo_partner_session_id if earlier else None

    def _arrange(self, step: Step) -> tuple[tuple[str, ...], Expectation | None]:
        if step.stub_answer is None:
            return (), None
        if self.stub is None:
            return ("stub: answer ignored: the endpoint is external",), None
        arranged = self.stub.expect_oneshot(step.evse_id, step.operation)
        return (), arranged.respond_with(step.stub_answer)

    def _hub_for(self, client_certificate: str | None) -> Hub:
        assert self.hub is not None
        if client_certificate is None:
            return self.hub
        if client_certificate not in self._bad_hubs:
            # Same storage, so the same operator and settings; only the client certificate differs.
            bad = Hub(self.hub.storage, self.pki.bad_identity(client_certificate))
            self.stack.push_async_callback(bad.sender.close)
            self._bad_hubs[client_certificate] = bad
        return self._bad_hubs[client_certificate]


# Outcomes that show the endpoint let a connection through to HTTP.
_PAST_TLS = frozenset(
    {
        Outcome.ACCEPTED,
        Outcome.REJECTED,
        Outcome.HTTP_STATUS,
        Outcome.NOT_JSON,
        Outcome.INVALID_ACKNOWLEDGEMENT,
        Outcome.NOT_HTTP,
        Outcome.HEADER_TOO_LARGE,
        Outcome.ANSWER_TOO_LARGE,
    }
)


def bad_client_accepted(step: Step, exchange: Exchange) -> bool:
    """A step that presented a bad client certificate, expected its refusal, and got through.

    Hubject enforces mutual TLS on connections into Hubject, not on its calls to partners, so
    such an endpoint still works with the real hub: a warning, unless the run is strict.
    """
    return (
        step.client_certificate is not None
        and step.expect.outcome == Outcome.CLIENT_CERT_REFUSED.value
        and exchange.outcome in _PAST_TLS
    )


def _params(step: Step, session_id: str | None, cpo_partner: str | None) -> SendParams:
    return SendParams(
        evse_id=step.evse_id,
        provider_id=step.provider_id,
        evco_id=step.evco_id,
        session_id=session_id,
        cpo_partner_session_id=cpo_partner,
        partner_product_id=step.partner_product_id,
        duration=step.duration,
    )
