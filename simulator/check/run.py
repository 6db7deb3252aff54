"""The state of one check while its layers run, and the rule for skipping a layer.

A layer is SKIP when the thing it judges does not exist because an earlier layer failed
(no address, no connection, no answer, no acknowledgement). Its reason names the layer
that failed, and a skip caused by a skip names the original failure.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field

from httpguard import authority
from oicp import Acknowledgement, Operation, RemoteRequest
from simulator.check.calls import Answer, Call, CallResult, CheckClient, Failure
from simulator.check.plan import RESERVATION_MINUTES, CheckPlan, ServiceTarget, host_and_port
from simulator.check.report import LayerResult, LayerStatus, layer_info, skipped
from simulator.exchange import Outcome
from simulator.probes import Handshake, Resolved
from simulator.requests import SendParams, build_request
from simulator.tls import ServerTrust, build_client_context

# Which layer a failed first request belongs to (the hub's diagnosis outcome -> layer key).
# A timeout is the Latency layer's FAIL; anything after the handshake without an HTTP
# answer (a closed connection) is the HTTP layer's.
OUTCOME_LAYER = {
    Outcome.DNS_FAILURE: "dns",
    Outcome.CONNECTION_REFUSED: "tcp",
    Outcome.PLAIN_HTTP: "tls",
    Outcome.TLS_VERSION: "tls",
    Outcome.TLS_ERROR: "tls",
    Outcome.SERVER_CERT_EXPIRED: "server_certificate",
    Outcome.SERVER_CERT_NOT_YET_VALID: "server_certificate",
    Outcome.SERVER_CERT_UNTRUSTED: "server_certificate",
    Outcome.HOSTNAME_MISMATCH: "server_certificate",
    Outcome.CLIENT_CERT_REFUSED: "client_certificate",
    Outcome.TIMEOUT: "latency",
}


def outcome_layer(failure: Failure) -> str:
    """The layer key that owns a failed request."""
    return OUTCOME_LAYER.get(failure.outcome, "http")


@dataclass
class Run:
    """What the layers of one check have found so far."""

    plan: CheckPlan
    client: CheckClient
    results: dict[str, LayerResult] = field(default_factory=dict)
    resolved: Resolved | None = None
    handshake: Handshake | None = None
    handshake_error: BaseException | None = None
    first_request: RemoteRequest | None = None
    first: CallResult | None = None
    ack: Acknowledgement | None = None
    _contexts: dict[ServerTrust, ssl.SSLContext] = field(default_factory=dict)

    @property
    def host_port(self) -> tuple[str, int]:
        url = self.plan.first_url()
        return host_and_port(url) if url else ("", 443)

    @property
    def authority(self) -> str:
        """``host:port`` of the checked URL as a sentence writes it (``[::1]:8443``)."""
        return authority(*self.host_port)

    def context(self, trust: ServerTrust) -> ssl.SSLContext:
        """The hub's verifying client context for ``trust`` (built once per check)."""
        if trust not in self._contexts:
            self._contexts[trust] = build_client_context(self.plan.identity.client, trust)
        return self._contexts[trust]

    def call(self, target: ServiceTarget, operation: Operation) -> Call:
        """A request as the hub makes it: verifying context, the plan's timeout."""
        return Call(
            url=target.url_for(operation, self.plan.provider_id),
            ctx=self.context(target.trust),
            timeout_s=self.plan.timeout_s,
            mode_label=target.trust.mode.value,
            expected=target.expected,
            profile=self.plan.profile,
            anchors_pem=target.trust.anchors_pem,
            retired=target.trust.retired,
        )

    def request(self, operation: Operation, **values: object) -> RemoteRequest:
        """A valid OICP request for the plan's EVSE and provider."""
        params = SendParams(self.plan.evse_id, self.plan.provider_id, **values)  # type: ignore[arg-type]
        return build_request(operation, params)

    async def send_first(self) -> CallResult:
        """Send the first request (remote start, or reservation start) once."""
        if self.first is None:
            plan = self.plan
            extra: dict[str, object] = {}
            if plan.first_operation.is_reservation:
                extra["duration"] = RESERVATION_MINUTES
            self.first_request = self.request(plan.first_operation, **extra)
            call = self.call(plan.target, plan.first_operation)
            self.first = await self.client.send(call, self.first_request)
        return self.first

    @property
    def answer(self) -> Answer | None:
        return self.first if isinstance(self.first, Answer) else None

    # --- skipping ---------------------------------------------------------------------------

    def blocker(self, *keys: str) -> LayerResult | None:
        """The first of ``keys`` that failed or was skipped."""
        for key in keys:
            result = self.results.get(key)
            if result is not None and result.status in (LayerStatus.FAIL, LayerStatus.SKIP):
                return result
        return None

    def skip(self, key: str, cause: LayerResult, why: str = "") -> LayerResult:
        """SKIP ``key`` because of ``cause``; ``why`` says what is missing.

        A skipped ``cause`` stands for the failure that skipped it, which may be a later
        layer's: a backend that never answers skips Body (9) for Latency (11).
        """
        root = _root_key(cause)
        info = layer_info(root)
        missing = f" {why}" if why else ""
        return skipped(
            key,
            f"Not judged: layer {info.number} ({info.name}) failed.{missing}",
            f"Fix layer {info.number} ({info.name}) first.",
            blocked_by=root,
        )

    def skip_for_failure(self, key: str, failure: Failure) -> LayerResult:
        """SKIP ``key`` because the first request failed in an earlier (or the latency) layer."""
        owner = outcome_layer(failure)
        if owner == "latency":
            return skipped(
                key,
                f"Not judged: no HTTP answer arrived within {self.plan.timeout_s:g} s "
                "(see layer 11, Latency).",
                "Fix layer 11 (Latency) first.",
                blocked_by="latency",
            )
        cause = self.results.get(owner)
        if cause is None:  # the owning layer comes later; cannot happen for owners before "http"
            return skipped(key, f"Not judged: {failure.diagnosis.detail}", None)
        return self.skip(key, cause)


def _root_key(result: LayerResult) -> str:
    """The key of the failed layer behind ``result``: its own, or what blocked its skip."""
    cause = result.details.get("blocked_by") if result.status is LayerStatus.SKIP else None
    return cause if isinstance(cause, str) else result.key
