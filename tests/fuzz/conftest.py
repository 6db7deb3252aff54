"""The servers under attack: each a ``hubsim … serve`` process of its own, per test module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockpki import MockHubjectPKI, PKIFiles
from tests.fuzz.targets import (
    Target,
    start_admin_target,
    start_oicp_target,
    start_stub_target,
    write_pki,
)
from tests.oicp.official import MISSING, OPENAPI_DIR, load_openapi


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    if not OPENAPI_DIR.is_dir():
        pytest.skip(MISSING)
    return load_openapi()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[MockHubjectPKI, PKIFiles]:
    return write_pki(tmp_path_factory.mktemp("fuzz-pki"))


@pytest.fixture(scope="module")
def stub_target(pki: tuple[MockHubjectPKI, PKIFiles], openapi: dict[str, Any]) -> Iterator[Target]:
    target = start_stub_target(*pki, openapi)
    yield target
    target.stop()


@pytest.fixture(scope="module")
def oicp_target(
    pki: tuple[MockHubjectPKI, PKIFiles], openapi: dict[str, Any], tmp_path_factory: Any
) -> Iterator[Target]:
    database = Path(tmp_path_factory.mktemp("fuzz-oicp")) / "hub.db"
    target = start_oicp_target(*pki, openapi, database)
    yield target
    target.stop()


@pytest.fixture(scope="module")
def admin_target(pki: tuple[MockHubjectPKI, PKIFiles], tmp_path_factory: Any) -> Iterator[Target]:
    database = Path(tmp_path_factory.mktemp("fuzz-admin")) / "hub.db"
    target = start_admin_target(pki[1], database)
    yield target
    target.stop()
