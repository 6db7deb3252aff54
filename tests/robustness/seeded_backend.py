"""A small CPO backend with seeded bugs, run as its own process by the robustness tests.

``python seeded_backend.py --bugs a,b [--tls PKI_DIR]`` listens on a free loopback port
and prints ``seeded backend listening on PORT``. Without ``--tls`` it speaks plain HTTP and
runs behind nginx (which does the mutual TLS); with it, it serves mutual TLS itself (for
bugs that nginx would hide: a dropped connection becomes nginx's 502).

It answers valid requests with Result true and invalid ones with Result false 022 (by the
oicp package's own reader), except where a seeded bug says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import sys
from pathlib import Path
from typing import Any

from aiohttp import web

from oicp import Acknowledgement, OICPValidationError, StatusCode
from oicp.identifiers import EVSE_ID_PATTERN, SESSION_ID_PATTERN
from oicp.messages import parse_request
from oicp.paths import match_hub_to_cpo_path

KNOWN_MEMBERS = {
    "SessionID",
    "CPOPartnerSessionID",
    "EMPPartnerSessionID",
    "ProviderID",
    "EvseID",
    "Identification",
    "PartnerProductID",
    "Duration",
}
# Bugs on an EvseID that is absent or not an upper-case OICP EvseID: common among fuzzed
# bodies, so that each UNEXPECTED class comes up within a few examples.
BAD_EVSE_BUGS = {
    "bad-evse-not-json",
    "bad-evse-drop",
    "bad-evse-hang",
    "bad-evse-404",
    "bad-evse-not-ack",
    "bad-evse-602",
}


def _ack(result: bool, code: str, session_id: object = None) -> web.Response:
    # Echo the SessionID only when it is one: an echoed invalid one would make the answer
    # an invalid acknowledgement, a finding of its own that is not one of the seeded bugs.
    valid = isinstance(session_id, str) and SESSION_ID_PATTERN.fullmatch(session_id)
    echoed = session_id if valid else None
    body = Acknowledgement(result, StatusCode.for_code(code), echoed).to_wire(explicit_nulls=True)
    return web.json_response(body)


def _lowercase_evse(body: dict[str, Any]) -> bool:
    evse = body.get("EvseID")
    return isinstance(evse, str) and any(c.islower() for c in evse)


def _bad_evse(body: dict[str, Any]) -> bool:
    evse = body.get("EvseID")
    return not isinstance(evse, str) or EVSE_ID_PATTERN.fullmatch(evse) is None


def _missing_evco(body: dict[str, Any]) -> bool:
    ident = body.get("Identification")
    if not isinstance(ident, dict):
        return False
    remote = ident.get("RemoteIdentification")
    return isinstance(remote, dict) and remote.get("EvcoID") is None


async def _bad_evse_answer(bug: str, request: web.Request) -> web.StreamResponse:
    if bug == "bad-evse-not-json":
        return web.Response(status=200, text="<html>oops</html>", content_type="text/html")
    if bug == "bad-evse-404":
        return web.Response(status=404, text="not found")
    if bug == "bad-evse-not-ack":
        return web.json_response({"ok": False})
    if bug == "bad-evse-602":
        return _ack(False, "602")
    if bug == "bad-evse-hang":
        await asyncio.Event().wait()  # never answers: the client's timeout ends it
    assert request.transport is not None  # bad-evse-drop
    request.transport.close()
    raise ConnectionResetError("dropped on purpose")


def make_handler(bugs: set[str]) -> Any:
    async def handle(request: web.Request) -> web.StreamResponse:
        match = match_hub_to_cpo_path(request.raw_path)
        if match is None:
            return web.Response(status=404, text="no OICP path")
        if "refuse-encoded-star" in bugs and "%2A" in request.raw_path.upper():
            return web.json_response({"error": "bad path"}, status=400)
        if "charset-lower-drop" in bugs and "; charset=utf-8" in request.headers.get(
            "Content-Type", ""
        ):
            assert request.transport is not None
            request.transport.close()
            raise ConnectionResetError("dropped on purpose")
        body = json.loads(await request.read())
        if "unknown-member-500" in bugs and set(body) - KNOWN_MEMBERS:
            return web.Response(status=500, text="unknown member")
        if (
            "null-session-result-false" in bugs
            and "SessionID" in body
            and body["SessionID"] is None
        ):
            return _ack(False, "022")
        if "lowercase-evse-500" in bugs and _lowercase_evse(body):
            return web.Response(status=500, text="Internal Server Error")
        for bug in sorted(bugs & BAD_EVSE_BUGS):
            if _bad_evse(body):
                return await _bad_evse_answer(bug, request)
        if "missing-evco-true" in bugs and _missing_evco(body):
            return _ack(True, "000", body.get("SessionID"))
        try:
            parse_request(match.operation, body)
        except OICPValidationError:
            return _ack(False, "022", body.get("SessionID"))
        return _ack(True, "000", body.get("SessionID"))

    return handle


def _server_context(pki_dir: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki_dir / "cpo-server.pem", pki_dir / "cpo-server.key")
    ctx.load_verify_locations(pki_dir / "hubject-ca.pem")
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bugs", default="")
    parser.add_argument("--tls", type=Path)
    args = parser.parse_args()
    bugs = {b for b in args.bugs.split(",") if b}
    server = web.Server(make_handler(bugs))
    runner = web.ServerRunner(server, handle_signals=True)
    await runner.setup()
    ctx = _server_context(args.tls) if args.tls else None
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ctx)
    await site.start()
    port = runner.addresses[0][1]
    print(f"seeded backend listening on {port}", flush=True)
    sys.stdout.flush()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
