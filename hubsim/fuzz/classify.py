"""HANDLED or UNEXPECTED: what an answer to one fuzzed body means (docs/fuzz.md).

HANDLED: an eRoamingAcknowledgement; for an invalid body, Result false with a code that
says the request was wrong; Result true only for a valid body. UNEXPECTED: everything
else, each in one class, so that each class is shrunk and reported once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from oicp import Acknowledgement, OICPValidationError, jsontext
from simulator.check.calls import Answer, CallResult
from simulator.exchange import Outcome

# Codes that tell the sender its request was wrong (OICP 2.3 CodeType): 009 Data transaction
# error, 017 Unauthorized access, 018 Inconsistent EvseID, 019 Inconsistent EvcoID, 022 Data
# error, 300 Partner not found, 400 Session is invalid, 603 Unknown EVSE ID, 604 EVSE ID is
# not Hubject compatible. A 602 "EVSE already in use" for a body the CPO could not have
# understood is not a fitting answer.
FITTING_CODES = frozenset({"009", "017", "018", "019", "022", "300", "400", "603", "604"})


# Failures before any request reached the endpoint: nothing about its robustness, but a
# setup to fix first (hubsim check explains each).
SETUP_FAILURES = frozenset(
    {
        Outcome.DNS_FAILURE,
        Outcome.CONNECTION_REFUSED,
        Outcome.PLAIN_HTTP,
        Outcome.SERVER_CERT_EXPIRED,
        Outcome.SERVER_CERT_NOT_YET_VALID,
        Outcome.SERVER_CERT_UNTRUSTED,
        Outcome.HOSTNAME_MISMATCH,
        Outcome.TLS_VERSION,
        Outcome.CLIENT_CERT_REFUSED,
    }
)


class EndpointUnreachable(Exception):
    """The endpoint cannot be fuzzed: no request reaches it (the hub's diagnosis says why)."""


class Unexpected(enum.Enum):
    """The classes of UNEXPECTED answers; each is shrunk and reported once per operation."""

    HTTP_5XX = "http_5xx"
    HTTP_STATUS = "http_status"  # neither 200 nor 5xx
    NOT_JSON = "not_json"
    NOT_ACKNOWLEDGEMENT = "not_acknowledgement"
    CONNECTION_DROPPED = "connection_dropped"
    TIMEOUT = "timeout"
    RESULT_TRUE_FOR_INVALID = "result_true_for_invalid"
    UNFITTING_CODE = "unfitting_code"  # Result false for an invalid body, with a code that
    # does not say the request was wrong


@dataclass(frozen=True)
class Verdict:
    """One answer's class (None: HANDLED) and one sentence about it."""

    unexpected: Unexpected | None
    reason: str

    @property
    def handled(self) -> bool:
        return self.unexpected is None


def classify(result: CallResult, *, body_valid: bool) -> Verdict:
    """Judge one answer; ``body_valid`` is our own reader's verdict on the body sent."""
    if not isinstance(result, Answer):
        if result.outcome in SETUP_FAILURES:
            raise EndpointUnreachable(result.diagnosis.detail)
        if result.outcome is Outcome.TIMEOUT:
            return Verdict(Unexpected.TIMEOUT, result.diagnosis.detail)
        return Verdict(Unexpected.CONNECTION_DROPPED, result.diagnosis.detail)
    if result.status >= 500:
        return Verdict(Unexpected.HTTP_5XX, f"HTTP {result.status}")
    if result.status != 200:
        return Verdict(Unexpected.HTTP_STATUS, f"HTTP {result.status} instead of 200")
    try:
        parsed = jsontext.loads(result.raw.decode("utf-8"))
    except ValueError:  # not UTF-8, not JSON, or nested too deep
        return Verdict(Unexpected.NOT_JSON, "HTTP 200, but the body is not JSON")
    try:
        ack = Acknowledgement.from_wire(parsed)
    except OICPValidationError as err:
        return Verdict(Unexpected.NOT_ACKNOWLEDGEMENT, f"not an eRoamingAcknowledgement: {err}")
    return _judge_ack(ack, body_valid)


def _judge_ack(ack: Acknowledgement, body_valid: bool) -> Verdict:
    code = ack.status_code.code
    if body_valid:
        return Verdict(None, f"valid body: Result {str(ack.result).lower()}, StatusCode {code}")
    if ack.result:
        return Verdict(
            Unexpected.RESULT_TRUE_FOR_INVALID,
            f"Result true (StatusCode {code}) for a body that is not valid OICP",
        )
    if code not in FITTING_CODES:
        return Verdict(
            Unexpected.UNFITTING_CODE,
            f"Result false with StatusCode {code}, which does not say the request was wrong "
            f"(use e.g. 022 Data error)",
        )
    return Verdict(None, f"invalid body: Result false, StatusCode {code}")
