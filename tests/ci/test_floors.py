"""hubsim works at the lowest versions its runtime ranges allow (``constraints/floors.txt``).

A fresh virtual environment gets hubsim with every runtime dependency at its floor, from
the package index; then the demo, a scenario with a JUnit report, and a portal page run
there, in separate processes, and a small `hubsim load` run (hdrhistogram). Together they use
every runtime dependency.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.docs.shell_blocks import copy_checkout

ROOT = Path(__file__).resolve().parents[2]
FLOORS = ROOT / "constraints" / "floors.txt"


def _floors() -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", FLOORS.read_text(), flags=re.M)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in found}


def _range_floors() -> dict[str, str]:
    text = (ROOT / "pyproject.toml").read_text()
    block = text[text.index("dependencies = [") : text.index("]", text.index("dependencies"))]
    found = re.findall(r'"([A-Za-z0-9_.-]+)>=([^,"]+),<[^"]+"', block)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in found}


@pytest.fixture(scope="module")
def floor_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("floors")
    checkout = copy_checkout(ROOT, folder / "checkout")
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-c", str(FLOORS),
         str(checkout)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-3000:]
    return venv / "bin"


def test_every_runtime_range_starts_at_its_floor_and_has_an_upper_bound() -> None:
    floors = _floors()
    ranges = _range_floors()
    assert sorted(ranges) == sorted(floors)  # every dependency has a bounded range and a floor
    for name, floor in floors.items():
        assert floor.startswith(ranges[name]), f"{name}: range floor {ranges[name]}, file {floor}"


def test_the_floor_environment_has_exactly_the_floor_versions(floor_env: Path) -> None:
    frozen = subprocess.run(
        [str(floor_env / "python"), "-m", "pip", "list", "--format=freeze"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    installed = {
        re.sub(r"[-_.]+", "-", n).lower(): v for n, v in re.findall(r"^(\S+)==(\S+)$", frozen, re.M)
    }
    assert {name: installed.get(name) for name in _floors()} == _floors()


def test_the_demo_runs_at_the_floors(floor_env: Path, tmp_path: Path) -> None:
    demo = subprocess.run(
        [str(floor_env / "hubsim"), "demo"], cwd=tmp_path, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "every step ended as expected" in demo.stdout


def test_a_scenario_with_a_junit_report_runs_at_the_floors(floor_env: Path, tmp_path: Path) -> None:
    scenario = ROOT / "scenarios" / "onboarding" / "remote-start-stop.yaml"
    run = subprocess.run(
        [str(floor_env / "hubsim"), "scenario", "run", str(scenario), "--junit", "out.xml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "<testcase" in (tmp_path / "out.xml").read_text()


def test_a_portal_page_renders_at_the_floors(floor_env: Path, tmp_path: Path) -> None:
    subprocess.run(
        [str(floor_env / "hubsim"), "pki", "init", "--dir", "certs"],
        cwd=tmp_path, capture_output=True, check=True,
    )  # fmt: skip
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    hub = subprocess.Popen(
        [str(floor_env / "hubsim"), "hub", "serve", "--pki", "certs", "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        waited = subprocess.run(
            [str(floor_env / "hubsim"), "wait", f"{base}/api/health"], capture_output=True,
            text=True, timeout=120,
        )  # fmt: skip
        assert waited.returncode == 0, waited.stderr
        with urllib.request.urlopen(f"{base}/portal/", timeout=30) as page:
            assert page.status == 200
            assert "Service Type Settings" in page.read().decode()
    finally:
        hub.kill()
        hub.wait()


def test_a_load_run_with_its_histograms_works_at_the_floors(
    floor_env: Path, tmp_path: Path
) -> None:
    hubsim = str(floor_env / "hubsim")
    subprocess.run(
        [hubsim, "pki", "init", "--dir", "certs"], cwd=tmp_path, capture_output=True, check=True
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stub = subprocess.Popen(
        [hubsim, "stub", "serve", "--pki", "certs", "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        waited = subprocess.run(
            [hubsim, "wait", f"localhost:{port}"], capture_output=True, text=True, timeout=120
        )
        assert waited.returncode == 0, waited.stderr
        run = subprocess.run(
            [hubsim, "load", "--url", f"https://localhost:{port}", "--server-cert", "hubject",
             "--pki", "certs", "-c", "2", "--requests", "20", "--json"],
            cwd=tmp_path, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        assert '"p99' in run.stdout or "p99" in run.stdout
    finally:
        stub.kill()
        stub.wait()
