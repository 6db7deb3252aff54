"""From a schema-valid scenario document to :class:`~hubsim.scenario.model.Scenario`.

The checks here need more than one field at a time: unique step ids, a ``session_from`` that
names an *earlier* step, a stop that has a SessionID, stub arrangements only where there is a
stub, and every request valid by the protocol layer's own rules (a dry build with
:func:`simulator.requests.build_request`, so a bad EvseID is caught before anything runs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cpo_stub.behaviour import Behaviour, BehaviourError, behaviour_from_json
from hubsim.scenario.errors import FormatProblem
from hubsim.scenario.model import (
    DEFAULT_OPERATOR_ID,
    DEFAULT_PROVIDER_ID,
    BehaviourRule,
    EndpointSpec,
    Expectation,
    OperatorSpec,
    Scenario,
    ServiceSpec,
    Step,
    StubSpec,
)
from oicp import Operation
from simulator.hub import operator_issues
from simulator.model import (
    Operator,
    ReservationPathStyle,
    ServerCertification,
    ServiceType,
    WireProfile,
)
from simulator.requests import RequestRefused, SendParams, build_request
from simulator.settings_rules import check_service_url
from simulator.tolerance import VARIANT_KEYS
from simulator.yaml_lines import JSONPath, LineMap, dotted

# Stands in for the SessionID a stop takes from an earlier step, for the dry build only.
_PLACEHOLDER_SESSION_ID = "00000000-0000-0000-0000-000000000000"
_REQUEST_FIELDS = ("provider_id", "evse_id", "evco_id", "duration", "partner_product_id")
_STOPS = (Operation.AUTHORIZE_REMOTE_STOP, Operation.AUTHORIZE_REMOTE_RESERVATION_STOP)
_ACK_OUTCOMES = (None, "accepted", "rejected")


def build_scenario(
    path: Path, data: dict[str, Any], lines: LineMap
) -> tuple[Scenario, list[FormatProblem]]:
    """The scenario and the problems found while building it (empty when it is sound)."""
    builder = _Builder(path, lines)
    scenario = builder.scenario(data)
    return scenario, sorted(builder.problems, key=lambda problem: problem.line)


class _Builder:
    def __init__(self, path: Path, lines: LineMap) -> None:
        self.path = path
        self.lines = lines
        self.problems: list[FormatProblem] = []

    def problem(self, where: JSONPath, message: str) -> None:
        line = self.lines.key_line(where)
        self.problems.append(FormatProblem(self.path, line, dotted(where), message))

    def scenario(self, data: dict[str, Any]) -> Scenario:
        endpoint = self.endpoint(data.get("endpoint"))
        steps = self.steps(data["steps"], data.get("defaults") or {}, endpoint)
        return Scenario(
            path=self.path,
            name=data["name"],
            spec=data.get("spec"),
            description=data.get("description"),
            operator=self.operator(data.get("operator") or {}),
            endpoint=endpoint,
            steps=tuple(steps),
            strict=bool(data.get("strict", False)),
        )

    # --- operator and endpoint --------------------------------------------------------

    def operator(self, data: dict[str, Any]) -> OperatorSpec:
        spec = OperatorSpec(
            operator_id=data.get("operator_id", DEFAULT_OPERATOR_ID),
            certification=ServerCertification.from_text(data.get("certification", "hubject")),
            certification_given="certification" in data,
            timeout_s=float(data.get("timeout_s", 10.0)),
            reservation_path_style=ReservationPathStyle(
                data.get("reservation_path_style", "hubject")
            ),
            wire_profile=WireProfile(data.get("wire_profile", "hbs")),
            services=self.services(data.get("services")),
        )
        operator = Operator(spec.operator_id, timeout_s=spec.timeout_s)
        for issue in operator_issues(operator):
            self.problem(("operator", issue.field), f"{issue.value!r} {issue.message}")
        return spec

    def services(self, data: dict[str, Any] | None) -> tuple[ServiceSpec, ...]:
        if data is None:
            return OperatorSpec().services
        return tuple(
            ServiceSpec(
                ServiceType.from_text(name),
                online_request=settings.get("online_request", True),
                broadcast_request=settings.get("broadcast_request", False),
            )
            for name, settings in data.items()
        )

    def endpoint(self, data: dict[str, Any] | None) -> EndpointSpec:
        if data is None:
            return EndpointSpec()
        if "url" in data:
            for message in check_service_url(data["url"]):
                self.problem(("endpoint", "url"), message)
            return EndpointSpec(url=data["url"])
        return EndpointSpec(stub=self.stub(data["stub"] or {}))

    def stub(self, data: dict[str, Any]) -> StubSpec:
        certificate = data.get("server_certificate")
        known = data.get("known_evses")
        rules = [
            BehaviourRule(
                self.behaviour(rule["answer"], ("endpoint", "stub", "behaviours", i, "answer")),
                rule.get("evse_id"),
            )
            for i, rule in enumerate(data.get("behaviours") or [])
        ]
        return StubSpec(
            server_certificate=ServerCertification.from_text(certificate) if certificate else None,
            path=data.get("path", ""),
            known_evses=tuple(known) if known is not None else None,
            unknown_evses=tuple(data.get("unknown_evses") or ()),
            behaviours=tuple(rules),
        )

    def behaviour(self, data: object, where: JSONPath) -> Behaviour:
        try:
            return behaviour_from_json(data, where=dotted(where))
        except BehaviourError as exc:
            message = str(exc).removeprefix(dotted(where)).lstrip(". ")
            self.problem(where, message)
            return behaviour_from_json({"type": "accept"})

    # --- steps --------------------------------------------------------------------------

    def steps(
        self, items: list[dict[str, Any]], defaults: dict[str, Any], endpoint: EndpointSpec
    ) -> list[Step]:
        steps: list[Step] = []
        for index, item in enumerate(items):
            step = self.step(index, item, defaults, [s.id for s in steps])
            if step.stub_answer is not None and not endpoint.is_stub:
                self.problem(
                    ("steps", index, "stub"),
                    "arranges the bundled stub, but the endpoint is an external url; remove "
                    "this stub: block (your backend must produce the answer itself)",
                )
            steps.append(step)
        return steps

    def step(
        self, index: int, item: dict[str, Any], defaults: dict[str, Any], earlier: list[str]
    ) -> Step:
        where: JSONPath = ("steps", index)
        fields = {name: item.get(name, defaults.get(name)) for name in _REQUEST_FIELDS}
        operation = Operation.from_slug(item["send"])
        if item["id"] in earlier:
            self.problem((*where, "id"), f"{item['id']!r} is already the id of an earlier step")
        self.session_source(where, item, operation, earlier)
        if fields["evse_id"] is None:
            self.problem(where, "has no evse_id: give one in the step or under defaults:")
        stub = item.get("stub")
        step = Step(
            id=item["id"],
            operation=operation,
            evse_id=fields["evse_id"] or "",
            provider_id=fields["provider_id"] or DEFAULT_PROVIDER_ID,
            line=self.lines.line_of(where),
            name=item.get("name"),
            evco_id=fields["evco_id"],
            duration=fields["duration"],
            partner_product_id=fields["partner_product_id"],
            session_id=item.get("session_id"),
            session_from=item.get("session_from"),
            client_certificate=item.get("client_certificate"),
            wire=WireProfile(item["wire"]) if "wire" in item else None,
            variant=self.variant(item.get("variant"), (*where, "variant")),
            echo_cpo_partner_session_id=bool(item.get("echo_cpo_partner_session_id", False)),
            stub_answer=self.behaviour(stub["answer"], (*where, "stub", "answer"))
            if stub
            else None,
            expect=self.expectation(item.get("expect"), (*where, "expect")),
        )
        if fields["evse_id"] is not None:
            self.dry_build(step, where, item)
        return step

    def variant(self, key: str | None, where: JSONPath) -> str | None:
        if key is not None and key not in VARIANT_KEYS:
            self.problem(
                where, f"{key!r} is not a tolerance variant; use one of {', '.join(VARIANT_KEYS)}"
            )
        return key

    def session_source(
        self, where: JSONPath, item: dict[str, Any], operation: Operation, earlier: list[str]
    ) -> None:
        source = item.get("session_from")
        if source is not None and "session_id" in item:
            self.problem((*where, "session_from"), "give session_from or session_id, not both")
        elif source is not None and source not in earlier:
            listed = (
                f"the steps before this one are: {', '.join(earlier)}"
                if earlier
                else "this is the first step, so put the start step before it"
            )
            self.problem((*where, "session_from"), f"{source!r} names no earlier step; {listed}")
        elif source is None and item.get("echo_cpo_partner_session_id"):
            self.problem(
                (*where, "echo_cpo_partner_session_id"),
                "echoes the CPOPartnerSessionID of the session_from step: add session_from",
            )
        elif source is None and "session_id" not in item and operation in _STOPS:
            self.problem(
                where,
                f"{operation.slug} needs a SessionID: add session_from: <id of the start step> "
                "(or session_id: <a literal SessionID>)",
            )

    def expectation(self, data: dict[str, Any] | None, where: JSONPath) -> Expectation:
        if data is None:
            return Expectation()
        expect = Expectation(
            outcome=data.get("outcome"),
            result=data.get("result"),
            status_code=data.get("status_code"),
            max_latency_ms=data.get("max_latency_ms"),
        )
        acknowledged = expect.result is not None or expect.status_code is not None
        if acknowledged and expect.outcome not in _ACK_OUTCOMES:
            self.problem(
                (*where, "outcome"),
                f"{expect.outcome!r} means no acknowledgement came back, so result and "
                "status_code cannot be checked; remove them or the outcome",
            )
        known = expect.outcome is not None and expect.result is not None
        # An outcome without an acknowledgement is refused above; no second, contrary hint.
        if (
            known
            and expect.outcome in _ACK_OUTCOMES
            and (expect.outcome == "accepted") is not expect.result
        ):
            agrees = "true" if expect.outcome == "accepted" else "false"
            self.problem(
                (*where, "result"),
                f"contradicts outcome {expect.outcome!r}, which means Result {agrees}: "
                f"write result: {agrees}, or leave result out",
            )
        return expect

    def dry_build(self, step: Step, where: JSONPath, item: dict[str, Any]) -> None:
        params = SendParams(
            evse_id=step.evse_id,
            provider_id=step.provider_id,
            evco_id=step.evco_id,
            session_id=step.session_id or _PLACEHOLDER_SESSION_ID,
            partner_product_id=step.partner_product_id,
            duration=step.duration,
        )
        try:
            build_request(step.operation, params)
        except RequestRefused as refused:
            for issue in refused.issues:
                self.problem(self.field_path(where, item, issue.field), issue.message)

    def field_path(self, where: JSONPath, item: dict[str, Any], name: str) -> JSONPath:
        """Where a request field was written: in the step, under defaults, or nowhere."""
        if name in item:
            return (*where, name)
        if ("defaults", name) in self.lines.values:
            return ("defaults", name)
        return (*where, name)
