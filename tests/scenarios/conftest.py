"""Helpers for the scenario tests: scenario files written to a temporary folder.

The runner reuses the session PKI of the hubsim plugin (``hubsim_pki``) through
``RunOptions(pki_dir=...)``, so each run does not generate RSA keys again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from hubsim.scenario import RunOptions
from hubsim.scenario.stage import StagePKI

REPO = Path(__file__).resolve().parents[2]
ONBOARDING = REPO / "scenarios" / "onboarding"

WriteScenario = Callable[..., Path]


@pytest.fixture
def write_scenario(tmp_path: Path) -> WriteScenario:
    """Write YAML (dedented) to ``tmp_path/name`` and return its path."""

    def write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


@pytest.fixture
def options(hubsim_pki: StagePKI) -> RunOptions:
    """Run options with the session PKI and the bundled stub."""
    return RunOptions(pki_dir=hubsim_pki.files.directory)
