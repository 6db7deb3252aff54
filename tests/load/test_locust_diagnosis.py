"""The Locust user reads a failure as ``hubsim send`` does, probes included.

Its client raises the standard library's errors, which went through rules of their own and
no probe: a port that reset every connection read as a refused client certificate ("add
the mock Hubject CA"), and a backend that never answered waited out FastHttpUser's 60 s,
whatever --hubsim-timeout said, and read as a closed connection.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys

import pytest

from mockpki import MockHubjectPKI, PKIFiles
from tests.cli.conftest import hubsim
from tests.load.conftest import script_server
from tests.load.test_locust import locust_run

# One backend that misbehaves in the way its first argument names, with the CPO server
# certificate of the PKI folder of its second; "refuse" trusts only the CA file of its third.
_BACKEND = """
import socket, ssl, struct, sys, time
mode, pki = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(f"{pki}/cpo-server.pem", f"{pki}/cpo-server.key")
if mode == "refuse":
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(sys.argv[3])
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
held = []
while True:
    conn, _ = server.accept()
    if mode == "mute":  # accepts TCP and never speaks TLS
        held.append(conn)
        continue
    if mode == "reset":
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
        continue
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
        tls.recv(65536)
    except (OSError, ssl.SSLError):
        continue
    if mode == "silent":
        held.append(tls)
    elif mode == "garbage":
        tls.sendall(b"SSH-2.0-OpenSSH_9.6\\r\\n")
        tls.close()
    elif mode == "reset-after-request":
        tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        tls.close()
    else:
        tls.close()
"""

_ERROR_LINE = re.compile(r"^\s*\d+\s+remote-start (\w+): (.*)$")


@pytest.fixture(scope="module")
def other_pki(tmp_path_factory: pytest.TempPathFactory) -> PKIFiles:
    """A second mock PKI: its CA is not the hub's."""
    return MockHubjectPKI.create(host="localhost").write(tmp_path_factory.mktemp("other-pki"))


async def _locust_says(url: str, pki: PKIFiles) -> tuple[str, str]:
    """(outcome, sentence) of the one failed request of a one-process Locust run."""
    _, err = await locust_run(
        *("--headless", "-u", "1", "-r", "1", "--host", url, "--only-summary"),
        *("--hubsim-pki", str(pki.directory), "--hubsim-requests", "1"),
        *("--hubsim-timeout", "1"),
    )
    found = [m.groups() for m in map(_ERROR_LINE.match, err.splitlines()) if m]
    assert len(found) == 1, err
    outcome, sentence = found[0]
    return outcome, sentence


async def _send_says(url: str, pki: PKIFiles) -> tuple[str, str]:
    run = await hubsim(
        *("send", "remote-start", "--url", url, "--server-cert", "hubject"),
        *("--pki", str(pki.directory), "--timeout", "1"),
        *("--provider", "DE*ICE", "--evse", "DE*ABC*E0001", "--json"),
    )
    exchange = json.loads(run.out)
    return exchange["outcome"], exchange["detail"]


@pytest.mark.parametrize(
    ("mode", "outcome"),
    [
        ("reset", "connection_closed"),
        ("closes", "connection_closed"),
        ("silent", "timeout"),
        ("refuse", "client_cert_refused"),
        ("untrusted-server", "server_cert_untrusted"),
    ],
)
async def test_the_locust_user_gives_the_sentence_of_hubsim_send(
    mode: str, outcome: str, pki_files: PKIFiles, other_pki: PKIFiles
) -> None:
    # "untrusted-server": a server certificate of the other PKI, which the hub does not trust.
    server_pki = other_pki if mode == "untrusted-server" else pki_files
    args = (mode, str(server_pki.directory), str(other_pki.hubject_ca))
    async with script_server(_BACKEND, *args) as port:
        url = f"https://localhost:{port}"
        sent = await _send_says(url, pki_files)
        said = await _locust_says(url, pki_files)
    assert sent[0] == outcome, sent[1]
    assert said == sent


# geventhttpclient reads a reset after the request as an end of file, and its parser's words
# for bytes that are not HTTP are its own: what it does not tell, the sentence cannot say.
@pytest.mark.parametrize(
    ("mode", "outcome"), [("reset-after-request", "connection_closed"), ("garbage", "not_http")]
)
async def test_a_failure_the_locust_client_tells_less_of_has_the_outcome_of_hubsim_send(
    mode: str, outcome: str, pki_files: PKIFiles
) -> None:
    async with script_server(_BACKEND, mode, str(pki_files.directory)) as port:
        url = f"https://localhost:{port}"
        sent = await _send_says(url, pki_files)
        said = await _locust_says(url, pki_files)
    assert sent[0] == said[0] == outcome, (sent, said)


# A user probing and one waiting for its answer, in one gevent process as in a Locust worker;
# the first is stopped mid-probe, as Locust stops a user when it ramps down.
_STOPPED_PROBER = """
from gevent import monkey; monkey.patch_all()
import sys
from pathlib import Path
import gevent
from hubsim.load.locust_diagnosis import diagnose_locust_failure
from oicp import Operation
from simulator.hub import HubIdentity
from simulator.oneshot import ServerCertChoice, one_shot_target
identity = HubIdentity.from_pki_dir(Path(sys.argv[1]))
target = one_shot_target(
    f"https://localhost:{sys.argv[2]}", ServerCertChoice.parse("hubject"), identity,
    Operation.AUTHORIZE_REMOTE_START, "DE*ICE", timeout_s=1.0,
)
failure = TimeoutError("The read operation timed out")
prober = gevent.spawn(diagnose_locust_failure, failure, target, identity.client)
waiter = gevent.spawn(diagnose_locust_failure, failure, target, identity.client)
gevent.sleep(0)  # both run up to their first wait: the probe's handshake, and its answer
prober.kill()
print(type(prober.value).__name__, waiter.get().outcome.value)
"""


async def test_a_user_stopped_while_probing_leaves_the_users_waiting_to_probe_anew(
    pki_files: PKIFiles,
) -> None:
    # The waiting user had been handed the stopped one's GreenletExit, and ended with it.
    async with script_server(_BACKEND, "mute", str(pki_files.directory)) as port:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", _STOPPED_PROBER, str(pki_files.directory), str(port),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert out.decode().split() == ["GreenletExit", "timeout"]
