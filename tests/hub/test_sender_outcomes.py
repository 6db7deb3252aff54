"""Every outcome of the sender, each produced for real: real sockets, real certificates."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

from mockpki import MockHubjectPKI, foreign_ca, self_signed_server_cert
from oicp import Operation
from oicp.paths import hub_to_cpo_path, join_service_url
from simulator.exchange import Outcome
from simulator.hub import HubIdentity
from simulator.model import ServerCertification
from simulator.requests import SendParams, build_request
from simulator.sender import Sender, Target
from simulator.tls import ServerTrust
from tests.hub.conftest import ack, endpoint, json_handler

START = build_request(
    Operation.AUTHORIZE_REMOTE_START, SendParams(evse_id="DE*ABC*E0001", provider_id="DE*ICE")
)


def hubject_target(identity: HubIdentity, base: str, timeout_s: float = 10.0) -> Target:
    url = join_service_url(base, hub_to_cpo_path(START.operation, "DE*ICE"))
    trust = ServerTrust(ServerCertification.HUBJECT, (identity.hubject_ca_pem,))
    return Target(url=url, trust=trust, timeout_s=timeout_s)


def user_target(base: str, anchors: tuple[str, ...]) -> Target:
    url = join_service_url(base, hub_to_cpo_path(START.operation, "DE*ICE"))
    return Target(url=url, trust=ServerTrust(ServerCertification.USER, anchors))


async def send(identity: HubIdentity, target: Target) -> object:
    async with Sender(identity.client) as sender:
        return await sender.send(target, START)


async def test_accepted_when_cpo_acknowledges_result_true(pki, identity, tmp_path: Path) -> None:
    async with endpoint(tmp_path, pki.cpo_server, client_ca=pki.ca_chain_pem) as ep:
        exchange = await send(identity, hubject_target(identity, ep.url))
    assert exchange.outcome is Outcome.ACCEPTED
    assert exchange.result is True and exchange.status_code == "000"
    assert exchange.session_id == START.session_id


async def test_result_false_carries_the_cpo_status_code(pki, identity, tmp_path: Path) -> None:
    async with endpoint(tmp_path, pki.cpo_server, json_handler(ack(False, "602"))) as ep:
        exchange = await send(identity, hubject_target(identity, ep.url))
    assert exchange.outcome is Outcome.REJECTED
    assert exchange.status_code == "602"
    assert "602" in exchange.detail and "in use" in exchange.detail


async def test_connection_refused(identity) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    exchange = await send(identity, hubject_target(identity, f"https://127.0.0.1:{port}"))
    assert exchange.outcome is Outcome.CONNECTION_REFUSED
    assert str(port) in exchange.detail


async def test_dns_failure(identity) -> None:
    exchange = await send(identity, hubject_target(identity, "https://no-such-host.invalid"))
    assert exchange.outcome is Outcome.DNS_FAILURE
    assert "no-such-host.invalid" in exchange.detail


async def test_timeout(pki, identity, tmp_path: Path) -> None:
    never = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        await never.wait()
        return web.Response()

    async with endpoint(tmp_path, pki.cpo_server, hang) as ep:
        exchange = await send(identity, hubject_target(identity, ep.url, timeout_s=0.3))
        never.set()  # let the hanging handler end, so the server shuts down at once
    assert exchange.outcome is Outcome.TIMEOUT
    assert "0.3 s" in exchange.detail


async def test_plain_http_on_the_port(identity, tmp_path: Path) -> None:
    async with endpoint(tmp_path, None) as ep:
        https_url = ep.url.replace("http://", "https://")
        exchange = await send(identity, hubject_target(identity, https_url))
    assert exchange.outcome is Outcome.PLAIN_HTTP


async def test_expired_server_certificate(pki: MockHubjectPKI, identity, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    expired = pki.issue_server_cert(
        "localhost", not_before=now - timedelta(days=30), not_after=now - timedelta(days=1)
    )
    async with endpoint(tmp_path, expired) as ep:
        exchange = await send(identity, hubject_target(identity, ep.url))
    assert exchange.outcome is Outcome.SERVER_CERT_EXPIRED
    assert "expired on" in exchange.detail


async def test_server_certificate_not_yet_valid(
    pki: MockHubjectPKI, identity, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    early = pki.issue_server_cert(
        "localhost", not_before=now + timedelta(days=2), not_after=now + timedelta(days=30)
    )
    async with endpoint(tmp_path, early) as ep:
        exchange = await send(identity, hubject_target(identity, ep.url))
    assert exchange.outcome is Outcome.SERVER_CERT_NOT_YET_VALID
    assert "not valid yet" in exchange.detail


async def test_server_certificate_from_a_foreign_ca_is_untrusted(identity, tmp_path: Path) -> None:
    wrong = foreign_ca().issue_server_cert("localhost")
    async with endpoint(tmp_path, wrong) as ep:
        exchange = await send(identity, hubject_target(identity, ep.url))
    assert exchange.outcome is Outcome.SERVER_CERT_UNTRUSTED
    # The diagnosis says what was presented and what was expected.
    assert wrong.describe().sha256 in exchange.detail
    assert "mock Hubject CA" in exchange.detail


async def test_hostname_mismatch(pki: MockHubjectPKI, identity, tmp_path: Path) -> None:
    other = pki.issue_server_cert("cpo.example.org")
    async with endpoint(tmp_path, other) as ep:
        exchange = await send(identity, hubject_target(identity, ep.url))
    assert exchange.outcome is Outcome.HOSTNAME_MISMATCH
    assert "cpo.example.org" in exchange.detail and "'localhost'" in exchange.detail


async def test_user_mode_trusts_an_uploaded_self_signed_leaf(pki, identity, tmp_path: Path) -> None:
    async with endpoint(tmp_path, pki.cpo_user_server) as ep:
        exchange = await send(
            identity, user_target(ep.url, (pki.cpo_user_server.cert_pem.decode(),))
        )
    assert exchange.outcome is Outcome.ACCEPTED


async def test_user_mode_refuses_a_certificate_that_was_not_uploaded(
    pki, identity, tmp_path
) -> None:
    other = self_signed_server_cert("localhost")
    async with endpoint(tmp_path, other) as ep:
        exchange = await send(
            identity, user_target(ep.url, (pki.cpo_user_server.cert_pem.decode(),))
        )
    assert exchange.outcome is Outcome.SERVER_CERT_UNTRUSTED
    assert other.describe().sha256 in exchange.detail
    assert "Certificate Management" in exchange.detail


async def test_client_certificate_refused_by_the_cpo(pki, identity, tmp_path: Path) -> None:
    # The backend trusts only a foreign CA for client certificates, so it refuses the hub's.
    async with endpoint(tmp_path, pki.cpo_server, client_ca=foreign_ca().cert_pem) as ep:
        exchange = await send(identity, hubject_target(identity, ep.url))
    assert exchange.outcome is Outcome.CLIENT_CERT_REFUSED
    assert "client" in exchange.detail


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
async def test_tls_below_1_2_is_refused(pki, identity, tmp_path: Path) -> None:
    async with endpoint(tmp_path, pki.cpo_server, maximum_version=ssl.TLSVersion.TLSv1_1) as ep:
        exchange = await send(identity, hubject_target(identity, ep.url))
    assert exchange.outcome is Outcome.TLS_VERSION, exchange.detail
    assert "TLSv1.1" in exchange.detail


async def test_http_status_other_than_200(pki, identity, tmp_path: Path) -> None:
    async with endpoint(
        tmp_path, pki.cpo_server, json_handler({"error": "boom"}, status=500)
    ) as ep:
        exchange = await send(identity, hubject_target(identity, ep.url))
    assert exchange.outcome is Outcome.HTTP_STATUS
    assert exchange.http_status == 500 and "HTTP 500" in exchange.detail


async def test_body_that_is_not_json(pki, identity, tmp_path: Path) -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.Response(text='{"Result": tru', content_type="application/json")

    async with endpoint(tmp_path, pki.cpo_server, broken) as ep:
        exchange = await send(identity, hubject_target(identity, ep.url))
    assert exchange.outcome is Outcome.NOT_JSON


async def test_hub_asks_for_uncompressed_answers_so_a_compressing_backend_is_read_as_sent(
    pki, identity, tmp_path: Path
) -> None:
    async def compressing(request: web.Request) -> web.Response:
        response = web.Response(text=json.dumps(ack(True, "000")), content_type="application/json")
        response.enable_compression()  # gzip or deflate whenever the client accepts one
        return response

    async with endpoint(tmp_path, pki.cpo_server, compressing) as ep:
        exchange = await send(identity, hubject_target(identity, ep.url))
    assert exchange.outcome is Outcome.ACCEPTED, exchange.detail


async def test_invalid_acknowledgement_lists_json_pointers(pki, identity, tmp_path: Path) -> None:
    bad = {"Result": "yes", "StatusCode": {"Code": 0}}
    async with endpoint(tmp_path, pki.cpo_server, json_handler(bad)) as ep:
        exchange = await send(identity, hubject_target(identity, ep.url))
    assert exchange.outcome is Outcome.INVALID_ACKNOWLEDGEMENT
    pointers = {p["pointer"] for p in exchange.problems}
    assert {"/Result", "/StatusCode/Code"} <= pointers


async def test_connection_closed_without_answer(pki, identity, tmp_path: Path) -> None:
    async def drop(request: web.Request) -> web.Response:
        assert request.transport is not None
        request.transport.close()
        raise asyncio.CancelledError

    async with endpoint(tmp_path, pki.cpo_server, drop) as ep:
        exchange = await send(identity, hubject_target(identity, ep.url))
    assert exchange.outcome is Outcome.CONNECTION_CLOSED


async def test_exchange_records_tls_facts(pki, identity, tmp_path: Path) -> None:
    async with endpoint(tmp_path, pki.cpo_server) as ep:
        exchange = await send(identity, hubject_target(identity, ep.url))
    assert exchange.tls is not None
    assert exchange.tls.protocol in ("TLSv1.2", "TLSv1.3")
    assert exchange.tls.server_sha256 == pki.cpo_server.describe().sha256
    assert "localhost" in (exchange.tls.server_subject or "")


async def test_provider_id_star_is_sent_literally_after_the_url_prefix(
    pki, identity, tmp_path
) -> None:
    async with endpoint(tmp_path, pki.cpo_server) as ep:
        await send(identity, hubject_target(identity, ep.url + "/my/prefix/"))
    assert ep.paths == ["/my/prefix/api/oicp/charging/v21/providers/DE*ICE/authorize-remote/start"]


async def test_connections_are_reused_with_one_context_per_configuration(
    pki, identity, tmp_path
) -> None:
    async with endpoint(tmp_path, pki.cpo_server) as ep:
        target = hubject_target(identity, ep.url)
        async with Sender(identity.client) as sender:
            for _ in range(3):
                assert (await sender.send(target, START)).ok
            assert sender.context_count == 1
    assert len(set(ep.peers)) == 1  # one TCP connection carried all three requests
