"""docker-compose.yml runs the same commands as the CLI (Docker cannot run here, so the file
is checked against the CLI's own parser, the files it mounts and the ports it publishes)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from hubsim.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def parsed(compose: dict[str, Any], service: str) -> argparse.Namespace:
    command = compose["services"][service]["command"]
    assert command[0] == "hubsim"
    return build_parser().parse_args([str(part) for part in command[1:]])


def mounts(compose: dict[str, Any], service: str) -> dict[str, str]:
    volumes = compose["services"][service].get("volumes", [])
    return {v.split(":")[1]: v.split(":")[0] for v in volumes}


def test_every_service_command_parses_with_the_cli(compose: dict[str, Any]) -> None:
    for service in ("pki", "stub", "hub"):
        assert callable(parsed(compose, service).func)


def test_stub_and_hub_read_the_pki_that_pki_init_writes(compose: dict[str, Any]) -> None:
    pki_dir = parsed(compose, "pki").dir
    assert mounts(compose, "pki")[pki_dir] == "certs"
    for service in ("stub", "hub"):
        assert parsed(compose, service).pki == pki_dir
        assert mounts(compose, service)[pki_dir] == "certs"


def test_published_ports_are_the_ports_the_commands_listen_on(compose: dict[str, Any]) -> None:
    for service in ("stub", "hub"):
        (mapping,) = compose["services"][service]["ports"]
        assert int(str(mapping).rsplit(":", 1)[1]) == parsed(compose, service).port


def test_hub_config_file_exists_and_points_at_the_stub(compose: dict[str, Any]) -> None:
    args = parsed(compose, "hub")
    config_file = ROOT / mounts(compose, "hub")[args.config].removeprefix("./")
    config = yaml.safe_load(config_file.read_text())
    stub_port = parsed(compose, "stub").port
    for settings in config["operators"][0]["settings"].values():
        url = urlsplit(settings["service_url"])
        assert (url.hostname, url.port) == ("stub", stub_port)


def test_server_certificate_is_issued_for_the_stub_host_name(compose: dict[str, Any]) -> None:
    assert parsed(compose, "pki").host == "stub"


def test_hub_listening_off_loopback_has_an_admin_token(compose: dict[str, Any]) -> None:
    hub = compose["services"]["hub"]
    assert parsed(compose, "hub").host == "0.0.0.0"
    assert hub["environment"]["HUBSIM_ADMIN_TOKEN"]


def test_image_installs_every_package(compose: dict[str, Any]) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("oicp", "mockpki", "simulator", "cpo_stub", "hubsim"):
        assert f"COPY {package} {package}" in dockerfile
