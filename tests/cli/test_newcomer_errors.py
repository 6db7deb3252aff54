"""The CLI's errors a newcomer meets: each names the option, path or value to change.

Every command runs as its own ``hubsim`` process, as a user starts it.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from mockpki import MockHubjectPKI, PKIFiles
from mockpki.inspect import sha256_fingerprint
from tests.backends.hubproc import start_hub
from tests.cli.conftest import HUBSIM, Served, hubsim, serve
from tests.load.conftest import script_server

ONBOARDING = Path(__file__).resolve().parents[2] / "scenarios" / "onboarding"


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port something else listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def _pki(pki_files: PKIFiles) -> str:
    return str(pki_files.directory)


async def test_a_hub_port_in_use_names_the_port_option(
    pki_files: PKIFiles, taken_port: int
) -> None:
    run = await hubsim("hub", "serve", "--pki", _pki(pki_files), "--port", str(taken_port))
    assert run.code == 2
    assert run.err.startswith(f"hubsim: error: --port {taken_port}: cannot listen on 127.0.0.1")
    assert "address already in use" in run.err and "Traceback" not in run.err


async def test_an_oicp_port_in_use_names_the_oicp_port_option(
    pki_files: PKIFiles, taken_port: int
) -> None:
    run = await hubsim(
        "hub", "serve", "--pki", _pki(pki_files), "--port", "0", "--oicp-port", str(taken_port)
    )
    assert run.code == 2
    assert run.err.startswith(f"hubsim: error: --oicp-port {taken_port}: cannot listen")


async def test_one_port_for_both_hub_options_is_refused_naming_both(pki_files: PKIFiles) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    run = await hubsim(
        "hub", "serve", "--pki", _pki(pki_files), "--port", port, "--oicp-port", port
    )
    assert run.code == 2
    assert f"--oicp-port {port} is the port of --port too" in run.err


async def test_every_reason_the_hub_cannot_start_is_given_at_once(pki_files: PKIFiles) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    run = await hubsim(
        "hub", "serve", "--pki", _pki(pki_files), "--port", port, "--oicp-port", port,
        "--admin-token", "short",
    )  # fmt: skip
    assert run.code == 2 and "Traceback" not in run.err
    lines = run.err.removeprefix("hubsim: error: ").splitlines()
    assert [line.split(" ", 3)[:3] for line in lines] == [
        ["--oicp-port", port, "is"],
        ["the", "admin", "token"],
    ]


@pytest.mark.parametrize("value", ["0", "-1"])
async def test_a_max_exchanges_below_one_is_refused_naming_the_option(
    pki_files: PKIFiles, value: str
) -> None:
    run = await hubsim(
        "hub", "serve", "--pki", _pki(pki_files), "--port", "0", "--max-exchanges", value
    )
    assert run.code == 2 and "unexpected" not in run.err
    assert f"--max-exchanges: {value} is too small: give 1 or more" in run.err


@pytest.mark.parametrize(
    ("command", "host", "said"),
    [
        ("hub", "bad host", "--host bad host: no such host name or address"),
        ("hub", "192.0.2.1", "--host 192.0.2.1: not an address of this machine"),
        ("stub", "bad host", "--host bad host: no such host name or address"),
    ],
)
async def test_a_host_the_server_cannot_listen_on_names_the_host_option(
    pki_files: PKIFiles, command: str, host: str, said: str
) -> None:
    token = ["--admin-token", "a-token-of-twenty-characters"] if command == "hub" else []
    run = await hubsim(
        command, "serve", "--pki", _pki(pki_files), "--port", "0", "--host", host, *token
    )
    assert run.code == 2 and "Traceback" not in run.err
    assert run.err.startswith(f"hubsim: error: {said}")


async def test_a_database_in_a_folder_that_does_not_exist_names_the_db_option(
    pki_files: PKIFiles, tmp_path: Path
) -> None:
    db = tmp_path / "no-such-folder" / "hub.sqlite3"
    run = await hubsim("hub", "serve", "--pki", _pki(pki_files), "--port", "0", "--db", str(db))
    assert run.code == 2 and "unexpected" not in run.err
    assert run.err.startswith(f"hubsim: error: --db: cannot open database {db}:")
    assert "check that its directory exists" in run.err


@pytest.mark.parametrize("option", ["--port", "--control-port"])
async def test_a_stub_port_in_use_names_its_option(
    pki_files: PKIFiles, taken_port: int, option: str
) -> None:
    ports = {"--port": "0", "--control-port": "0", option: str(taken_port)}
    args = [item for pair in ports.items() for item in pair]
    run = await hubsim("stub", "serve", "--pki", _pki(pki_files), *args)
    assert run.code == 2
    assert run.err.startswith(f"hubsim: error: {option} {taken_port}: cannot listen")


@pytest.mark.parametrize(
    "command", [["hub", "serve", "--port"], ["hub", "serve", "--oicp-port"], ["stub", "serve",
    "--pki", "certs", "--port"], ["stub", "serve", "--pki", "certs", "--control-port"]]
)  # fmt: skip
async def test_a_port_out_of_range_is_a_clear_error(command: list[str]) -> None:
    run = await hubsim(*command, "70000")
    assert run.code == 2
    assert run.err.startswith(
        f"hubsim: error: {command[-1]} '70000' is not a port number: give 0 to 65535"
    )
    assert "OverflowError" not in run.err


async def test_a_missing_user_certificate_file_names_the_path(
    pki_files: PKIFiles, tmp_path: Path
) -> None:
    missing = tmp_path / "our-server.pem"
    run = await hubsim(
        "send", "remote-start", "--url", "https://localhost:1", "--server-cert",
        f"user:{missing}", "--pki", _pki(pki_files), "--provider", "DE*ICE", "--evse",
        "DE*ABC*E0001",
    )  # fmt: skip
    assert run.code == 2
    assert f"the file {missing} cannot be read (No such file or directory)" in run.err


@pytest.mark.parametrize("command", ["check", "scenario"])
@pytest.mark.parametrize("name", ["missing.pem", "cpo-server.key"])
async def test_a_user_certificate_file_that_is_no_certificate_is_a_bad_option_everywhere(
    command: str, name: str, pki_files: PKIFiles
) -> None:
    # Exit 2 before anything is probed or set up, as hubsim send and hubsim load do.
    option = f"user:{pki_files.directory / name}"
    one_shot = ["--server-cert", option, "--pki", _pki(pki_files)]
    argv = {
        "check": ["check", "--url", "https://localhost:1", *one_shot],
        "scenario": [
            "scenario", "run", str(ONBOARDING / "user-certificate.yaml"), "--target",
            "https://localhost:1", *one_shot,
        ],
    }[command]  # fmt: skip
    run = await hubsim(*argv)
    assert (run.code, run.out) == (2, "")
    said = option if name == "missing.pem" else "'cpo-server.key' has the extension '.key'"
    assert run.err.startswith(f"hubsim: error: --server-cert: {said}")
    assert "Traceback" not in run.err


async def test_a_bad_set_value_is_reported_once_naming_the_set_option() -> None:
    scenario = str(ONBOARDING / "remote-start-stop.yaml")
    run = await hubsim("scenario", "run", scenario, "--set", "evse_id=garbage")
    assert run.code == 2
    (line,) = run.err.strip().splitlines()  # once, though both steps inherit the default
    assert "defaults.evse_id: EvseID 'garbage' is not a valid OICP EvseID" in line
    assert line.endswith("(the value comes from --set evse_id=garbage)")


async def test_a_bad_set_value_is_reported_once_for_a_folder_naming_the_other_files() -> None:
    run = await hubsim("scenario", "run", str(ONBOARDING), "--set", "evse_id=garbage")
    assert run.code == 2
    (line,) = run.err.strip().splitlines()
    users = sorted(p.name for p in ONBOARDING.glob("*.yaml") if "${evse_id}" in p.read_text())
    first, others = users[0], users[1:]
    assert line.startswith(f"hubsim: error: {ONBOARDING / first}:")
    assert line.endswith(
        f"(the value comes from --set evse_id=garbage, which {len(others)} more file(s) use "
        f"too: {', '.join(others)})"
    )


async def test_a_scenario_target_with_a_blank_is_a_bad_option() -> None:
    scenario = str(ONBOARDING / "remote-start-stop.yaml")
    run = await hubsim("scenario", "run", scenario, "--target", "https://local host:47001")
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("hubsim: error: --target: Service URL 'https://local host:47001' ")
    assert "has a blank at position 14" in run.err


def _pki_commands(folder: str) -> dict[str, list[str]]:
    one_shot = ["--url", "https://localhost:1", "--server-cert", "hubject", "--pki", folder]
    return {
        "stub": ["stub", "serve", "--pki", folder, "--port", "0"],
        "hub": ["hub", "serve", "--pki", folder, "--port", "0"],
        "send": ["send", "remote-start", *one_shot, "--provider", "DE*ICE", "--evse", "DE*A*E1"],
        "check": ["check", *one_shot],
        "scenario": [
            "scenario", "run", str(ONBOARDING / "unknown-evse.yaml"), "--pki", folder,
            "--target", "https://localhost:1",
        ],
    }  # fmt: skip


async def test_a_missing_pki_folder_gets_one_message_from_every_command(tmp_path: Path) -> None:
    folder = str(tmp_path / "no-such-pki")
    expected = (
        f"hubsim: error: the PKI folder {folder} does not exist; create it with "
        f"'hubsim pki init --dir {folder}'\n"
    )
    for name, command in _pki_commands(folder).items():
        run = await hubsim(*command)
        assert (name, run.code, run.err) == (name, 2, expected)


async def test_a_pki_path_that_is_a_file_is_refused_as_not_a_folder(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "README.md"
    not_a_folder.write_text("a file")
    expected = (
        f"hubsim: error: the PKI folder {not_a_folder} is a file, not a folder; pass the "
        "folder that 'hubsim pki init' wrote\n"
    )
    for name, command in _pki_commands(str(not_a_folder)).items():
        run = await hubsim(*command)
        assert (name, run.code, run.err) == (name, 2, expected)


async def test_a_pki_folder_without_its_files_names_the_missing_ones(tmp_path: Path) -> None:
    folder = tmp_path / "half-pki"
    folder.mkdir()
    (folder / "hubject-ca.pem").write_text("")  # only one file of the PKI
    for name, command in _pki_commands(str(folder)).items():
        run = await hubsim(*command)
        assert run.code == 2, name
        assert run.err.startswith(f"hubsim: error: the PKI folder {folder} lacks "), run.err
        assert "hub-client.pem" in run.err or "cpo-server.pem" in run.err, run.err
        assert "hubject-ca.pem" not in run.err, (name, run.err)
        assert f"create it with 'hubsim pki init --dir {folder}'" in run.err


async def test_a_hub_refusal_gives_its_reason_once(
    pki_files: PKIFiles, served: list[Served]
) -> None:
    hub = await serve("hub", "serve", "--pki", _pki(pki_files), "--port", "0", ready="listening")
    served.append(hub)
    run = await hubsim("emp", "remote-start", "DE-NONE", "--evse", "DE*ABC*E1", "--hub", hub.url)
    assert run.code == 2
    assert run.err.count("no EMP 'DE-NONE' is configured") == 1, run.err


async def test_the_schema_piped_into_head_ends_without_an_error() -> None:
    shell = f"{' '.join(HUBSIM)} scenario schema | head -1"
    proc = await asyncio.create_subprocess_shell(
        shell, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert out.decode() == "{\n"
    assert err.decode() == ""


async def test_pki_init_refuses_to_replace_a_pki_without_force(tmp_path: Path) -> None:
    folder = str(tmp_path / "certs")
    assert (await hubsim("pki", "init", "--dir", folder)).code == 0
    ca = (tmp_path / "certs" / "hubject-ca.pem").read_bytes()
    refused = await hubsim("pki", "init", "--dir", folder)
    assert refused.code == 2
    assert "already holds a mock PKI" in refused.err and "--force" in refused.err
    assert (tmp_path / "certs" / "hubject-ca.pem").read_bytes() == ca
    forced = await hubsim("pki", "init", "--dir", folder, "--force")
    assert forced.code == 0
    assert (tmp_path / "certs" / "hubject-ca.pem").read_bytes() != ca


async def test_pki_init_checks_the_operator_id_with_the_api_rule(tmp_path: Path) -> None:
    run = await hubsim("pki", "init", "--dir", str(tmp_path / "certs"), "--operator", "ABC")
    assert run.code == 2
    assert "--operator 'ABC': is not an OICP OperatorID; use the form DE*ABC" in run.err
    assert not (tmp_path / "certs").exists()


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        (["pki", "init"], "(default localhost)"),
        (["pki", "init"], "(default: DE*ABC)"),
        (["emp", "add"], "(default: http://127.0.0.1:8080)"),
        (["wait"], "(default: 30.0)"),
    ],
)
async def test_help_shows_the_defaults(command: list[str], shown: str) -> None:
    run = await hubsim(*command, "--help")
    assert run.code == 0
    assert shown in " ".join(run.out.split())


@pytest.mark.parametrize(
    ("send", "listed", "not_listed"),
    [
        ("remote-start", {"--evco"}, {"--session-id", "--duration"}),
        ("remote-stop", {"--session-id"}, {"--evco", "--duration"}),
        ("reservation-start", {"--evco", "--duration"}, {"--session-id"}),
        ("reservation-stop", {"--session-id"}, {"--evco", "--duration"}),
    ],
)
async def test_emp_send_help_lists_only_the_options_that_apply(
    send: str, listed: set[str], not_listed: set[str]
) -> None:
    run = await hubsim("emp", send, "--help")
    options = {word for word in run.out.replace("[", " ").split() if word.startswith("--")}
    assert listed <= options and not options & not_listed


async def test_a_one_shot_send_refused_by_the_builder_names_the_option(
    pki_files: PKIFiles,
) -> None:
    run = await hubsim(
        "send", "remote-start", "--url", "https://localhost:1", "--server-cert", "hubject",
        "--pki", _pki(pki_files), "--provider", "x", "--evse", "DE*ABC*E0001",
    )  # fmt: skip
    assert run.code == 2
    assert run.err.startswith("hubsim: error: --provider: ProviderID 'x' is not a valid")


async def test_a_send_through_the_hub_refused_by_its_builder_names_the_option(
    pki_files: PKIFiles, served: list[Served]
) -> None:
    hub = await serve("hub", "serve", "--pki", _pki(pki_files), "--port", "0",
                      ready="admin API listening")  # fmt: skip
    served.append(hub)
    added = await hubsim("emp", "add", "DE-ICE", "--hub", hub.url)
    assert added.code == 0, added.err
    async with (
        aiohttp.ClientSession(base_url=hub.url) as api,
        api.post("/api/operators", json={"operator_id": "DE*ABC"}) as created,
    ):
        assert created.status == 201, await created.text()
    run = await hubsim(
        "send", "reservation-start", "--operator", "DE*ABC", "--hub", hub.url,
        "--provider", "DE-ICE", "--evse", "DE*ABC*E0001", "--duration", "0",
    )  # fmt: skip
    assert run.code == 2
    assert run.err == (
        "hubsim: error: the hub refused: the request values are not valid OICP "
        "(--duration: Duration is 0; it must be between 1 and 99)\n"
    )


async def test_a_hub_url_that_is_not_a_hub_says_so(tmp_path: Path) -> None:
    # Reached, but not JSON: the message said it "cannot reach" the hub.
    (tmp_path / "index.html").write_text("<html>not a hub</html>")
    server = await asyncio.create_subprocess_exec(
        *(sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"),
        *("--directory", str(tmp_path)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert server.stdout is not None
    try:
        line = (await asyncio.wait_for(server.stdout.readline(), 30)).decode()
        port = line.split(" port ")[1].split()[0]
        run = await hubsim("emp", "list", "--hub", f"http://127.0.0.1:{port}")
    finally:
        server.kill()
        await server.wait()
    assert run.code == 2 and "Traceback" not in run.err
    assert "answers, but not as hubsim's admin API (HTTP 404, not JSON)" in run.err


_DEEP_JSON_SERVER = """
import http.server, sys
class Deep(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"[" * 100000 + b"]" * 100000
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Deep)
print(server.server_port, flush=True)
server.serve_forever()
"""


async def test_a_hub_url_answering_json_nested_too_deep_is_not_a_hub() -> None:
    # The json module's RecursionError escaped as "unexpected RecursionError".
    async with script_server(_DEEP_JSON_SERVER) as port:
        run = await hubsim("emp", "list", "--hub", f"http://127.0.0.1:{port}")
    assert run.code == 2 and "Traceback" not in run.err
    assert "answers, but not as hubsim's admin API (HTTP 200, not JSON)" in run.err


async def test_a_hub_url_that_is_not_http_is_refused_naming_hub() -> None:
    run = await hubsim("emp", "list", "--hub", "ftp://x")
    assert run.code == 2
    assert run.err.startswith("hubsim: error: --hub ftp://x: give the hub's admin API as http://")


async def test_a_hub_url_that_cannot_be_an_address_is_told_as_such_not_as_unreachable() -> None:
    # A bad port or bracket read "cannot reach the hub ... start it", and a path "no such
    # route in the admin API".
    told = {}
    for hub in ("http://127.0.0.1:99999", "http://[::1", "http://127.0.0.1:18081/api"):
        run = await hubsim("emp", "list", "--hub", hub)
        assert run.code == 2 and "Traceback" not in run.err
        told[hub] = run.err.removeprefix("hubsim: error: ").strip()
    assert told == {
        "http://127.0.0.1:99999": "--hub http://127.0.0.1:99999 is not a URL (Port out of "
        "range 0-65535); give http://HOST:PORT",
        "http://[::1": "--hub http://[::1 is not a URL (Invalid IPv6 URL); give http://HOST:PORT",
        "http://127.0.0.1:18081/api": "--hub http://127.0.0.1:18081/api: give the hub's "
        "address without a path, e.g. http://127.0.0.1:18081",
    }


async def test_a_misspelt_option_is_refused_with_its_command_and_the_nearest_option() -> None:
    # argparse's refusal pointed at 'hubsim --help', and named no option.
    run = await hubsim("load", "--concurency", "4")
    assert run.code == 2
    assert run.err == (
        "hubsim: error: unrecognized arguments: --concurency 4 (--concurency: did you mean "
        "--concurrency?); see 'hubsim load --help'\n"
    )


async def test_a_misspelt_option_is_named_beside_the_option_it_leaves_missing() -> None:
    # Only "--evse is required" was said, while the --evse-id typed went unmentioned.
    run = await hubsim("send", "remote-start", "--provider", "DE*ICE", "--evse-id", "DE*ABC*E1")
    assert run.code == 2
    assert run.err == (
        "hubsim: error: the following arguments are required: --evse (--evse-id: did you mean "
        "--evse?); see 'hubsim send --help'\n"
    )


async def test_a_server_certificate_of_a_pki_made_anew_is_told_from_the_hubs_by_its_key(
    tmp_path: Path, served: list[Served]
) -> None:
    # Both PKIs name their CAs alike: "issued by CN=Hubject Intermediate CA IT ...; expected
    # a certificate chaining to the mock Hubject CA" read as a contradiction.
    hubs, backends = str(tmp_path / "hub-pki"), str(tmp_path / "made-again")
    for folder in (hubs, backends):
        assert (await hubsim("pki", "init", "--dir", folder)).code == 0
    stub = await serve("stub", "serve", "--pki", backends, "--port", "0", ready="listening on")
    served.append(stub)
    run = await hubsim(
        *("send", "remote-start", "--url", stub.url, "--server-cert", "hubject", "--pki", hubs),
        *("--provider", "DE*ICE", "--evse", "DE*ABC*E0001", "--json"),
    )
    exchange = json.loads(run.out)
    hub_ca = MockHubjectPKI.load(Path(hubs)).intermediate.certificate
    assert exchange["outcome"] == "server_cert_untrusted"
    assert (
        f"the hub trusts a certificate of that name (SHA-256 {sha256_fingerprint(hub_ca)}), "
        "but another key signed this one: it comes from another mock PKI" in exchange["detail"]
    )


@pytest.fixture
def hub_url(pki_files: PKIFiles) -> Iterator[str]:
    process = start_hub(pki_files.directory)
    yield f"http://127.0.0.1:{process.port}"
    process.stop()


async def test_an_emp_send_refusal_names_the_options_typed(hub_url: str) -> None:
    added = await hubsim("emp", "add", "DE-ICE", "--hub", hub_url)
    assert added.code == 0, added.err
    run = await hubsim("emp", "remote-start", "DE-ICE", "--evse", "", "--hub", hub_url)
    assert run.code == 2 and "Traceback" not in run.err
    assert run.err.startswith("hubsim: error: the hub refused: --evse: is empty: give it")


async def test_an_emp_contract_refusal_names_the_with_option_of_each_entry(hub_url: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{hub_url}/api/operators", json={"operator_id": "DE*ABC"}) as made,
    ):
        assert made.status == 201, await made.text()
    added = await hubsim("emp", "add", "DE-ICE", "--hub", hub_url)
    assert added.code == 0, added.err
    run = await hubsim(
        "emp", "contract", "DE-ICE", "--with", "DE*NOP", "--with", "DE*ABC:charging",
        "--hub", hub_url,
    )  # fmt: skip
    assert run.code == 2 and "Traceback" not in run.err
    assert "--with 'DE*ABC:charging': is no service type an EMP can subscribe to" in run.err
    assert "--with 'DE*NOP': no such operator DE*NOP" in run.err


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (["--admin-token", ""], "the admin token (--admin-token or HUBSIM_ADMIN_TOKEN) is empty"),
        (["--allowed-host", " "], "--allowed-host is empty"),
    ],
)
async def test_an_empty_hub_option_is_refused_not_read_as_left_out(
    pki_files: PKIFiles, option: list[str], said: str
) -> None:
    run = await hubsim("hub", "serve", "--pki", _pki(pki_files), "--port", "0", *option)
    assert run.code == 2 and "Traceback" not in run.err
    assert run.err.startswith(f"hubsim: error: {said}")


async def test_an_empty_session_id_is_refused_not_read_as_every_session(hub_url: str) -> None:
    run = await hubsim("emp", "sessions", "--session-id", "", "--hub", hub_url)
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("hubsim: error: --session-id is empty")


async def test_send_and_check_refuse_a_hub_target_beside_a_one_shot_url() -> None:
    # --url silently won: a user who added it to an --operator command got a one-shot
    # result for the saved settings they meant to test.
    one_shot = ("--url", "https://localhost:9", "--server-cert", "hubject", "--pki", "certs")
    sends = ("send", "remote-start", "--provider", "DE*ICE", "--evse", "DE*ABC*E0001")
    for command in (sends, ("check",)):
        run = await hubsim(*command, *one_shot, "--operator", "DE*ABC")
        assert (run.code, run.err) == (
            2,
            "hubsim: error: give either --operator (through a hub) or --url (one-shot), not both\n",
        )
        run = await hubsim(*command, *one_shot, "--hub", "http://127.0.0.1:9")
        assert run.code == 2
        assert run.err.startswith("hubsim: error: --hub: only through a hub (--operator ID)")


async def test_pki_init_refuses_force_and_if_absent_together(tmp_path: Path) -> None:
    # --force won: the complete PKI a user asked to keep was replaced, breaking every
    # backend set up with the old CA.
    assert (await hubsim("pki", "init", "--dir", str(tmp_path / "pki"))).code == 0
    before = (tmp_path / "pki" / "hubject-ca.pem").read_bytes()
    run = await hubsim("pki", "init", "--dir", str(tmp_path / "pki"), "--force", "--if-absent")
    assert (run.code, run.err) == (
        2,
        "hubsim: error: give either --force (replace the PKI in --dir) or --if-absent (keep "
        "it), not both\n",
    )
    assert (tmp_path / "pki" / "hubject-ca.pem").read_bytes() == before


async def test_stub_and_pki_file_options_name_the_option_and_the_file(tmp_path: Path) -> None:
    # "No such file or directory", OpenSSL's "[X509: NO_CERTIFICATE_OR_CRL_FOUND]",
    # "unexpected ValueError" and "File exists (notes.txt)" named neither.
    notes = tmp_path / "notes.txt"
    notes.write_text("not a certificate\n")
    assert (await hubsim("pki", "init", "--dir", str(tmp_path / "pki"))).code == 0
    stub = ("stub", "serve", "--pki", str(tmp_path / "pki"), "--port", "0")
    told = {}
    for extra in (
        ("--client-ca", str(tmp_path / "nope.pem")),
        ("--client-ca", str(notes)),
        ("--server-cert", str(notes), "--server-key", str(notes)),
    ):
        run = await hubsim(*stub, *extra)
        assert run.code == 2 and "Traceback" not in run.err
        told[extra[0] + " " + Path(extra[1]).name] = run.err
    run = await hubsim("pki", "init", "--dir", str(notes))
    assert run.code == 2
    assert told["--client-ca nope.pem"].endswith(
        "nope.pem: no such file; give the path of a PEM file\n"
    )
    assert "notes.txt: no certificate in it" in told["--client-ca notes.txt"]
    assert "--server-cert" in told["--server-cert notes.txt"]
    assert "cannot be loaded" in told["--server-cert notes.txt"]
    assert (
        run.err
        == f"hubsim: error: --dir {notes} is a file; give a folder (made if it does not exist)\n"
    )


async def test_a_stub_control_url_that_does_not_answer_is_refused_before_any_scenario() -> None:
    # Each of the nine scenarios failed its set-up, and the run read as 44 failed steps of
    # the backend (exit 1).
    onboarding = str(Path(__file__).resolve().parents[2] / "scenarios" / "onboarding")
    target = ("--target", "https://localhost:9", "--server-cert", "hubject")
    for control, said in (
        ("notaurl", "--stub-control: 'notaurl' is not the URL of a control API"),
        ("http://127.0.0.1:9", "--stub-control: cannot reach the stub's control API at "
         "http://127.0.0.1:9 (connection refused)"),
    ):  # fmt: skip
        run = await hubsim("scenario", "run", onboarding, *target, "--stub-control", control)
        assert run.code == 2 and run.out == "", run.out
        assert run.err.startswith(f"hubsim: error: {said}"), run.err
