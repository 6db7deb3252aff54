"""Fixtures of the backend matrix: one set of certificates and one process per backend set-up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mockpki import MockHubjectPKI
from tests.backends.materials import Materials
from tests.backends.pool import BackendPool


@pytest.fixture(scope="session")
def materials(tmp_path_factory: pytest.TempPathFactory) -> Materials:
    directory = Path(tmp_path_factory.mktemp("backends"))
    return Materials.create(MockHubjectPKI.create(host="localhost"), directory)


@pytest.fixture(scope="session")
def backends(materials: Materials) -> Iterator[BackendPool]:
    pool = BackendPool(materials)
    try:
        yield pool
    finally:
        pool.close()
