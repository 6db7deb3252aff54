"""A CPO that answers with a redirect: the hub follows none, as Hubject's client does not.

aiohttp follows redirects by default: a 307 to a plain-HTTP address sent the remote start
there in clear text, and the hub reported that server's answer as ``accepted`` under the
https Service URL (``hubsim check``: all layers PASS); a 301 turned the POST into a GET.
"""

from __future__ import annotations

import json
from pathlib import Path

from mockpki import PKIFiles
from tests.cli.conftest import hubsim
from tests.load.conftest import nginx_answering, script_server

# A plain-HTTP server that accepts anything, keeps what it received, and answers an ack.
_PLAIN = """
import socket, sys
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
log = open(sys.argv[1], "ab", buffering=0)
body = b'{"Result": true, "StatusCode": {"Code": "000"}}'
while True:
    conn, _ = server.accept()
    log.write(conn.recv(65536))
    conn.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: "
                 + str(len(body)).encode() + b"\\r\\nConnection: close\\r\\n\\r\\n" + body)
    conn.close()
"""


def _one_shot(url: str, pki: PKIFiles, command: str) -> list[str]:
    target = ["--url", url, "--server-cert", "hubject", "--pki", str(pki.directory), "--json"]
    if command == "check":
        return ["check", *target]
    return ["send", "remote-start", *target, "--provider", "DE*ICE", "--evse", "DE*ABC*E0001"]


async def test_a_redirect_is_the_answer_not_followed_and_names_where_it_points(
    pki_files: PKIFiles, tmp_path: Path
) -> None:
    received = tmp_path / "plain.log"
    async with script_server(_PLAIN, str(received)) as plain:
        target = f"http://127.0.0.1:{plain}/oicp"
        async with nginx_answering(f"return 307 {target};", pki_files, tmp_path) as nginx:
            sent = json.loads((await hubsim(*_one_shot(nginx.url, pki_files, "send"))).out)
            checked = json.loads((await hubsim(*_one_shot(nginx.url, pki_files, "check"))).out)
    assert sent["outcome"] == "http_status", sent["detail"]
    assert sent["http_status"] == 307
    assert f"a redirect to {target}, which the hub does not follow" in sent["detail"]
    http = next(layer for layer in checked["layers"] if layer["key"] == "http")
    assert http["status"] == "FAIL" and f"a redirect to {target}" in http["reason"]
    assert received.read_bytes() == b""  # nothing went out in clear text
