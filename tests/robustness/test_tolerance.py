"""The tolerance pack (``hubsim check --tolerance``) against real processes.

- ``python -m hubsim stub serve``: every variant tolerated;
- an independent recorder (node): each variant arrives as the pack says it writes it;
- the seeded backend behind nginx: refused variants are a WARN, broken ones a FAIL, and
  the printed curl command reproduces each finding;
- the seeded backend serving mutual TLS itself: a dropped connection is broken.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.tolerance import DIN_EVCO_ID, MISSPELLED_MEMBER, UNKNOWN_MEMBER, VARIANT_KEYS

from .support import (
    Recorder,
    hubsim,
    nginx_in_front,
    node_recorder,
    parse_curl,
    run_curl,
    seeded_backend,
    stub_process,
)


def _check(url: str, pki_dir: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    ran = hubsim(
        "check", "--url", url, "--server-cert", "hubject", "--pki", str(pki_dir),
        "--tolerance", "--json", *extra,
    )  # fmt: skip
    assert ran.stdout, ran.stderr
    return ran.returncode, json.loads(ran.stdout)


def _layer(report: dict[str, Any]) -> dict[str, Any]:
    (layer,) = [layer for layer in report["layers"] if layer["key"] == "tolerance"]
    return layer


def _variants(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["key"]: v for v in _layer(report)["details"]["variants"]}


@pytest.fixture(scope="module")
def stub_report(pki_dir: Path) -> dict[str, Any]:
    with stub_process(pki_dir) as stub:
        code, report = _check(stub.url, pki_dir)
    assert code == 0, report
    return report


@pytest.mark.parametrize("key", VARIANT_KEYS)
def test_stub_tolerates_variant(stub_report: dict[str, Any], key: str) -> None:
    found = _variants(stub_report)[key]
    assert found["verdict"] == "tolerated", found


def test_tolerance_layer_passes_when_every_variant_is_tolerated(
    stub_report: dict[str, Any],
) -> None:
    layer = _layer(stub_report)
    assert (layer["number"], layer["status"]) == (13, "PASS")


def test_every_finding_has_a_curl_reproducer_with_the_hubs_identity(
    stub_report: dict[str, Any], pki_dir: Path
) -> None:
    for variant in _variants(stub_report).values():
        curl = variant["curl"]
        assert f"--cert {pki_dir / 'hub-client.pem'}" in curl
        assert f"--key {pki_dir / 'hub-client.key'}" in curl
        assert f"--cacert {pki_dir / 'hubject-ca.pem'}" in curl


def test_check_without_tolerance_has_no_layer_13(pki_dir: Path) -> None:
    with stub_process(pki_dir) as stub:
        ran = hubsim(
            "check", "--url", stub.url, "--server-cert", "hubject", "--pki", str(pki_dir), "--json"
        )
    assert "tolerance" not in [layer["key"] for layer in json.loads(ran.stdout)["layers"]]


# --- what arrives: an independent recorder -----------------------------------------------


@pytest.fixture(scope="module")
def recorded(
    pki_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], Recorder]:
    with node_recorder(pki_dir, tmp_path_factory.mktemp("tolerance-node")) as recorder:
        code, report = _check(recorder.url, pki_dir)
    assert code == 0, report
    return report, recorder


def _arrived(recorded: tuple[dict[str, Any], Recorder], key: str) -> dict[str, Any]:
    """The request the recorder got that the variant's curl command sends."""
    report, recorder = recorded
    url, _, body = parse_curl(_variants(report)[key]["curl"])
    path = url.split("localhost:", 1)[1].split("/", 1)[1]
    for request in recorder.requests():
        if request["url"] == "/" + path and request["body"] == body:
            return request
    raise AssertionError(f"no recorded request is the one {key}'s curl command sends")


def _header(request: dict[str, Any], name: str) -> str:
    raw = request["rawHeaders"]
    return dict(zip(raw[0::2], raw[1::2], strict=True))[name]


def test_variants_arrive_as_written(recorded: tuple[dict[str, Any], Recorder]) -> None:
    def body(key: str) -> dict[str, Any]:
        return json.loads(_arrived(recorded, key)["body"])

    assert None in body("explicit-nulls").values()
    assert None not in body("members-omitted").values()
    assert "/providers/DE*ICE/" in _arrived(recorded, "path-literal-star")["url"]
    assert "/providers/DE%2AICE/" in _arrived(recorded, "path-encoded-star")["url"]
    for key, content_type in (
        ("content-type-charset-upper", "application/json;charset=UTF-8"),
        ("content-type-plain", "application/json"),
        ("content-type-charset-lower", "application/json; charset=utf-8"),
    ):
        assert _header(_arrived(recorded, key), "Content-Type") == content_type
    assert UNKNOWN_MEMBER in body("unknown-member")
    misspelled = body("misspelled-optional-member")
    assert MISSPELLED_MEMBER in misspelled and "EMPPartnerSessionID" not in misspelled
    assert list(body("remote-identification-alone")["Identification"]) == ["RemoteIdentification"]
    din = body("remote-identification-din-evco")["Identification"]["RemoteIdentification"]
    assert din == {"EvcoID": DIN_EVCO_ID}
    assert "SessionID" not in body("reservation-without-session-id")
    null_start = body("remote-start-session-id-null")
    assert "SessionID" in null_start and null_start["SessionID"] is None


def test_stop_echoes_the_cpo_partner_session_id_of_its_start(
    recorded: tuple[dict[str, Any], Recorder],
) -> None:
    _, recorder = recorded
    stop = _arrived(recorded, "stop-echoes-cpo-partner-session-id")
    sent = json.loads(stop["body"])
    requests = recorder.requests()
    index = requests.index(stop)
    start = json.loads(requests[index - 1]["body"])
    assert start["SessionID"] == sent["SessionID"]
    # The recorder numbers its answers: the start was answered REC-<index> (1-based).
    assert sent["CPOPartnerSessionID"] == f"REC-{index}"


# --- refused and broken: the seeded backend ----------------------------------------------


@pytest.fixture(scope="module")
def seeded_report(
    pki_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[int, dict[str, Any]]]:
    bugs = ["refuse-encoded-star", "unknown-member-500", "null-session-result-false"]
    with (
        seeded_backend(bugs) as backend,
        nginx_in_front(backend.url, pki_dir, tmp_path_factory.mktemp("nginx-tolerance")) as nginx,
    ):
        result = _check(nginx.url, pki_dir)
        yield result


def test_refused_variant_is_a_warn(seeded_report: tuple[int, dict[str, Any]]) -> None:
    _, report = seeded_report
    found = _variants(report)
    assert found["path-encoded-star"]["verdict"] == "refused"
    assert found["path-encoded-star"]["reason"] == "HTTP 400"
    assert found["remote-start-session-id-null"]["verdict"] == "refused"
    assert found["remote-start-session-id-null"]["reason"] == "Result false, StatusCode 022"


def test_broken_variant_is_a_fail(seeded_report: tuple[int, dict[str, Any]]) -> None:
    code, report = seeded_report
    assert _variants(report)["unknown-member"]["verdict"] == "broken"
    assert _layer(report)["status"] == "FAIL"
    assert code == 1


def test_variants_the_backend_handles_stay_tolerated(
    seeded_report: tuple[int, dict[str, Any]],
) -> None:
    _, report = seeded_report
    found = _variants(report)
    assert found["path-literal-star"]["verdict"] == "tolerated"
    assert found["remote-identification-din-evco"]["verdict"] == "tolerated"
    # A misspelled member is an unknown one too: the same seeded bug breaks it.
    assert found["misspelled-optional-member"]["verdict"] == "broken"


def test_curl_reproduces_the_refused_and_the_broken_variant(
    seeded_report: tuple[int, dict[str, Any]],
) -> None:
    _, report = seeded_report
    found = _variants(report)
    refused = run_curl(found["path-encoded-star"]["curl"])
    assert refused.stdout.rstrip().endswith("HTTP 400"), refused
    broken = run_curl(found["unknown-member"]["curl"])
    assert broken.stdout.rstrip().endswith("HTTP 500"), broken


def test_only_refused_variants_make_a_warn_and_exit_0(pki_dir: Path, tmp_path: Path) -> None:
    with (
        seeded_backend(["refuse-encoded-star"]) as backend,
        nginx_in_front(backend.url, pki_dir, tmp_path / "nginx") as nginx,
    ):
        code, report = _check(nginx.url, pki_dir)
    assert (_layer(report)["status"], code) == ("WARN", 0)


def test_dropped_connection_is_broken_and_curl_sees_it(pki_dir: Path) -> None:
    with seeded_backend(["charset-lower-drop"], tls_pki=pki_dir) as backend:
        code, report = _check(backend.url, pki_dir)
        found = _variants(report)["content-type-charset-lower"]
        replay = run_curl(found["curl"])
    assert found["verdict"] == "broken"
    assert code == 1
    assert replay.returncode != 0  # curl: empty reply from server


# --- the onboarding scenario ---------------------------------------------------------------


def test_onboarding_tolerance_scenario_passes_on_the_stub() -> None:
    ran = hubsim("scenario", "run", "scenarios/onboarding/tolerance.yaml", "--json")
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_onboarding_tolerance_scenario_fails_the_refused_step(
    pki_dir: Path, tmp_path: Path
) -> None:
    junit = tmp_path / "tolerance.xml"
    with (
        seeded_backend(["refuse-encoded-star"]) as backend,
        nginx_in_front(backend.url, pki_dir, tmp_path / "nginx") as nginx,
    ):
        ran = hubsim(
            "scenario", "run", "scenarios/onboarding/tolerance.yaml", "--target", nginx.url,
            "--pki", str(pki_dir), "--junit", str(junit),
        )  # fmt: skip
    assert ran.returncode == 1
    failed = [line for line in ran.stdout.splitlines() if line.strip().startswith("FAIL")]
    assert any("path-encoded-star " in line for line in failed), ran.stdout


def test_operator_check_through_the_hub_runs_the_pack_in_the_operators_profile(
    pki_dir: Path, tmp_path: Path
) -> None:
    import sys

    from .support import _popen, _read_until, _stop

    with stub_process(pki_dir) as stub:
        config = tmp_path / "hub.yaml"
        config.write_text(
            'operators:\n  - operator_id: "DE*ABC"\n    wire_profile: strict\n    settings:\n'
            f'      authorization: {{online_request: true, service_url: "{stub.url}"}}\n'
        )
        args = [sys.executable, "-m", "hubsim", "hub", "serve", "--pki", str(pki_dir)]
        proc = _popen([*args, "--port", "0", "--config", str(config)])
        try:
            hub = _read_until(proc, "admin API listening on").split(" on ")[1].split()[0]
            ran = hubsim(
                "check", "--operator", "DE*ABC", "--service", "authorization", "--hub", hub,
                "--tolerance", "--json",
            )  # fmt: skip
        finally:
            _stop(proc)
    report = json.loads(ran.stdout)
    assert ran.returncode == 0, report
    layer = _layer(report)
    assert (layer["status"], layer["details"]["profile"]) == ("PASS", "strict")


def test_user_certificate_mode_curl_trusts_the_uploaded_certificate(pki_dir: Path) -> None:
    user_file = pki_dir / "cpo-user-server.pem"
    with stub_process(pki_dir, user_cert=True) as stub:
        ran = hubsim(
            "check", "--url", stub.url, "--server-cert", f"user:{user_file}", "--pki",
            str(pki_dir), "--tolerance", "--json",
        )  # fmt: skip
        report = json.loads(ran.stdout)
        variant = _variants(report)["content-type-plain"]
        replay = run_curl(variant["curl"])
    assert ran.returncode == 0, report
    trusted = Path(variant["curl"].split("--cacert ", 1)[1].split(" ", 1)[0])
    assert trusted.read_text() == user_file.read_text()
    assert replay.stdout.rstrip().endswith("HTTP 200"), replay
