"""Fixtures for the plugin's tests: pytester runs inner test sessions with the plugin loaded.

``pytest_plugins = ["pytester"]`` is refused in a conftest below the root, so pytester is
registered when this conftest is configured instead. Inner sessions reuse the outer
session's PKI (``--hubsim-pki``), so they do not generate RSA keys again.
"""

from __future__ import annotations

from collections.abc import Callable
from textwrap import dedent

import pytest

from hubsim.scenario.stage import StagePKI

InnerRun = Callable[..., pytest.RunResult]


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


@pytest.fixture
def run_inner(pytester: pytest.Pytester, hubsim_pki: StagePKI) -> InnerRun:
    """Write ``source`` as a test module of a fresh project and run pytest on it in-process.

    ``mode`` is the project's asyncio_mode ("auto", or "strict" as many CPO projects use),
    or None for a project with no asyncio configuration at all.
    """

    def run(source: str, *args: str, mode: str | None = "auto") -> pytest.RunResult:
        asyncio_lines = (
            f"asyncio_mode = {mode}\nasyncio_default_fixture_loop_scope = function\n"
            if mode is not None
            else ""  # a project that never configured pytest-asyncio
        )
        pytester.makeini(f"[pytest]\n{asyncio_lines}")
        pytester.makepyfile(test_inner=dedent(source))
        pki = str(hubsim_pki.files.directory)
        # "--opt=value" in one word: pytest looks for its ini file next to path-like words.
        # Hypothesis, when installed, spends a second on its summary of every inner run.
        quiet = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
        return pytester.runpytest(f"--hubsim-pki={pki}", *quiet, *args)

    return run
