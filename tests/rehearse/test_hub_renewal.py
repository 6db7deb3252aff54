"""Renewal day on Hubject's side, against the stub and nginx in their own processes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rehearse.conftest import case_of, outcomes

BOTH = ["stub", "nginx"]


@pytest.mark.parametrize("backend", BOTH)
def test_a_backend_trusting_root_and_intermediate_keeps_working_after_the_hub_renewal(
    rehearsal: dict[str, Any], backend: str
) -> None:
    case = case_of(rehearsal, "hub-renewal-trusts-ca", backend)
    assert case["ok"] and case["verdict"] == "keeps working"
    assert outcomes(case)[:2] == ["accepted", "accepted"]


@pytest.mark.parametrize("backend", BOTH)
def test_a_backend_that_pinned_the_old_leaf_fails_and_the_diagnosis_says_pinned_leaf(
    rehearsal: dict[str, Any], backend: str
) -> None:
    case = case_of(rehearsal, "hub-renewal-pinned-leaf", backend)
    before, after, previous = outcomes(case)
    assert (before, previous) == ("accepted", "accepted")
    assert after != "accepted"
    assert case["verdict"] == "pinned leaf" and case["ok"]
    assert case["diagnosis"].startswith("Pinned leaf:")
    assert "still accepts the previous service certificate" in case["diagnosis"]


def test_the_stub_refuses_a_renewed_leaf_it_did_not_pin_in_the_tls_handshake(
    rehearsal: dict[str, Any],
) -> None:
    after = case_of(rehearsal, "hub-renewal-pinned-leaf", "stub")["steps"][1]
    assert after["outcome"] in ("client_cert_refused", "connection_closed")


def test_nginx_pinning_by_fingerprint_answers_403_to_the_renewed_leaf(
    rehearsal: dict[str, Any],
) -> None:
    after = case_of(rehearsal, "hub-renewal-pinned-leaf", "nginx")["steps"][1]
    assert after["outcome"] == "http_status" and "HTTP 403" in after["detail"]


@pytest.mark.parametrize("backend", BOTH)
def test_a_backend_trusting_the_root_keeps_working_when_the_intermediate_rotates(
    rehearsal: dict[str, Any], backend: str
) -> None:
    case = case_of(rehearsal, "intermediate-rotation-trusts-root", backend)
    assert case["ok"] and case["verdict"] == "keeps working"
    assert outcomes(case)[:2] == ["accepted", "accepted"]


def test_a_backend_trusting_only_the_old_intermediate_fails_with_that_diagnosis(
    rehearsal: dict[str, Any],
) -> None:
    case = case_of(rehearsal, "intermediate-rotation-old-intermediate-only", "stub")
    before, after, fresh_from_old = outcomes(case)
    assert (before, fresh_from_old) == ("accepted", "accepted")
    assert after != "accepted"
    assert case["verdict"] == "trusts only the old intermediate" and case["ok"]
    assert "trusts only the old intermediate" in case["diagnosis"]


def test_the_old_intermediate_case_is_not_run_on_nginx_which_cannot_anchor_on_it(
    rehearsal: dict[str, Any],
) -> None:
    backends = {
        c["backend"]
        for c in rehearsal["cases"]
        if c["case"] == "intermediate-rotation-old-intermediate-only"
    }
    assert backends == {"stub"}
