"""A user certificate replaced in Certificate Management, against the stub and nginx."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from tests.rehearse.conftest import HUBSIM, case_of, outcomes

BOTH = ["stub", "nginx"]


@pytest.mark.parametrize("backend", BOTH)
def test_new_upload_while_the_server_still_serves_the_old_one_is_diagnosed(
    rehearsal: dict[str, Any], backend: str
) -> None:
    case = case_of(rehearsal, "user-new-uploaded-old-served", backend)
    assert outcomes(case) == ["accepted", "server_cert_untrusted", "accepted"]
    assert case["verdict"] == "the server still serves the old certificate" and case["ok"]
    assert "still presents the old one" in case["diagnosis"]


@pytest.mark.parametrize("backend", BOTH)
def test_new_leaf_served_without_its_intermediate_is_diagnosed(
    rehearsal: dict[str, Any], backend: str
) -> None:
    case = case_of(rehearsal, "user-leaf-without-intermediate", backend)
    assert outcomes(case) == ["accepted", "server_cert_untrusted", "accepted"]
    assert case["verdict"] == "the server does not send its intermediate" and case["ok"]
    assert "without the intermediate that issued it" in case["diagnosis"]


@pytest.mark.parametrize("backend", BOTH)
def test_cn_matching_the_host_without_san_works_and_cites_hubjects_guide(
    rehearsal: dict[str, Any], backend: str
) -> None:
    case = case_of(rehearsal, "user-cn-without-san", backend)
    assert outcomes(case) == ["accepted"]
    assert case["verdict"] == "works by the CN alone (no SAN)" and case["ok"]
    assert "should match your domain" in case["diagnosis"] and "add the SAN" in case["diagnosis"]


@pytest.mark.parametrize("backend", BOTH)
def test_san_matching_the_host_with_another_cn_works_and_asks_for_the_cn(
    rehearsal: dict[str, Any], backend: str
) -> None:
    case = case_of(rehearsal, "user-san-without-cn", backend)
    assert outcomes(case) == ["accepted"]
    assert case["verdict"] == "works by the SAN (the CN differs)" and case["ok"]
    assert "set the CN to localhost" in case["diagnosis"]


@pytest.mark.parametrize("backend", BOTH)
def test_old_and_new_uploads_both_active_either_works(
    rehearsal: dict[str, Any], backend: str
) -> None:
    case = case_of(rehearsal, "user-overlap-both-active", backend)
    assert outcomes(case) == ["accepted", "accepted"]
    assert case["verdict"] == "either certificate works" and case["ok"]


@pytest.mark.parametrize("backend", BOTH)
def test_an_expired_old_upload_is_no_longer_trusted_and_the_new_one_works(
    rehearsal: dict[str, Any], backend: str
) -> None:
    case = case_of(rehearsal, "user-old-expired", backend)
    assert outcomes(case) == ["accepted", "server_cert_untrusted"]
    assert case["verdict"] == "the old certificate has expired" and case["ok"]
    assert "the old upload is Expired and the new one Active" in case["diagnosis"]


@pytest.mark.parametrize("backend", BOTH)
def test_a_backend_still_serving_an_expired_upload_is_told_which_upload_it_is(
    rehearsal: dict[str, Any], backend: str
) -> None:
    old = case_of(rehearsal, "user-old-expired", backend)["steps"][1]["detail"]
    assert "it is the upload old-expired-leaf.pem (Expired since " in old
    assert "the hub trusts Active uploads only" in old
    assert "upload that certificate" not in old


def test_the_text_report_quotes_the_hub_on_a_step_that_failed() -> None:
    argv = [*HUBSIM, "rehearse", "--case", "user-old-expired", "--backend", "stub"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stdout.splitlines() if line.startswith("    the hub said: ")]
    assert len(said) == 1  # the step that served the new certificate was accepted
    assert "it is the upload old-expired-leaf.pem (Expired since " in said[0]
