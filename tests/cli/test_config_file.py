"""The config file of ``hubsim hub serve``: it seeds a new database, and says what it did.

Each hub is its own ``hubsim hub serve`` process; the checks go through its admin API.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from mockpki import PKIFiles
from tests.cli.conftest import HUBSIM, hubsim

OPERATOR = """
operators:
  - operator_id: "DE*ABC"
    name: From the file
    settings:
      authorization: {online_request: true, service_url: "https://localhost:8443"}
"""

Start = Callable[..., Awaitable[tuple[str, list[str]]]]


@pytest.fixture
async def start_hub(pki_files: PKIFiles) -> AsyncIterator[Start]:
    """Start ``hub serve --config FILE``; return its admin URL and what it printed before.

    Each start first kills the hubs started before it, as a restart would (a kill -9 loses
    nothing that was saved, see the README).
    """
    procs: list[asyncio.subprocess.Process] = []

    async def start(config: Path, *args: str) -> tuple[str, list[str]]:
        for earlier in procs:
            if earlier.returncode is None:
                earlier.kill()
            await earlier.wait()
        proc = await asyncio.create_subprocess_exec(
            *HUBSIM, "hub", "serve", "--config", str(config), "--pki",
            str(pki_files.directory), "--port", "0", *args,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        procs.append(proc)
        assert proc.stdout is not None
        before: list[str] = []
        while True:
            line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
            if not line:
                err = await proc.stderr.read() if proc.stderr else b""
                raise AssertionError(f"the hub exited: {err.decode()}")
            if "admin API listening on" in line:
                return line.split(" on ")[1].split()[0], before
            before.append(line.rstrip("\n"))

    yield start
    for proc in procs:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


async def _api(url: str, method: str, path: str, body: object = None) -> object:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url + path, json=body) as answer,
    ):
        assert answer.status < 400, await answer.text()
        return await answer.json()


async def _refusal_lines(config: Path, pki_files: PKIFiles) -> list[str]:
    """What ``hub serve --config`` refused, one line each; it must exit 2 without a traceback."""
    run = await hubsim(
        "hub", "serve", "--config", str(config), "--pki", str(pki_files.directory), "--port", "0"
    )
    assert run.code == 2 and "Traceback" not in run.err and "unexpected" not in run.err, run.err
    return run.err.removeprefix("hubsim: error: ").splitlines()


def _places(lines: list[str]) -> list[list[str]]:
    """``FILE:LINE`` and ``FIELD`` of each refused line."""
    return [line.split(": ", 2)[:2] for line in lines]


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "conf" / "hub.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


async def test_the_file_seeds_a_new_database_once_and_later_edits_stay(
    start_hub: Start, tmp_path: Path
) -> None:
    config, db = _config(tmp_path, OPERATOR), str(tmp_path / "hub.sqlite3")
    url, said = await start_hub(config, "--db", db)
    assert any("seeded the new database" in line and "1 operator(s)" in line for line in said)
    await _api(url, "POST", "/api/operators", {"operator_id": "DE*ABC", "name": "Renamed"})
    edited = {"online_request": True, "service_url": "https://localhost:9443"}
    await _api(url, "PUT", "/api/operators/DE*ABC/settings/authorization", edited)

    again, said = await start_hub(config, "--db", db)
    assert any(
        f"not applied: the database {db} already holds 1 operator(s)" in line for line in said
    ), said
    operator = await _api(again, "GET", "/api/operators/DE*ABC")
    assert isinstance(operator, dict) and operator["name"] == "Renamed"
    history = await _api(again, "GET", "/api/operators/DE*ABC/settings/authorization/history")
    assert isinstance(history, dict)
    assert history["history"][0]["settings"]["service_url"] == "https://localhost:9443"
    assert len(history["history"]) == 2  # the file's, then the API's; no third from the start


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        (
            OPERATOR.replace("settings:", "setings:"),
            "5: operators[0].setings: unknown key 'setings': did you mean 'settings'?",
        ),
        (
            OPERATOR.replace("operators:", "operator:"),
            "2: operator: unknown key 'operator': did you mean 'operators'?",
        ),
    ],
)
async def test_an_unknown_key_is_refused_on_its_line_with_the_closest_known_one(
    tmp_path: Path, pki_files: PKIFiles, text: str, refusal: str
) -> None:
    config = _config(tmp_path, text)
    run = await hubsim(
        "hub", "serve", "--config", str(config), "--pki", str(pki_files.directory), "--port", "0"
    )
    assert run.code == 2
    assert f"hubsim: error: {config}:{refusal}" in run.err


async def test_every_problem_of_the_file_is_refused_at_once_each_on_its_line(
    tmp_path: Path, pki_files: PKIFiles
) -> None:
    text = (
        "operators:\n"
        '  - operator_id: "DE*ABC"\n'
        "    timeout_s: 120\n"
        "    certificates: [missing.pem]\n"
        "    settings:\n"
        '      authorization: {online_request: true, service_url: "https://local host"}\n'
        "      charging: {}\n"
    )
    config = _config(tmp_path, text)
    lines = await _refusal_lines(config, pki_files)
    assert _places(lines) == [
        [f"{config}:3", "operators[0].timeout_s"],
        [f"{config}:4", "operators[0].certificates[0]"],
        [f"{config}:6", "operators[0].settings.authorization.service_url"],
        [f"{config}:7", "operators[0].settings.charging"],
    ]
    assert "unknown service type 'charging'" in lines[3]


async def test_every_problem_of_the_emps_and_sub_operators_is_refused_each_on_its_line(
    tmp_path: Path, pki_files: PKIFiles
) -> None:
    text = OPERATOR + (
        "emps:\n"
        '  - provider_id: "DE-ICE"\n'
        "    online_request: maybe\n"
        "    contract:\n"
        '      - {operator_id: "DE*ABC"}\n'
        '  - provider_id: "DE-NRG"\n'
        "    contracts:\n"
        '      - {operator_id: "DE*ZZZ", service_type: authorization}\n'
        '      - {operator_id: "DE*ABC", service_type: pull-authentication-data}\n'
        '  - provider_id: "DE-XYZ"\n'
        "    reachable: 1\n"
        "    authentication_data: [{Bogus: {}}, 5]\n"
        '    contracts: [{operator_id: "DE*NOP"}]\n'
        "sub_operators:\n"
        '  "DE*ABC": ["DE*SUB", "not an id"]\n'
        '  "DE*QQQ": ["DE*SUB"]\n'
    )
    config = _config(tmp_path, text)
    lines = await _refusal_lines(config, pki_files)
    assert _places(lines) == [
        [f"{config}:9", "emps[0].online_request"],
        [f"{config}:10", "emps[0].contract"],
        [f"{config}:14", "emps[1].contracts[0].operator_id"],
        [f"{config}:15", "emps[1].contracts[1].service_type"],
        [f"{config}:17", "emps[2].reachable"],
        [f"{config}:18", "emps[2].authentication_data[0]"],
        [f"{config}:18", "emps[2].authentication_data[1]"],
        [f"{config}:19", "emps[2].contracts[0].operator_id"],
        [f"{config}:21", "sub_operators.DE*ABC[1]"],
        [f"{config}:22", "sub_operators.DE*QQQ"],
    ]
    assert "did you mean 'contracts'?" in lines[1]
    assert lines[2].endswith("no such operator DE*ZZZ: add it under operators: in this file")


def _readme_config() -> str:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Config file for `hub serve`", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


async def test_the_readme_config_example_starts_the_hub(
    start_hub: Start, tmp_path: Path, pki_files: PKIFiles
) -> None:
    config = _config(tmp_path, _readme_config())
    (config.parent / "certs").mkdir()
    upload = config.parent / "certs" / "cpo-user-server.pem"
    upload.write_bytes(pki_files.cpo_user_server_cert.read_bytes())
    url, said = await start_hub(config)
    assert any("seeded the new database" in line for line in said), said
    operator = await _api(url, "GET", "/api/operators/DE*ABC")
    assert isinstance(operator, dict) and operator["wire_profile"] == "hbs"


async def test_top_level_values_and_repeated_ids_are_refused_each_on_its_line(
    tmp_path: Path, pki_files: PKIFiles
) -> None:
    text = (
        'port: "abc"\n'
        "oicp_port: 99999\n"
        "database: [x]\n"
        "max_exchanges: -1\n"
        "connections: {header_timeout_s: 0, limit: 5}\n"
        "operators:\n"
        '  - operator_id: "DE*ABC"\n'
        '  - operator_id: "DE*ABC"\n'
    )
    config = _config(tmp_path, text)
    lines = await _refusal_lines(config, pki_files)
    assert _places(lines) == [
        [f"{config}:1", "port"],
        [f"{config}:2", "oicp_port"],
        [f"{config}:3", "database"],
        [f"{config}:4", "max_exchanges"],
        [f"{config}:5", "connections.limit"],
        [f"{config}:5", "connections.header_timeout_s"],
        [f"{config}:8", "operators[1].operator_id"],
    ]
    assert lines[-1].endswith("DE*ABC is already operators[0]: keep one entry")
    assert not list(config.parent.glob("*x*"))  # no database was made of "['x']"


async def test_a_yaml_syntax_error_is_one_line_at_its_line_and_column(
    tmp_path: Path, pki_files: PKIFiles
) -> None:
    config = _config(tmp_path, 'operators:\n  - operator_id: "DE*ABC"\n   name: x\n')
    run = await hubsim(
        "hub", "serve", "--config", str(config), "--pki", str(pki_files.directory), "--port", "0"
    )
    assert run.code == 2
    assert run.err.startswith(f"hubsim: error: {config}:3:4: not valid YAML: ")
    assert len(run.err.strip().splitlines()) == 1


async def test_the_settings_warnings_are_printed_at_start_each_on_its_line(
    start_hub: Start, tmp_path: Path
) -> None:
    config = _config(
        tmp_path,
        OPERATOR.replace(
            'service_url: "https://localhost:8443"}',
            'service_url: "https://localhost:8443", broadcast_request: true}\n'
            "      reservation: {online_request: true, service_url: "
            '"https://localhost:8443", server_certification: user}',
        ),
    )
    _, said = await start_hub(config)
    warnings = [line for line in said if ": warning: " in line]
    assert [line.split(": ", 3)[:3] for line in warnings] == [
        [f"config {config}:6", "warning", "operators[0].settings.authorization.broadcast_request"],
        [f"config {config}:7", "warning", "operators[0].settings.reservation.server_certification"],
    ]


async def test_a_file_with_a_refused_entry_stores_nothing(
    start_hub: Start, tmp_path: Path, pki_files: PKIFiles
) -> None:
    db = str(tmp_path / "hub.sqlite3")
    broken = _config(
        tmp_path, OPERATOR + '  - operator_id: "DE*XYZ"\n    settings:\n'
        '      authorization: {online_request: false, service_url: "https://x"}\n'
    )  # fmt: skip
    run = await hubsim(
        "hub", "serve", "--config", str(broken), "--pki", str(pki_files.directory),
        "--port", "0", "--db", db,
    )  # fmt: skip
    assert run.code == 2 and "operators[1].settings.authorization" in run.err
    _, said = await start_hub(_config(tmp_path, OPERATOR), "--db", db)
    assert any("seeded the new database" in line for line in said), said


async def test_relative_paths_are_read_from_the_files_folder_and_the_start_says_so(
    start_hub: Start, tmp_path: Path, pki_files: PKIFiles
) -> None:
    config = _config(
        tmp_path,
        OPERATOR.replace("    name: From the file\n", "    certificates: [user.pem]\n"),
    )
    (config.parent / "user.pem").write_bytes(pki_files.cpo_user_server_cert.read_bytes())
    url, said = await start_hub(config)
    assert any(f"relative paths are read from {config.parent.resolve()}" in s for s in said)
    listed = await _api(url, "GET", "/api/operators/DE*ABC/certificates")
    assert isinstance(listed, dict) and listed["certificates"]


async def test_a_checkbox_in_the_file_is_explained_in_the_files_terms(
    tmp_path: Path, pki_files: PKIFiles
) -> None:
    text = 'operators:\n  - operator_id: "DE*ABC"\n    settings:\n'
    text += "      authorization: {online_request: null}\n"
    (line,) = await _refusal_lines(_config(tmp_path, text), pki_files)
    assert line.endswith(
        "operators[0].settings.authorization.online_request: Online Request "
        "(online_request) must be true or false, not null: write true or false"
    )


async def test_a_refused_file_and_a_bad_flag_are_reported_in_one_run(
    tmp_path: Path, pki_files: PKIFiles
) -> None:
    config = _config(tmp_path, "max_exchanges: 0\n")
    run = await hubsim(
        "hub", "serve", "--config", str(config), "--pki", str(pki_files.directory),
        "--port", "20201", "--oicp-port", "20201",
    )  # fmt: skip
    assert run.code == 2 and "Traceback" not in run.err
    lines = run.err.removeprefix("hubsim: error: ").splitlines()
    assert lines[0].startswith(f"{config}:1: max_exchanges:")
    assert lines[1] == (
        "--oicp-port 20201 is the port of --port too: the admin API and the OICP listener "
        "need a port each"
    )
