"""An IPv6 address in a sentence is written as in a URL, ``[::1]:PORT``: ``::1:PORT`` reads
as an address of its own, and cannot be pasted back into a Service URL."""

from __future__ import annotations

import json
import socket

import pytest

from mockpki import PKIFiles
from tests.cli.conftest import hubsim


@pytest.fixture
def closed_ipv6_port() -> int:
    """A port on ::1 that nothing listens on (bound once, then let go)."""
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
            return int(sock.getsockname()[1])
    except OSError as exc:  # a machine without IPv6 loopback
        pytest.skip(f"no IPv6 loopback here: {exc}")


async def test_send_names_an_ipv6_backend_in_brackets(
    pki_files: PKIFiles, closed_ipv6_port: int
) -> None:
    run = await hubsim(
        *("send", "remote-start", "--url", f"https://[::1]:{closed_ipv6_port}"),
        *("--server-cert", "hubject", "--pki", str(pki_files.directory), "--json"),
        *("--provider", "DE*ICE", "--evse", "DE*ABC*E0001"),
    )
    exchange = json.loads(run.out)
    assert exchange["outcome"] == "connection_refused"
    assert f"Nothing accepts connections on [::1]:{closed_ipv6_port} " in exchange["detail"]


async def test_check_names_an_ipv6_backend_in_brackets(
    pki_files: PKIFiles, closed_ipv6_port: int
) -> None:
    run = await hubsim(
        *("check", "--url", f"https://[::1]:{closed_ipv6_port}", "--server-cert", "hubject"),
        *("--pki", str(pki_files.directory), "--json"),
    )
    layers = {layer["key"]: layer for layer in json.loads(run.out)["layers"]}
    assert layers["tcp"]["reason"].startswith(
        f"Nothing accepts connections on [::1]:{closed_ipv6_port} "
    )
