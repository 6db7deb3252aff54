"""``.ci/newest.py``: the suite against the newest releases, naming the upgrade that broke it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_newest", ROOT / ".ci" / "newest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ci_newest"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


newest = _load()


def test_pins_are_read_by_canonical_name() -> None:
    pins = newest.read_pins("# comment\nPyYAML==6.0.4\npytest_asyncio == 1.5.0\nnot a pin\n")
    assert pins == {"pyyaml": "6.0.4", "pytest-asyncio": "1.5.0"}


def test_upgrades_are_the_pinned_packages_at_another_version() -> None:
    found = newest.upgrades({"a": "1", "b": "2", "c": "3"}, {"a": "1", "b": "2.1", "d": "9"})
    assert [str(u) for u in found] == ["b from 2 to 2.1"]


@pytest.mark.parametrize("culprit", range(7))
def test_bisect_finds_the_one_upgrade_that_fails(culprit: int) -> None:
    candidates = [newest.Upgrade(f"p{i}", "1", "2") for i in range(7)]
    tried: list[list[str]] = []

    def fails_with(subset: list[object]) -> bool:
        tried.append([u.name for u in subset])  # type: ignore[attr-defined]
        return candidates[culprit] in subset

    assert newest.bisect(candidates, fails_with) == candidates[culprit]
    assert len(tried) <= 3  # halving: log2(7) rounded up


def test_a_broken_check_is_blamed_on_the_upgrade_that_broke_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A real throwaway environment, real installs from the package index: a tiny project
    # whose check fails unless iniconfig is at its pin; packaging is upgraded harmlessly.
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "tiny"\nversion = "1"\ndependencies = ["iniconfig", "packaging"]\n'
        "[tool.setuptools]\npy-modules = []\n"
    )
    pins = tmp_path / "pins.txt"
    pins.write_text("iniconfig==2.0.0\npackaging==24.0\n")
    check = "import importlib.metadata as m, sys; sys.exit(m.version('iniconfig') != '2.0.0')"
    code = newest.main(
        ["--project", str(project), "--extra", "", "--pins", str(pins), "--keep",
         str(tmp_path / "env"), "--", "python", "-c", check]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1, out
    assert "the upgrade of iniconfig from 2.0.0 to " in out and " breaks the check" in out
    assert "pins + nothing upgraded: the check passes" in out
