"""Run the fuzzer: generate bodies with Hypothesis, send them, classify, shrink, report.

Hypothesis drives generation only (phase ``generate``, a fixed ``--seed``, no example
database), bounded by ``--max-examples`` per target and ``--max-time`` in all; the test
function never raises, it records. Sending is synchronous from Hypothesis's point of view:
each example runs one request on the fuzzer's own event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings

from hubsim.fuzz.classify import Unexpected, Verdict, classify
from hubsim.fuzz.shrink import shrink
from hubsim.fuzz.strategies import Body, Mutator, valid_bodies
from oicp.identifiers import PROVIDER_ID_PATTERN
from oicp.json_schema import problems_of
from oicp.operations import Operation
from oicp.paths import RESERVATION_STYLES, hub_to_cpo_path, join_service_url
from simulator.check.calls import Call, CallResult, CheckClient, encode_body
from simulator.curl import CurlTLS, curl_command
from simulator.hub import HubIdentity
from simulator.model import WireProfile
from simulator.requests import WIRE_SHAPES
from simulator.tls import ServerTrust, build_client_context


class _TimeUp(Exception):
    """Raised in the test function once --max-time is up, to end Hypothesis's run."""


@dataclass(frozen=True)
class FuzzConfig:
    """What to fuzz and how long."""

    service_url: str
    trust: ServerTrust
    identity: HubIdentity
    expected: str
    provider_id: str = "DE*ICE"
    max_examples: int = 50
    max_time_s: float = 60.0
    seed: int = 0
    timeout_s: float = 10.0
    profile: WireProfile = WireProfile.HBS
    operations: tuple[Operation, ...] = tuple(Operation)


@dataclass(frozen=True)
class FuzzTarget:
    """One operation in one path style."""

    operation: Operation
    path_style: str

    @property
    def name(self) -> str:
        return f"{self.operation.value} ({self.path_style} path)"


@dataclass(frozen=True)
class Finding:
    """One UNEXPECTED class for one target, with its minimal body and a reproducer."""

    target: FuzzTarget
    unexpected: Unexpected
    reason: str
    url: str
    body: Body
    curl: str
    occurrences: int

    def to_json(self) -> dict[str, Any]:
        return {
            "class": self.unexpected.value,
            "operation": self.target.operation.value,
            "path_style": self.target.path_style,
            "url": self.url,
            "reason": self.reason,
            "minimal_body": self.body,
            "curl": self.curl,
            "occurrences": self.occurrences,
        }


@dataclass
class TargetRun:
    """What one target's examples found."""

    target: FuzzTarget
    examples: int = 0
    handled: int = 0
    valid: int = 0
    first: dict[Unexpected, tuple[Body, Verdict]] = field(default_factory=dict)
    counts: dict[Unexpected, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.target.operation.value,
            "path_style": self.target.path_style,
            "examples": self.examples,
            "valid_bodies": self.valid,
            "handled": self.handled,
            "unexpected": {k.value: v for k, v in sorted(self.counts.items(), key=_key)},
        }


def _key(item: tuple[Unexpected, int]) -> str:
    return item[0].value


@dataclass(frozen=True)
class FuzzReport:
    """Every target's counts and every finding; ``ok`` when nothing was UNEXPECTED."""

    config: FuzzConfig
    runs: tuple[TargetRun, ...]
    elapsed_s: float

    @property
    def findings(self) -> list[Finding]:
        return [f for run in self.runs for f in run.findings]

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "service_url": self.config.service_url,
            "seed": self.config.seed,
            "max_examples": self.config.max_examples,
            "max_time_s": self.config.max_time_s,
            "wire_profile": self.config.profile.value,
            "elapsed_s": round(self.elapsed_s, 3),
            "targets": [run.to_json() for run in self.runs],
            "findings": [f.to_json() for f in self.findings],
        }


def targets(operations: tuple[Operation, ...]) -> list[FuzzTarget]:
    """Each operation once; each reservation operation in both path styles."""
    found = []
    for operation in operations:
        styles = RESERVATION_STYLES if operation.is_reservation else (RESERVATION_STYLES[0],)
        found += [FuzzTarget(operation, style) for style in styles]
    return found


class Fuzzer:
    """Sends fuzzed bodies over mutual TLS with the hub's identity, on its own event loop."""

    def __init__(self, config: FuzzConfig, hubject_ca: Path | None) -> None:
        self.config = config
        self._loop = asyncio.new_event_loop()
        self._client = CheckClient(config.identity.client)
        self._ctx = build_client_context(config.identity.client, config.trust)
        self._tls = CurlTLS.for_trust(config.identity.client, config.trust, hubject_ca)
        self._deadline = 0.0  # the end of --max-time
        self._target_deadline = 0.0  # the end of the current target's share of it

    def run(self) -> FuzzReport:
        t0 = time.monotonic()
        self._deadline = t0 + self.config.max_time_s
        self._loop.run_until_complete(self._client.__aenter__())
        try:
            runs = tuple(self._run_targets(targets(self.config.operations)))
        finally:
            self._loop.run_until_complete(self._client.__aexit__(None, None, None))
            self._loop.close()
        return FuzzReport(self.config, runs, time.monotonic() - t0)

    def _run_targets(self, found: list[FuzzTarget]) -> list[TargetRun]:
        """Each target in turn; each gets an equal share of the time still left."""
        end = self._deadline
        runs = []
        for index, target in enumerate(found):
            share = (end - time.monotonic()) / (len(found) - index)
            self._target_deadline = min(end, time.monotonic() + share)
            runs.append(self._run_target(target))
        return runs

    # --- one target -------------------------------------------------------------------------

    def _run_target(self, target: FuzzTarget) -> TargetRun:
        run = TargetRun(target)
        self._explore(target, run)
        for unexpected, (body, verdict) in sorted(run.first.items(), key=lambda i: i[0].value):
            run.findings.append(self._finding(target, run, unexpected, body, verdict))
        return run

    def _explore(self, target: FuzzTarget, run: TargetRun) -> None:
        mutate = Mutator(target.operation, self.config.seed)

        def example(drawn: Body) -> None:
            if time.monotonic() >= self._target_deadline:
                raise _TimeUp  # --max-time: Hypothesis stops generating at the first raise
            body = mutate(drawn)
            verdict = self._judge(target, body)
            run.examples += 1
            run.valid += 1 if not problems_of(target.operation, body) else 0
            if verdict.unexpected is None:
                run.handled += 1
                return
            run.counts[verdict.unexpected] = run.counts.get(verdict.unexpected, 0) + 1
            run.first.setdefault(verdict.unexpected, (body, verdict))

        test = settings(
            max_examples=self.config.max_examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            print_blob=False,
            verbosity=Verbosity.quiet,
            report_multiple_bugs=False,
        )(seed(self.config.seed)(given(valid_bodies(target.operation))(example)))
        with contextlib.suppress(_TimeUp):
            test()

    def _finding(
        self,
        target: FuzzTarget,
        run: TargetRun,
        unexpected: Unexpected,
        body: Body,
        verdict: Verdict,
    ) -> Finding:
        def still_fails(candidate: Body) -> bool:
            return self._judge(target, candidate).unexpected is unexpected

        minimal = shrink(body, still_fails, lambda: time.monotonic() < self._deadline)
        final = self._judge(target, minimal)
        reason = final.reason if final.unexpected is unexpected else verdict.reason
        url = self.url(target, minimal)
        headers = dict(WIRE_SHAPES[self.config.profile].headers)
        command = curl_command(
            url, headers, encode_body(minimal), self._tls, timeout_s=self.config.timeout_s
        )
        return Finding(target, unexpected, reason, url, minimal, command, run.counts[unexpected])

    # --- sending ----------------------------------------------------------------------------

    def url(self, target: FuzzTarget, body: Body) -> str:
        """The body's own ProviderID goes in the path, as the hub does; the configured one
        when the body has none usable."""
        provider = body.get("ProviderID")
        if not isinstance(provider, str) or not PROVIDER_ID_PATTERN.fullmatch(provider):
            provider = self.config.provider_id
        path = hub_to_cpo_path(target.operation, provider, target.path_style)
        return join_service_url(self.config.service_url, path)

    def _judge(self, target: FuzzTarget, body: Body) -> Verdict:
        result = self._send(target, body)
        return classify(result, body_valid=not problems_of(target.operation, body))

    def _send(self, target: FuzzTarget, body: Body) -> CallResult:
        call = Call(
            url=self.url(target, body),
            ctx=self._ctx,
            timeout_s=self.config.timeout_s,
            mode_label=self.config.trust.mode.value,
            expected=self.config.expected,
            profile=self.config.profile,
        )
        return self._loop.run_until_complete(self._client.send_body(call, body))


def run_fuzz(config: FuzzConfig, hubject_ca: Path | None) -> FuzzReport:
    """Fuzz every target of ``config``; never raises for a misbehaving endpoint."""
    return Fuzzer(config, hubject_ca).run()
