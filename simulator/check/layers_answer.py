"""Layers 8-11: the first request's HTTP answer, its body, what it means, and how fast it came.

OICP answers every request, refusals included, with HTTP 200 and an eRoamingAcknowledgement
in UTF-8 (OICP 2.3 §eRoamingAcknowledgement; digest §6), and asks for a remote start to be
answered in under 10 s including the network round trip.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from oicp import (
    Acknowledgement,
    OICPValidationError,
    acknowledgement_semantic_problems,
    describe,
    jsontext,
)
from simulator.check.calls import Answer, Failure
from simulator.check.fixes import fix_for
from simulator.check.report import LayerResult, LayerStatus, failed, passed, warned
from simulator.check.run import Run, outcome_layer
from simulator.diagnosis import body_excerpt, status_hint

BEST_PRACTICE_MS = 10_000.0
_EXCERPT = 120
_CONNECTION = ("settings", "url", "dns", "tcp", "tls")
_EARLIER = ("settings", "url", "dns", "tcp", "tls", "server_certificate", "client_certificate")


def excerpt(raw: bytes) -> str:
    """The start of a body, for sentences."""
    return body_excerpt(raw.decode("utf-8", errors="replace"), _EXCERPT)


def _no_answer(run: Run, key: str) -> LayerResult:
    """SKIP (or the HTTP layer's FAIL) when the first request got no HTTP answer."""
    first = run.first
    if first is None:
        cause = run.blocker(*_EARLIER)
        assert cause is not None, "the first request is sent unless an earlier layer failed"
        return run.skip(key, cause, "No request was sent.")
    assert isinstance(first, Failure)
    cause = run.blocker(*_CONNECTION)
    if cause is not None:  # e.g. a TLS handshake that timed out, and the request with it
        return run.skip(key, cause, "No connection was made.")
    if key == "http" and outcome_layer(first) == "http":
        mode = run.plan.target.trust.mode
        return failed("http", first.diagnosis.detail, fix_for(first.outcome, mode))
    if outcome_layer(first) == "http":
        return run.skip(key, run.results["http"])
    return run.skip_for_failure(key, first)


# --- layer 8 ----------------------------------------------------------------------------------


def layer_http(run: Run) -> LayerResult:
    """Layer 8: HTTP 200, a JSON content type, UTF-8."""
    answer = run.answer
    if answer is None:
        return _no_answer(run, "http")
    problems = _http_problems(answer, urlsplit(run.plan.first_url() or "").path)
    details = {
        "status": answer.status,
        "content_type": answer.content_type,
        "bytes": len(answer.raw),
    }
    if problems:
        reasons = "; ".join(reason for reason, _ in problems)
        fixes = " ".join(fix for _, fix in problems)
        return failed("http", reasons + ".", fixes, **details)
    return passed(
        "http",
        f"HTTP 200 with Content-Type {answer.content_type!r} and a UTF-8 body of "
        f"{len(answer.raw)} bytes.",
        **details,
    )


_ANSWER_200 = (
    "answer every OICP request, refusals included, with HTTP 200 and an eRoamingAcknowledgement."
)


def _http_problems(answer: Answer, path: str) -> list[tuple[str, str]]:
    problems = []
    if answer.status != 200:
        hint = status_hint(answer.status, path, answer.location)
        said = f"The endpoint answered HTTP {answer.status} instead of 200 ({excerpt(answer.raw)})"
        if hint is None:
            problems.append((said, _ANSWER_200[0].upper() + _ANSWER_200[1:]))
        else:
            # A web server's 404 or 405 page: the path is the likelier fault than the app.
            fix = (
                f"Route POST requests for {path} to your OICP endpoint, or correct the Service "
                "URL's path. If it is routed and your application answered itself, " + _ANSWER_200
            )
            problems.append((f"{said}: {hint}", fix))
    if answer.mimetype != "application/json":
        problems.append(
            (
                f"the Content-Type is {answer.content_type!r}, not application/json",
                "Send 'Content-Type: application/json; charset=utf-8'.",
            )
        )
    if answer.charset and answer.charset.lower().replace("-", "") != "utf8":
        problems.append(
            (
                f"the Content-Type declares charset {answer.charset!r}",
                "OICP requires UTF-8: encode the body in UTF-8 and declare charset=utf-8.",
            )
        )
    try:
        answer.raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(
            (
                f"the body is not valid UTF-8 (byte {exc.start} is {answer.raw[exc.start]:#04x})",
                "Encode the body in UTF-8, as OICP requires for every message.",
            )
        )
    return problems


# --- layer 9 ----------------------------------------------------------------------------------


def layer_body(run: Run) -> LayerResult:
    """Layer 9: a valid eRoamingAcknowledgement; each problem named by its JSON pointer."""
    answer = run.answer
    if answer is None:
        return _no_answer(run, "body")
    if answer.status != 200:
        return run.skip("body", run.results["http"], "A non-200 answer is not an acknowledgement.")
    try:
        text = answer.raw.decode("utf-8")
        pointer = jsontext.nesting_pointer(text)
        if pointer is not None:
            return _too_deep(pointer)
        parsed = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return failed(
            "body",
            f"The body is not JSON ({exc}); it starts with {excerpt(answer.raw)}.",
            "Answer with an eRoamingAcknowledgement JSON object: "
            '{"Result": true, "StatusCode": {"Code": "000"}, "SessionID": "…"}.',
        )
    try:
        run.ack = Acknowledgement.from_wire(parsed)
    except OICPValidationError as err:
        listed = "; ".join(f"{p.pointer or '/'}: {p.message}" for p in err.problems)
        problems = [
            {"pointer": p.pointer, "rule": p.rule, "message": p.message} for p in err.problems
        ]
        return failed(
            "body",
            f"The body is not a valid eRoamingAcknowledgement: {listed}.",
            "Correct each member named by its JSON pointer (OICP 2.3 §eRoamingAcknowledgement: "
            "Result boolean, StatusCode.Code a 3-digit string).",
            problems=problems,
        )
    return passed(
        "body",
        f"The body is a valid eRoamingAcknowledgement (Result {str(run.ack.result).lower()}, "
        f"StatusCode {run.ack.status_code.code}).",
        acknowledgement=run.ack.to_wire(explicit_nulls=True),
    )


def _too_deep(pointer: str) -> LayerResult:
    limit = jsontext.NESTING_MAX
    shown = pointer if len(pointer) <= 120 else pointer[:120] + "…"
    return failed(
        "body",
        f"The body is not a valid eRoamingAcknowledgement: {shown}: JSON nested deeper than "
        f"{limit} levels.",
        "Answer with an eRoamingAcknowledgement object alone; it nests a few levels only.",
        problems=[
            {"pointer": pointer, "rule": "nesting", "message": f"nested deeper than {limit} levels"}
        ],
    )


# --- layer 10 ---------------------------------------------------------------------------------


def layer_semantics(run: Run) -> LayerResult:
    """Layer 10: a known StatusCode, the SessionID echoed, lengths, and Result true."""
    ack, request = run.ack, run.first_request
    if ack is None or request is None:
        cause = run.blocker("body")
        assert cause is not None
        return run.skip("semantics", cause, "There is no acknowledgement to read.")
    findings = _semantic_findings(run, ack, request.session_id)
    details: dict[str, Any] = {
        "result": ack.result,
        "status_code": ack.status_code.code,
        "meaning": _meaning(ack),
        "session_id_sent": request.session_id,
        "session_id_received": ack.session_id,
        "cpo_partner_session_id": ack.cpo_partner_session_id,
    }
    worst = max((status for status, _, _ in findings), default=LayerStatus.PASS, key=_rank)
    if worst is LayerStatus.PASS:
        return passed(
            "semantics",
            f"Result true, StatusCode {ack.status_code.code} ({_meaning(ack)}), SessionID echoed, "
            "partner session IDs within their 250-character limit.",
            **details,
        )
    chosen = [f for f in findings if f[0] is worst]
    reason = " ".join(text for _, text, _ in chosen)
    fix = " ".join(dict.fromkeys(fix for _, _, fix in chosen))
    maker = failed if worst is LayerStatus.FAIL else warned
    return maker("semantics", reason, fix, **details)


def _rank(status: LayerStatus) -> int:
    return (LayerStatus.PASS, LayerStatus.WARN, LayerStatus.FAIL).index(status)


def _meaning(ack: Acknowledgement) -> str:
    code = ack.status_code
    return code.description or describe(code.code) or "a code outside the OICP table"


Finding = tuple[LayerStatus, str, str]


def _semantic_findings(run: Run, ack: Acknowledgement, session_id: str | None) -> list[Finding]:
    findings: list[Finding] = [
        (
            LayerStatus.FAIL,
            f"{p.pointer}: {p.message}.",
            "Use a code of the OICP 2.3 table and partner session IDs of at most 250 characters.",
        )
        for p in acknowledgement_semantic_problems(ack)
    ]
    findings += _session_findings(ack, session_id)
    findings += _result_findings(run, ack)
    return findings


def _session_findings(ack: Acknowledgement, session_id: str | None) -> list[Finding]:
    if ack.session_id is None:
        return [
            (
                LayerStatus.WARN,
                f"The acknowledgement does not echo the SessionID {session_id}.",
                "Return the request's SessionID in the acknowledgement.",
            )
        ]
    if ack.session_id != session_id:
        return [
            (
                LayerStatus.FAIL,
                f"The acknowledgement carries SessionID {ack.session_id}, but the request's "
                f"was {session_id}.",
                "Echo the request's SessionID unchanged: Hubject matches later messages by it.",
            )
        ]
    return []


def _result_findings(run: Run, ack: Acknowledgement) -> list[Finding]:
    code, what = ack.status_code.code, _plain_request(run)
    info = ack.status_code.additional_info
    if not ack.result and code == "000":
        return [
            (
                LayerStatus.FAIL,
                f"Result false with StatusCode 000 ({_meaning(ack)}) contradicts itself.",
                "Send Result true with 000, or Result false with the code of the refusal.",
            )
        ]
    if not ack.result:
        extra = f": {info}" if info else ""
        return [
            (
                LayerStatus.FAIL,
                f"The CPO answered the {what} with Result false, StatusCode {code} "
                f"({_meaning(ack)}){extra}.",
                f"Accept a {what} for {run.plan.evse_id} (choose an EVSE of yours that is "
                "available with --evse), or remove the cause the StatusCode names.",
            )
        ]
    if code != "000":
        return [
            (
                LayerStatus.WARN,
                f"Result true comes with StatusCode {code} ({_meaning(ack)}), not 000.",
                "Send StatusCode 000 with Result true.",
            )
        ]
    return []


def _plain_request(run: Run) -> str:
    if run.plan.first_operation.is_reservation:
        return "plain reservation start"
    return "plain remote start"


# --- layer 11 ---------------------------------------------------------------------------------


def _shorter_than_hubject(timeout_s: float) -> str | None:
    """The fix for a timeout the check chose shorter than Hubject's: a backend that answered
    in 4 s after a 3 s timeout is within the budget, and "answer faster" would be wrong."""
    if timeout_s * 1000 >= BEST_PRACTICE_MS:
        return None
    return (
        f"The check waited {timeout_s:g} s, less than the 10 s Hubject waits: run it with a "
        "timeout of 10 s (--timeout 10, or timeout_s in the admin API) to see whether the "
        "backend answers within Hubject's budget. If it needs longer than that, answer the "
        "request at once and act on the EVSE afterwards."
    )


def layer_latency(run: Run) -> LayerResult:
    """Layer 11: WARN above OICP's 10 s best practice, FAIL at the timeout."""
    first = run.first
    if not isinstance(first, Answer):
        # No connection worth timing: a failed TLS layer skips layers 6-12 (docs/check.md),
        # also when the request sent alongside its probe timed out.
        cause = run.blocker(*_CONNECTION)
        if cause is not None:
            return run.skip("latency", cause, "No connection was made to time.")
    if isinstance(first, Failure) and outcome_layer(first) == "latency":
        mode = run.plan.target.trust.mode
        return failed(
            "latency",
            first.diagnosis.detail,
            _shorter_than_hubject(run.plan.timeout_s) or fix_for(first.outcome, mode),
            timeout_s=run.plan.timeout_s,
        )
    answer = run.answer
    if answer is None:
        return _no_answer(run, "latency")
    ms = answer.elapsed_ms
    details = {"elapsed_ms": round(ms, 3), "timeout_s": run.plan.timeout_s}
    if ms > BEST_PRACTICE_MS:
        return warned(
            "latency",
            f"The endpoint answered in {ms / 1000:.1f} s; OICP asks for under 10 s including "
            "the network round trip.",
            "Answer the request at once and act on the EVSE afterwards.",
            **details,
        )
    return passed(
        "latency",
        f"The endpoint answered in {ms:.0f} ms (OICP best practice: under 10 s; timeout "
        f"{run.plan.timeout_s:g} s).",
        **details,
    )
