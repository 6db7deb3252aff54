"""Wire profiles and tolerance variants in scenario files: the format's checks, and what a
scenario run sends (``hubsim scenario run --target`` an independent recorder)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hubsim.scenario import FormatProblem, ScenarioFormatError, load_scenario

from .support import Recorder, hubsim, node_recorder

STEPS = """
name: wire
operator: {{wire_profile: {operator}}}
defaults: {{evse_id: "DE*ABC*E0001"}}
steps:
  - id: start
    send: remote-start
{extra}
  - id: stop
    send: remote-stop
    session_from: start
    echo_cpo_partner_session_id: true
    wire: hbs
"""


def _write(tmp_path: Path, operator: str = "strict", extra: str = "") -> Path:
    path = tmp_path / "wire.yaml"
    path.write_text(STEPS.format(operator=operator, extra=extra))
    return path


def _problems(path: Path) -> list[FormatProblem]:
    with pytest.raises(ScenarioFormatError) as error:
        load_scenario(path)
    return list(error.value.problems)


def test_unknown_variant_is_refused_with_its_line_and_the_choices(tmp_path: Path) -> None:
    (problem,) = _problems(_write(tmp_path, extra="    variant: sideways"))
    assert (problem.line, problem.field) == (8, "steps[0].variant")
    assert "'sideways' is not a tolerance variant; use one of explicit-nulls" in problem.message


def test_unknown_wire_profile_is_refused_by_the_schema(tmp_path: Path) -> None:
    (problem,) = _problems(_write(tmp_path, operator="soap"))
    assert problem.field == "operator.wire_profile"


def test_echo_without_session_from_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "echo.yaml"
    path.write_text(
        'name: echo\nsteps:\n  - id: stop\n    send: remote-stop\n    evse_id: "DE*ABC*E0001"\n'
        '    session_id: "b2688855-7f00-0002-6d8e-48d883f6abb6"\n'
        "    echo_cpo_partner_session_id: true\n"
    )
    (problem,) = _problems(path)
    assert problem.field == "steps[0].echo_cpo_partner_session_id"


@pytest.fixture
def recorder(pki_dir: Path, tmp_path: Path) -> Iterator[Recorder]:
    with node_recorder(pki_dir, tmp_path / "node") as rec:
        yield rec


def test_scenario_sends_the_operators_profile_then_the_steps_own(
    recorder: Recorder, pki_dir: Path, tmp_path: Path
) -> None:
    ran = hubsim(
        "scenario", "run", str(_write(tmp_path)), "--target", recorder.url, "--pki", str(pki_dir)
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    start, stop = recorder.requests()
    assert "Connection" not in start["rawHeaders"]  # strict, the operator's profile
    assert None not in json.loads(start["body"]).values()
    assert "Keep-Alive" in stop["rawHeaders"]  # hbs, the step's own
    # The stop echoes what the recorder answered to the start.
    assert json.loads(stop["body"])["CPOPartnerSessionID"] == "REC-1"


def test_scenario_step_is_sent_as_its_variant(
    recorder: Recorder, pki_dir: Path, tmp_path: Path
) -> None:
    path = _write(tmp_path, extra="    variant: path-encoded-star")
    ran = hubsim("scenario", "run", str(path), "--target", recorder.url, "--pki", str(pki_dir))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    start, stop = recorder.requests()
    assert "/providers/DE%2AICE/" in start["url"] and "/providers/DE*ICE/" in stop["url"]


def test_fuzz_says_how_to_install_the_engine_when_it_is_absent(pki_dir: Path) -> None:
    import subprocess

    args = ["fuzz", "--url", "https://localhost:1", "--server-cert", "hubject"]
    code = (
        "import sys\n"
        "sys.modules['hypothesis'] = None  # as if it were not installed\n"
        "sys.modules['hypothesis_jsonschema'] = None\n"
        "from hubsim.cli import main\n"
        f"sys.exit(main({[*args, '--pki', str(pki_dir)]!r}))"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 2
    assert ran.stderr.strip() == (
        "hubsim: error: hubsim fuzz needs Hypothesis and hypothesis-jsonschema: install them "
        "with pip install '.[fuzz]' in hubsim's checkout (its optional extra 'fuzz')"
    )
