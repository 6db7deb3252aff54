"""Layer 12: a whole session, as an EMP would drive it through the hub.

For Authorization: the first request was a remote start, so a remote stop for the same
SessionID follows; then, when the Reservation service type is online, a reservation start
with a Duration and a reservation stop for its SessionID (against the Reservation Service
URL and trust). For Reservation: the first request was a reservation start, so a
reservation stop follows. The steps stop at the first one that fails. Nothing is tried
when layer 10 (Semantics) failed: the start was refused or its answer cannot be trusted.
"""

from __future__ import annotations

from dataclasses import dataclass

from yarl import URL

from oicp import Acknowledgement, OICPValidationError, Operation, RemoteRequest, jsontext
from simulator.check.calls import Answer, CallResult
from simulator.check.plan import RESERVATION_MINUTES, CheckPlan, ServiceTarget
from simulator.check.report import LayerResult, failed, passed
from simulator.check.run import Run
from simulator.diagnosis import status_hint
from simulator.model import ServiceType

_RESERVATIONS = (
    Operation.AUTHORIZE_REMOTE_RESERVATION_START,
    Operation.AUTHORIZE_REMOTE_RESERVATION_STOP,
)
# The statuses with which a backend says it has no such endpoint at all.
_NOT_OFFERED = (404, 405, 501)


@dataclass(frozen=True)
class Step:
    """One request of the round trip and what became of it."""

    operation: Operation
    url: str
    session_id: str | None
    ok: bool
    reason: str
    ack: Acknowledgement | None = None
    http_status: int | None = None  # None: no HTTP answer

    def to_json(self) -> dict[str, object]:
        return {
            "operation": self.operation.value,
            "url": self.url,
            "session_id": self.session_id,
            "ok": self.ok,
            "reason": self.reason,
        }


async def layer_round_trip(run: Run) -> LayerResult:
    """Layer 12: stop what was started; reserve and cancel when Reservation is online."""
    cause = run.blocker("semantics")
    if cause is not None:
        return run.skip("round_trip", cause, "No session was started cleanly, so none is stopped.")
    ack, first = run.ack, run.first_request
    assert ack is not None and first is not None and ack.result, "layer 10 would have failed"
    plan = run.plan
    steps = [await _stop(run, plan.target, plan.stop_operation, first, ack)]
    if steps[-1].ok and plan.reservation is not None:
        steps += await _reservation(run, plan.reservation)
    details = {"steps": [s.to_json() for s in steps], "reservation": plan.reservation_note}
    bad = next((s for s in steps if not s.ok), None)
    if bad is not None:
        return failed(
            "round_trip", f"{bad.operation.value} failed: {bad.reason}", _fix(bad, plan), **details
        )
    done = "; ".join(f"{s.operation.value} accepted (SessionID {s.session_id})" for s in steps)
    return passed("round_trip", f"{done}; {plan.reservation_note}.", **details)


async def _stop(
    run: Run,
    target: ServiceTarget,
    operation: Operation,
    start: RemoteRequest,
    ack: Acknowledgement,
) -> Step:
    request = run.request(
        operation,
        session_id=start.session_id,
        cpo_partner_session_id=ack.cpo_partner_session_id or start.cpo_partner_session_id,
        emp_partner_session_id=start.emp_partner_session_id,
    )
    return await _send(run, target, request)


async def _reservation(run: Run, target: ServiceTarget) -> list[Step]:
    start = run.request(Operation.AUTHORIZE_REMOTE_RESERVATION_START, duration=RESERVATION_MINUTES)
    started = await _send(run, target, start)
    if not started.ok or started.ack is None:
        return [started]
    stop = await _stop(run, target, Operation.AUTHORIZE_REMOTE_RESERVATION_STOP, start, started.ack)
    return [started, stop]


async def _send(run: Run, target: ServiceTarget, request: RemoteRequest) -> Step:
    call = run.call(target, request.operation)
    result = await run.client.send(call, request)
    ok, reason, ack = judge(result, request, call.url)
    status = result.status if isinstance(result, Answer) else None
    return Step(request.operation, call.url, request.session_id, ok, reason, ack, status)


def _fix(bad: Step, plan: CheckPlan) -> str:
    """What to do about the first step that failed."""
    if bad.operation not in _RESERVATIONS:
        return (
            "Make the backend accept a stop for the session it has just started (the same "
            f"SessionID), at {URL(bad.url).path}."
        )
    if bad.http_status in _NOT_OFFERED and plan.service_type is not ServiceType.RESERVATION:
        # A CPO need not offer reservations; the check only assumed it did.
        skip = (
            "run the check with --no-reservation"
            if plan.mode == "one-shot"
            else f"turn Online Request off for {plan.operator_id}'s Reservation service type"
        )
        return (
            f"If the backend offers no reservations, {skip}; otherwise route POST requests for "
            f"{URL(bad.url).path} to it, and accept a reservation start with a Duration "
            "followed by its stop."
        )
    return (
        "Make the backend accept a reservation start with a Duration followed by its stop "
        f"(the same SessionID), at {URL(bad.url).path}."
    )


def judge(
    result: CallResult, request: RemoteRequest, url: str
) -> tuple[bool, str, Acknowledgement | None]:
    """Whether one answer to ``request`` at ``url`` accepts it, with one sentence why not."""
    if not isinstance(result, Answer):
        return False, result.diagnosis.detail, None
    if result.status != 200:
        hint = status_hint(result.status, URL(url).path, result.location)
        said = f"; {hint}" if hint else ""
        return False, f"the endpoint answered HTTP {result.status} instead of 200{said}.", None
    try:
        # The hub's parser: a peer's body nested thousands of levels deep is refused, where
        # the json module would end the check in RecursionError.
        ack = Acknowledgement.from_wire(jsontext.loads(result.raw.decode("utf-8")))
    except (ValueError, OICPValidationError) as exc:
        return False, f"the answer is not a valid eRoamingAcknowledgement ({exc}).", None
    code = ack.status_code
    if not ack.result:
        info = f": {code.additional_info}" if code.additional_info else ""
        meaning = code.description or "no description"
        return False, f"Result false, StatusCode {code.code} ({meaning}){info}.", ack
    if ack.session_id is not None and ack.session_id != request.session_id:
        return (
            False,
            f"the answer carries SessionID {ack.session_id}, not {request.session_id}.",
            ack,
        )
    return True, f"Result true, StatusCode {code.code}.", ack
