"""Fixtures: one mock PKI for every robustness test, and the OICP folder of ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mockpki import MockHubjectPKI

from .support import REPO


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("robustness-pki")
    MockHubjectPKI.create(host="localhost", operator_id="DE*ABC").write(folder)
    return folder


def official_oicp_dir() -> Path:
    """Hubject's OICP folder: ``$HUBSIM_OICP_DIR``, or ``shared/oicp`` beside the repository."""
    return Path(os.environ.get("HUBSIM_OICP_DIR") or REPO.parent / "shared" / "oicp")
