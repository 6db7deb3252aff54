"""RequestTemplates: a load run's bodies are the request builder's, built and checked once per
kind of request, with a fresh EvseID and SessionID each."""

from __future__ import annotations

import dataclasses

import pytest

from oicp import Operation
from oicp.identifiers import SESSION_ID_PATTERN
from simulator.model import WireProfile
from simulator.requests import (
    RequestRefused,
    RequestTemplates,
    SendParams,
    _kind_of,
    prepare_request,
)

START = SendParams(evse_id="DE*ABC*E1000001", provider_id="DE*ICE", evco_id="DE-8EO-CAET5E4XY-3")
RESERVATION = dataclasses.replace(START, duration=15)


def without_session(body: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in body.items() if k != "SessionID"}


@pytest.mark.parametrize("profile", list(WireProfile))
@pytest.mark.parametrize(
    ("operation", "params"),
    [
        (Operation.AUTHORIZE_REMOTE_START, START),
        (Operation.AUTHORIZE_REMOTE_RESERVATION_START, RESERVATION),
    ],
)
def test_a_later_body_is_the_builders_body_for_its_evse_id(
    profile: WireProfile, operation: Operation, params: SendParams
) -> None:
    templates = RequestTemplates(profile)
    templates.body(operation, params)  # the first of its kind, built whole
    later = dataclasses.replace(params, evse_id="DE*ABC*E2000002")

    body = templates.body(operation, later)
    _, built = prepare_request(operation, later, profile)

    assert without_session(body) == without_session(built)
    assert list(body) == list(built)  # the members in the builder's order


def test_every_body_gets_a_new_valid_session_id() -> None:
    templates = RequestTemplates()
    ids = [templates.body(Operation.AUTHORIZE_REMOTE_START, START)["SessionID"] for _ in range(3)]

    assert len(set(ids)) == 3
    assert all(isinstance(i, str) and SESSION_ID_PATTERN.fullmatch(i) for i in ids)


def test_an_evse_id_the_rule_refuses_gets_the_builders_refusal() -> None:
    templates = RequestTemplates()
    templates.body(Operation.AUTHORIZE_REMOTE_START, START)
    bad = dataclasses.replace(START, evse_id="DE*ABC*" + "E" * 40)

    with pytest.raises(RequestRefused) as refused:
        templates.body(Operation.AUTHORIZE_REMOTE_START, bad)
    with pytest.raises(RequestRefused) as by_builder:
        prepare_request(Operation.AUTHORIZE_REMOTE_START, bad)

    assert refused.value.issues == by_builder.value.issues
    assert refused.value.issues[0].field == "evse_id"


def test_a_request_that_carries_its_session_id_is_built_whole() -> None:
    templates = RequestTemplates()
    stop = dataclasses.replace(START, session_id="b2688855-7f00-0002-6d8e-48d883f6abb6")

    body = templates.body(Operation.AUTHORIZE_REMOTE_STOP, stop)

    assert body == prepare_request(Operation.AUTHORIZE_REMOTE_STOP, stop)[1]


@pytest.mark.parametrize(
    "field",
    [f.name for f in dataclasses.fields(SendParams) if f.name not in ("evse_id", "session_id")],
)
def test_the_kind_of_a_request_names_every_other_field(field: str) -> None:
    value = 7 if field == "duration" else "DE*OTH"
    other = dataclasses.replace(START, **{field: value})

    assert _kind_of(Operation.AUTHORIZE_REMOTE_START, other) != _kind_of(
        Operation.AUTHORIZE_REMOTE_START, START
    )
