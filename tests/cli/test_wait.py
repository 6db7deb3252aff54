"""``hubsim wait``: returns once its targets are ready, or names the one that is not."""

from __future__ import annotations

import socket

import pytest

from mockpki import PKIFiles
from tests.cli.conftest import Served, hubsim, line_with, serve


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_wait_returns_once_the_hub_health_route_and_a_port_answer(
    pki_files: PKIFiles, served: list[Served]
) -> None:
    hub = await serve("hub", "serve", "--pki", str(pki_files.directory), "--port", "0",
                      "--oicp-port", "0", ready="admin API listening")  # fmt: skip
    served.append(hub)
    oicp = (await line_with(hub, "OICP endpoints")).split(" on ")[1].strip()
    run = await hubsim("wait", f"{hub.url}/api/health", oicp)
    assert (run.code, run.err) == (0, "")


async def test_a_path_that_wants_the_admin_token_ends_the_wait_at_once_naming_the_health_route(
    pki_files: PKIFiles, served: list[Served]
) -> None:
    token = "s3cret-token-for-the-test"
    hub = await serve("hub", "serve", "--pki", str(pki_files.directory), "--port", "0",
                      "--admin-token", token, ready="admin API listening")  # fmt: skip
    served.append(hub)
    run = await hubsim("wait", "--timeout", "600", f"{hub.url}/api/operators")
    assert run.code == 1
    assert run.err == (
        f"hubsim: error: {hub.url}/api/operators answers, but with HTTP 401: it wants an admin "
        f"token; wait on {hub.url}/api/health instead, which answers without one\n"
    )


async def test_wait_names_the_target_that_is_not_ready() -> None:
    target = f"127.0.0.1:{_free_port()}"
    run = await hubsim("wait", "--timeout", "0.2", target)
    assert run.code == 1
    assert run.err.startswith(f"hubsim: error: {target} is not ready after 0.2 s: ")


@pytest.mark.parametrize("scheme", ["", "http://"])
async def test_wait_says_why_in_words_not_in_aiohttps_or_pythons_text(scheme: str) -> None:
    target = f"{scheme}127.0.0.1:{_free_port()}"
    run = await hubsim("wait", "--timeout", "0.2", target)
    assert run.err == f"hubsim: error: {target} is not ready after 0.2 s: connection refused\n"


@pytest.mark.parametrize("target", ["ftp://host:1/x", "no-port", "http://host/x"])
async def test_a_target_without_a_port_or_of_another_scheme_is_refused(target: str) -> None:
    run = await hubsim("wait", target)
    assert run.code == 2
    assert f"wait target {target!r}: give http://HOST:PORT/PATH" in run.err
