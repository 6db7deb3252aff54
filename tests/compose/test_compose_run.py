"""docker-compose.yml runs the whole product: each service's command as compose would run it.

Docker cannot run here, so ``compose_run.py`` starts every service's command with the file's
arguments and environment, its mounts mapped to temporary folders, inside a private network
and mount namespace whose ``/etc/hosts`` maps each service name to a loopback address. The
test then acts as "the host": it uses the published ports on localhost and the PKI's files
in the host's ``./certs``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DRIVER = Path(__file__).with_name("compose_run.py")
TOKEN = ["--admin-token", "change-me-to-a-long-random-token"]
HUB = ["--hub", "http://localhost:8080"]


class Compose:
    """The running services, and commands run "on the host" in their namespace."""

    def __init__(self, proc: subprocess.Popen[str], host: Path) -> None:
        self.proc = proc
        self.host = host

    def ask(self, **request: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._answer()

    def _answer(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(
                f"compose_run ended: {self.proc.stderr.read() if self.proc.stderr else ''}"
            )
        answer: dict[str, Any] = json.loads(line)
        return answer

    def hubsim(self, *args: str) -> dict[str, Any]:
        return self.ask(do="run", args=list(args))


def _namespace_prefix(hosts: Path) -> list[str]:
    unshare = shutil.which("unshare")
    ip = shutil.which("ip") or "/usr/sbin/ip"
    if unshare is None or not Path(ip).exists():
        pytest.skip("needs unshare and ip to give the services their own network and /etc/hosts")
    script = f'{ip} link set lo up && mount --bind {hosts} /etc/hosts && exec "$@"'
    # As root without a user namespace (servers may chown), as another user with one.
    for flags in (["--net", "--mount"], ["--net", "--mount", "--map-root-user"]):
        prefix = [unshare, *flags, "sh", "-c", script, "-"]
        if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    pytest.skip("this kernel does not allow a private network and mount namespace")


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Compose]:
    work = tmp_path_factory.mktemp("compose")
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    hosts = work / "hosts"
    lines = ["127.0.0.1 localhost"]
    lines += [f"127.0.0.{i + 2} {name}" for i, name in enumerate(services)]
    hosts.write_text("\n".join(lines) + "\n")
    proc = subprocess.Popen(
        [*_namespace_prefix(hosts), sys.executable, str(DRIVER), str(COMPOSE), str(work)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=work,
    )  # fmt: skip
    running = Compose(proc, work / "host")
    try:
        while running._answer()["step"] != "started":
            pass
        yield running
    finally:
        proc.communicate(timeout=60)  # closes its stdin: the services are stopped


def test_every_service_starts_and_passes_its_healthcheck(compose: Compose) -> None:
    # The fixture waited for pki to exit 0 and for each healthcheck command to pass.
    assert (compose.host / "certs" / "hubject-ca.pem").is_file()


def test_an_emp_remote_start_goes_through_the_hub_to_the_stub_and_back(compose: Compose) -> None:
    assert compose.hubsim("emp", "add", "DE-ICE", *HUB, *TOKEN)["code"] == 0
    assert (
        compose.hubsim("emp", "contract", "DE-ICE", "--with", "DE*ABC", *HUB, *TOKEN)["code"] == 0
    )
    started = compose.hubsim(
        "emp", "remote-start", "DE-ICE", "--evse", "DE*ABC*E0001", *HUB, *TOKEN
    )
    assert started["code"] == 0, started
    session = re.search(r"SessionID (\S+)", started["out"])
    assert session is not None
    sid = session[1]
    compose.ask(do="line", service="stub", text=f"-> hub: notification Progress SessionID={sid}")
    stopped = compose.hubsim(
        "emp", "remote-stop", "DE-ICE", "--evse", "DE*ABC*E0001", "--session-id", sid, *HUB, *TOKEN
    )
    assert stopped["code"] == 0, stopped
    cdr = compose.ask(do="line", service="stub", text=f"-> hub: CDR SessionID={sid}")
    assert cdr["line"].endswith("(ok)"), cdr  # the hub acknowledged the CDR
    shown = compose.hubsim("emp", "sessions", "--session-id", sid, "--json", *HUB, *TOKEN)
    timeline = json.dumps(json.loads(shown["out"]))
    for event in (
        "eRoamingAuthorizeRemoteStart",
        "eRoamingChargingNotification",
        "eRoamingChargeDetailRecord",
    ):
        assert event in timeline, event


def test_check_from_the_host_trusts_the_published_stub_port(compose: Compose) -> None:
    certs = str(compose.host / "certs")
    ran = compose.hubsim(
        "check", "--url", "https://localhost:8443", "--server-cert", "hubject", "--pki", certs,
        "--json",
    )  # fmt: skip
    layers = {layer["name"]: layer["status"] for layer in json.loads(ran["out"])["layers"]}
    # The certificate covers localhost as well as the service name "stub". (The pack of bad
    # client certificates is judged too; its TLS 1.3 refusals are issue 12's subject.)
    for name in ("Settings", "URL", "DNS", "TCP connect", "TLS handshake", "Server certificate"):
        assert layers[name] == "PASS", (name, ran["out"])


def test_the_pki_service_keeps_a_pki_that_is_already_there(compose: Compose) -> None:
    ca = (compose.host / "certs" / "hubject-ca.pem").read_bytes()
    again = compose.ask(do="once", service="pki")
    assert again["code"] == 0, again
    assert "kept the mock Hubject PKI" in again["out"]
    assert (compose.host / "certs" / "hubject-ca.pem").read_bytes() == ca


def test_a_restarted_hub_keeps_its_database_and_does_not_reapply_the_file(compose: Compose) -> None:
    restarted = compose.ask(do="restart", service="hub")
    assert "not applied: the database" in restarted["seen"], restarted
    listed = compose.hubsim("emp", "list", "--json", *HUB, *TOKEN)
    assert "DE-ICE" in listed["out"], listed
