"""Run docker-compose.yml's services as compose would, without docker (it cannot run here).

Run inside a private network and mount namespace (see test_compose_run.py), where
``/etc/hosts`` maps each service name to a loopback address of its own. Each service's
command runs as its own process with the file's arguments and environment; its mounts map
to folders of a temporary "host": bind mounts of the project's files to those files, every
other bind mount and named volume to a fresh folder. The order and the conditions come from
``depends_on``: a ``service_completed_successfully`` service must exit 0, a
``service_healthy`` one must pass its healthcheck command.

    python compose_run.py COMPOSE_FILE WORK_DIR [PUBLISHED_HOST]

prints one JSON object per line: ``{"step", ...}``; a failure raises, naming the step.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import yaml

HUBSIM = [sys.executable, "-m", "hubsim"]
LINE_TIMEOUT_S = 120


class Service:
    """One service of the compose file, with its paths mapped onto the temporary host."""

    def __init__(self, name: str, spec: dict[str, Any], project: Path, host: Path) -> None:
        self.name = name
        self.spec = spec
        self.mounts: dict[str, Path] = {}
        for volume in spec.get("volumes", []):
            source, target = str(volume).split(":")[:2]
            if source.startswith("./") and (project / source).is_file():
                self.mounts[target] = project / source  # the project's own file
            else:
                self.mounts[target] = host / source.removeprefix("./")
                self.mounts[target].mkdir(parents=True, exist_ok=True)

    def translate(self, args: list[Any]) -> list[str]:
        """The arguments with container paths replaced by the host folders mounted there."""
        out = []
        for arg in map(str, args):
            for target, source in sorted(self.mounts.items(), key=lambda m: -len(m[0])):
                if arg == target or arg.startswith(target + "/"):
                    arg = str(source) + arg[len(target) :]
                    break
            out.append(arg)
        if out and out[0] == "hubsim":
            return [*HUBSIM, *out[1:]]
        return out

    @property
    def command(self) -> list[str]:
        return self.translate(self.spec["command"])

    @property
    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUBSIM_")}
        env.update({k: str(v) for k, v in (self.spec.get("environment") or {}).items()})
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def healthcheck(self) -> list[str] | None:
        check = self.spec.get("healthcheck")
        if not check:
            return None
        test = list(check["test"])
        assert test[0] == "CMD", f"{self.name}: healthcheck test must be an exec form"
        return self.translate(test[1:])


class Running:
    """A started service: its process and the lines it printed, read as they come."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.proc = subprocess.Popen(
            service.command,
            env=service.environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for_line(self, text: str) -> str:
        """The first line (from now on) that contains ``text``; fails if the process ends."""
        while True:
            line = self.lines.get(timeout=LINE_TIMEOUT_S)
            if line is None:
                raise AssertionError(
                    f"{self.service.name} ended before printing {text!r}:\n" + "\n".join(self.seen)
                )
            self.seen.append(line)
            if text in line:
                return line

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def order(services: dict[str, Any]) -> list[str]:
    """Services in an order that starts each after what it depends on."""
    done: list[str] = []

    def visit(name: str) -> None:
        if name in done:
            return
        for dependency in services[name].get("depends_on") or {}:
            visit(dependency)
        done.append(name)

    for name in services:
        visit(name)
    return done


def run_once(service: Service) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        service.command, env=service.environment, capture_output=True, text=True, timeout=300
    )


def healthy(service: Service) -> None:
    command = service.healthcheck()
    assert command is not None, f"{service.name} has no healthcheck"
    retries = int(service.spec["healthcheck"].get("retries", 3))
    for _ in range(retries):
        result = subprocess.run(command, env=service.environment, capture_output=True, text=True)
        if result.returncode == 0:
            return
    raise AssertionError(f"{service.name} never became healthy: {result.stderr}")


def report(step: str, **facts: Any) -> None:
    print(json.dumps({"step": step, **facts}), flush=True)


def start_all(compose: dict[str, Any], project: Path, host: Path) -> dict[str, Running]:
    specs = compose["services"]
    services = {name: Service(name, specs[name], project, host) for name in specs}
    running: dict[str, Running] = {}
    for name in order(specs):
        for dependency, rule in (specs[name].get("depends_on") or {}).items():
            condition = rule.get("condition", "service_started")
            if condition == "service_healthy":
                healthy(services[dependency])
        if "ports" not in specs[name] and "healthcheck" not in specs[name]:
            result = run_once(services[name])  # a one-shot service such as pki
            assert result.returncode == 0, f"{name} failed: {result.stdout}{result.stderr}"
            report(name, exit_code=0, output=result.stdout)
        else:
            running[name] = Running(services[name])
    for name, started in running.items():
        healthy(started.service)
        report(f"{name} healthy")
    return running


def main() -> None:
    compose_file, work = Path(sys.argv[1]), Path(sys.argv[2])
    compose = yaml.safe_load(compose_file.read_text())
    running = start_all(compose, compose_file.parent, work / "host")
    report("started", services=sorted(running))
    try:
        # The steps "from the host" are run by the test through this process's stdin, one
        # JSON command per line, so that they run inside the same namespace.
        for line in sys.stdin:
            request = json.loads(line)
            if request["do"] == "run":
                result = subprocess.run(
                    [*HUBSIM, *request["args"]], capture_output=True, text=True, timeout=300
                )
                report("ran", code=result.returncode, out=result.stdout, err=result.stderr)
            elif request["do"] == "line":
                found = running[request["service"]].wait_for_line(request["text"])
                report("line", line=found)
            elif request["do"] == "restart":
                name = request["service"]
                running[name].stop()
                service = Service(name, compose["services"][name], compose_file.parent,
                                  work / "host")  # fmt: skip
                running[name] = Running(service)
                healthy(service)
                report("restarted", seen=running[name].wait_for_line("config "))
            elif request["do"] == "once":
                name = request["service"]
                result = run_once(Service(name, compose["services"][name],
                                          compose_file.parent, work / "host"))  # fmt: skip
                report("once", code=result.returncode, out=result.stdout, err=result.stderr)
    finally:
        for started in running.values():
            started.stop()


if __name__ == "__main__":
    main()
