"""docker-compose.yml runs the same commands as the CLI (Docker cannot run here, so the file
is checked against the CLI's own parser, the files it mounts and the ports it publishes;
tests/compose/ runs the services' commands as compose would)."""

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


def test_stub_and_hub_read_the_pki_that_pki_init_writes_to_the_hosts_certs(
    compose: dict[str, Any],
) -> None:
    pki_dir = parsed(compose, "pki").dir
    assert mounts(compose, "pki")[pki_dir] == "./certs"  # a bind mount: the host sees the files
    for service in ("stub", "hub"):
        assert parsed(compose, service).pki == pki_dir
        assert mounts(compose, service)[pki_dir] == "./certs"


def test_the_pki_is_written_only_when_absent(compose: dict[str, Any]) -> None:
    args = parsed(compose, "pki")
    assert args.if_absent and not args.force


def test_published_ports_are_the_ports_the_commands_listen_on(compose: dict[str, Any]) -> None:
    stub, hub = parsed(compose, "stub"), parsed(compose, "hub")
    expected = {"stub": {stub.port}, "hub": {hub.port, hub.oicp_port}}
    for service, ports in expected.items():
        published = {int(str(m).rsplit(":", 1)[1]) for m in compose["services"][service]["ports"]}
        assert published == ports


def test_the_stub_reports_to_the_hubs_oicp_port(compose: dict[str, Any]) -> None:
    url = urlsplit(parsed(compose, "stub").hub_url)
    assert (url.hostname, url.port) == ("hub", parsed(compose, "hub").oicp_port)
    assert parsed(compose, "hub").oicp_host == "0.0.0.0"


def test_healthchecks_use_routes_that_need_no_credentials(compose: dict[str, Any]) -> None:
    for service, route in (("hub", "/api/health"), ("stub", "/state")):
        test = compose["services"][service]["healthcheck"]["test"]
        assert test[:3] == ["CMD", "hubsim", "wait"] and test[-1].endswith(route)


def test_hub_config_file_exists_and_points_at_the_stub(compose: dict[str, Any]) -> None:
    args = parsed(compose, "hub")
    config_file = ROOT / mounts(compose, "hub")[args.config].removeprefix("./")
    config = yaml.safe_load(config_file.read_text())
    stub_port = parsed(compose, "stub").port
    for settings in config["operators"][0]["settings"].values():
        url = urlsplit(settings["service_url"])
        assert (url.hostname, url.port) == ("stub", stub_port)


def test_server_certificates_cover_the_service_names_and_localhost(
    compose: dict[str, Any],
) -> None:
    assert set(parsed(compose, "pki").host) == {"stub", "hub", "localhost"}


def test_hub_listening_off_loopback_has_an_admin_token(compose: dict[str, Any]) -> None:
    hub = compose["services"]["hub"]
    assert parsed(compose, "hub").host == "0.0.0.0"
    assert hub["environment"]["HUBSIM_ADMIN_TOKEN"]


def test_image_installs_every_package_and_ships_the_scenarios(compose: dict[str, Any]) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for folder in ("oicp", "mockpki", "simulator", "cpo_stub", "hubsim", "scenarios"):
        assert f"COPY {folder} {folder}" in dockerfile
    assert 'CMD ["hubsim", "demo"]' in dockerfile


def test_the_build_context_keeps_out_history_and_keys() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for pattern in (".git", "certs", "**/*.key", "**/*.sqlite3"):
        assert pattern in ignored
