"""Layer 13 (with ``--tolerance``): does the endpoint survive what the real hub sends?

After the round trip has shown a clean start and stop (the baseline), each variant of
:mod:`simulator.check.tolerance_pack` is sent over mutual TLS with the hub's identity and
judged against that baseline (docs/tolerance.md):

- **tolerated**: the same kind of answer as the baseline (Result true);
- **refused**: Result false, or an HTTP 4xx, where the baseline was accepted: a WARN,
  since the real hub would send it and the endpoint would refuse it;
- **broken**: a 5xx, not JSON, not an acknowledgement, or no answer at all: a FAIL.

Every finding carries a ``curl`` reproducer with ``--cert``, ``--key`` and ``--cacert``.
Each accepted start is stopped again (with the profile's own stop), so that the EVSE is
free for the next variant.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Any

from mockpki.files import PKIFiles
from oicp import Acknowledgement, OICPValidationError, Operation, jsontext
from simulator.check.calls import Answer, CallResult, encode_body
from simulator.check.plan import RESERVATION_MINUTES, ServiceTarget
from simulator.check.report import LayerResult, failed, passed, warned
from simulator.check.run import Run
from simulator.curl import CurlTLS, curl_command
from simulator.requests import WIRE_SHAPES, SendParams, build_request
from simulator.tolerance import VARIANTS, Draft, Variant


class Verdict(enum.Enum):
    TOLERATED = "tolerated"
    REFUSED = "refused"
    BROKEN = "broken"
    SKIPPED = "skipped"  # the variant does not apply to this check


@dataclass(frozen=True)
class Finding:
    """One variant's verdict, with why and how to send it again."""

    key: str
    title: str
    source: str
    verdict: Verdict
    reason: str
    curl: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "source": self.source,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "curl": self.curl,
        }


async def layer_tolerance(run: Run) -> LayerResult:
    """Layer 13: every variant of the pack, judged against the accepted baseline."""
    cause = run.blocker("semantics", "round_trip")
    if cause is not None:
        return run.skip("tolerance", cause, "The pack compares against an accepted baseline.")
    findings = [await _run_variant(run, variant) for variant in VARIANTS]
    details = {"variants": [f.to_json() for f in findings], "profile": run.plan.profile.value}
    broken = [f for f in findings if f.verdict is Verdict.BROKEN]
    refused = [f for f in findings if f.verdict is Verdict.REFUSED]
    tolerated = sum(1 for f in findings if f.verdict is Verdict.TOLERATED)
    if broken:
        return failed(
            "tolerance",
            f"{len(broken)} variant(s) broke the endpoint: {_names(broken)}.",
            "Answer every variant with HTTP 200 and an eRoamingAcknowledgement; the real hub "
            "sends them. Each finding has a curl command that sends it again.",
            **details,
        )
    if refused:
        return warned(
            "tolerance",
            f"{len(refused)} variant(s) refused where the baseline was accepted: "
            f"{_names(refused)}.",
            "Accept what the real hub sends (docs/tolerance.md gives each variant's source); "
            "each finding has a curl command that sends it again.",
            **details,
        )
    return passed("tolerance", f"All {tolerated} applicable variants tolerated.", **details)


def _names(findings: list[Finding]) -> str:
    return ", ".join(f"{f.key} ({f.reason})" for f in findings)


# --- one variant -------------------------------------------------------------------------------


async def _run_variant(run: Run, variant: Variant) -> Finding:
    plan = run.plan
    if variant.kind == "stop-echo":
        return await _stop_echo(run, variant)
    if variant.kind == "reservation-no-session":
        target = plan.reservation or (plan.target if plan.first_operation.is_reservation else None)
        if target is None:
            return _skip(variant, "the Reservation service type is not part of this check")
        return await _start(run, variant, target, Operation.AUTHORIZE_REMOTE_RESERVATION_START)
    if variant.kind == "start-null-session" and plan.first_operation.is_reservation:
        return _skip(variant, "a Reservation check sends no remote start")
    return await _start(run, variant, plan.target, plan.first_operation)


def _skip(variant: Variant, why: str) -> Finding:
    return Finding(variant.key, variant.title, variant.source, Verdict.SKIPPED, why)


def _draft(run: Run, target: ServiceTarget, operation: Operation, **values: object) -> Draft:
    plan = run.plan
    if operation is Operation.AUTHORIZE_REMOTE_RESERVATION_START:
        values.setdefault("duration", RESERVATION_MINUTES)
    evse = str(values.pop("evse_id", plan.evse_id))
    params = SendParams(evse, plan.provider_id, **values)  # type: ignore[arg-type]
    request = build_request(operation, params)
    shape = WIRE_SHAPES[plan.profile]
    return Draft(
        operation=operation,
        request=request,
        url=target.url_for(operation, plan.provider_id),
        headers=dict(shape.headers),
        body=shape.body(request),
    )


async def _start(
    run: Run, variant: Variant, target: ServiceTarget, operation: Operation
) -> Finding:
    spare = _spare_evse(run, variant)
    draft = _draft(run, target, operation, **({"evse_id": spare} if spare else {}))
    variant.mutate(draft)
    result = await _send(run, target, draft)
    verdict, reason, ack = classify(result)
    if verdict is Verdict.TOLERATED and ack is not None:
        session = ack.session_id or draft.body.get("SessionID")
        if isinstance(session, str):
            await _stop_quietly(run, target, draft, session, ack.cpo_partner_session_id)
    return _finding(run, variant, target, draft, verdict, reason)


def _spare_evse(run: Run, variant: Variant) -> str | None:
    """Variants whose session cannot be stopped use a spare EVSE each, never the baseline's."""
    spares = run.plan.spare_evse_ids
    if variant.kind == "reservation-no-session":
        return spares[0] if spares else None
    if variant.kind == "start-null-session":
        return spares[1] if len(spares) > 1 else None
    return None


async def _stop_echo(run: Run, variant: Variant) -> Finding:
    """Start as the baseline did, then stop with the CPOPartnerSessionID the start returned."""
    plan = run.plan
    start = _draft(run, plan.target, plan.first_operation)
    started = await _send(run, plan.target, start)
    verdict, reason, ack = classify(started)
    if ack is None or verdict is not Verdict.TOLERATED:
        return _skip(variant, f"the start before the stop was not accepted: {reason}")
    if not ack.cpo_partner_session_id:
        await _stop_quietly(run, plan.target, start, start.request.session_id or "", None)
        return _skip(variant, "the endpoint's answer to the start carried no CPOPartnerSessionID")
    stop = _draft(
        run,
        plan.target,
        plan.stop_operation,
        session_id=start.request.session_id,
        cpo_partner_session_id=ack.cpo_partner_session_id,
    )
    result = await _send(run, plan.target, stop)
    verdict, reason, _ = classify(result)
    return _finding(run, variant, plan.target, stop, verdict, reason)


async def _stop_quietly(
    run: Run, target: ServiceTarget, start: Draft, session_id: str, partner: str | None
) -> None:
    """End what a variant started; its answer is not judged (the round trip judged stops)."""
    operation = (
        Operation.AUTHORIZE_REMOTE_RESERVATION_STOP
        if start.operation.is_reservation
        else Operation.AUTHORIZE_REMOTE_STOP
    )
    if not session_id:
        return
    stop = _draft(
        run,
        target,
        operation,
        session_id=session_id,
        cpo_partner_session_id=partner,
        evse_id=start.request.evse_id,
    )
    await _send(run, target, stop)


async def _send(run: Run, target: ServiceTarget, draft: Draft) -> CallResult:
    call = run.call(target, draft.operation)
    call = dataclasses.replace(call, url=draft.url)
    return await run.client.send_body(call, draft.body, draft.headers)


def _finding(
    run: Run,
    variant: Variant,
    target: ServiceTarget,
    draft: Draft,
    verdict: Verdict,
    reason: str,
) -> Finding:
    plan = run.plan
    hubject_ca = PKIFiles(plan.pki_dir).hubject_ca if plan.pki_dir else None
    tls = CurlTLS.for_trust(plan.identity.client, target.trust, hubject_ca)
    command = curl_command(
        draft.url, draft.headers, encode_body(draft.body), tls, timeout_s=plan.timeout_s
    )
    return Finding(variant.key, variant.title, variant.source, verdict, reason, command)


def classify(result: CallResult) -> tuple[Verdict, str, Acknowledgement | None]:
    """Tolerated, refused or broken, measured against an accepted baseline."""
    if not isinstance(result, Answer):
        return Verdict.BROKEN, result.diagnosis.detail, None
    if result.status >= 500:
        return Verdict.BROKEN, f"HTTP {result.status}", None
    if 400 <= result.status < 500:
        return Verdict.REFUSED, f"HTTP {result.status}", None
    if result.status != 200:
        return Verdict.BROKEN, f"HTTP {result.status} instead of 200", None
    try:
        parsed = jsontext.loads(result.raw.decode("utf-8"))
    except ValueError:  # not UTF-8, not JSON, or nested too deep
        return Verdict.BROKEN, "the answer is not JSON", None
    try:
        ack = Acknowledgement.from_wire(parsed)
    except OICPValidationError as err:
        return Verdict.BROKEN, f"not an eRoamingAcknowledgement ({err})", None
    code = ack.status_code
    if not ack.result:
        return Verdict.REFUSED, f"Result false, StatusCode {code.code}", ack
    return Verdict.TOLERATED, f"Result true, StatusCode {code.code}", ack
