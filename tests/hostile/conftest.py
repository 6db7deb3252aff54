"""Fixtures of the hostile tests: one mock PKI, a hub process and a stub process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from mockpki import MockHubjectPKI, PKIFiles
from tests.hostile.processes import ADMIN_LINE, OICP_LINE, Server, serving

OPERATOR = "DE*ABC"


@pytest.fixture(scope="session")
def pki() -> MockHubjectPKI:
    return MockHubjectPKI.create(host="localhost", operator_id=OPERATOR)


@pytest.fixture(scope="session")
def pki_files(pki: MockHubjectPKI, tmp_path_factory: pytest.TempPathFactory) -> PKIFiles:
    return pki.write(tmp_path_factory.mktemp("pki"))


def hub_args(pki_files: PKIFiles, database: Path, *extra: str) -> list[str]:
    """``hub serve`` on free ports, with the OICP listener."""
    return [
        "hub",
        "serve",
        "--pki",
        str(pki_files.directory),
        "--db",
        str(database),
        "--port",
        "0",
        "--oicp-port",
        "0",
        *extra,
    ]


@pytest.fixture
async def hub_process(pki_files: PKIFiles, tmp_path: Path) -> AsyncIterator[Server]:
    """A hub with default limits: its admin URL first, then its OICP URL."""
    args = hub_args(pki_files, tmp_path / "hub.sqlite3")
    async with serving(args, [ADMIN_LINE, OICP_LINE]) as server:
        yield server
