"""A CPO backend in its own Python process: blocking ``ssl`` sockets or aiohttp.

Run as ``python -m tests.backends.pyserver --mode blocking|aiohttp ...``; prints
``READY <port>`` once it listens. Its answers follow :class:`tests.backends.spec.Answer`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import ssl
import threading
import time

from aiohttp import web

from tests.backends.spec import ACK_BODY, SLOW_S, Answer, Verify, Versions

_VERSIONS = {
    Versions.MODERN: (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3),
    Versions.TLS13: (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_3),
    Versions.TLS12: (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2),
    Versions.TLS11: (ssl.TLSVersion.TLSv1_1, ssl.TLSVersion.TLSv1_1),
}


def server_context(args: argparse.Namespace) -> ssl.SSLContext | None:
    if args.plain:
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    low, high = _VERSIONS[Versions(args.versions)]
    if low < ssl.TLSVersion.TLSv1_2:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.minimum_version, ctx.maximum_version = low, high
    ctx.load_cert_chain(args.cert, args.key)
    verify = Verify(args.verify)
    if verify is not Verify.NONE:
        ctx.load_verify_locations(args.ca)
        ctx.verify_mode = ssl.CERT_REQUIRED if verify is Verify.REQUIRED else ssl.CERT_OPTIONAL
    return ctx


def deep_json() -> bytes:
    return b"[" * 5000 + b"]" * 5000


def response_bytes(answer: Answer) -> bytes:
    """The whole HTTP/1.1 answer of the blocking server."""
    if answer is Answer.NOT_HTTP:
        return b"\x00\x01SSH-2.0-not-an-http-server\r\n"
    status, body, extra = "200 OK", ACK_BODY.encode(), ""
    if answer is Answer.STATUS_500:
        status, body = "500 Internal Server Error", b"boom"
    elif answer is Answer.NOT_JSON:
        body = b"hello, not JSON"
    elif answer is Answer.BIG_HEADER:
        extra = "X-Filler: " + "x" * 100_000 + "\r\n"
    elif answer is Answer.DEEP:
        body = deep_json()
    elif answer is Answer.HUGE:
        body = b'{"Filler":"' + b"x" * (3 * 1024 * 1024) + b'"}'
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def serve_blocking(args: argparse.Namespace, ctx: ssl.SSLContext | None) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    print(f"READY {listener.getsockname()[1]}", flush=True)
    answer = Answer(args.answer)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=_handle, args=(conn, ctx, answer), daemon=True).start()


def _handle(conn: socket.socket, ctx: ssl.SSLContext | None, answer: Answer) -> None:
    try:
        sock = ctx.wrap_socket(conn, server_side=True) if ctx else conn
        with sock:
            if not _read_request(sock):
                return
            if answer is Answer.SLOW:
                time.sleep(SLOW_S)  # the backend under test is slow on purpose
            if answer is not Answer.CLOSE:
                sock.sendall(response_bytes(answer))
    except OSError:
        conn.close()  # a refused handshake or a client gone: nothing to answer


_BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def _read_request(sock: socket.socket) -> bool:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return False
        data += chunk
        if not data[:1].isalpha():  # not an HTTP request (a TLS ClientHello): as servers do
            sock.sendall(_BAD_REQUEST)
            return False
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return False
        body += chunk
    return True


async def _aiohttp_handler(request: web.Request) -> web.StreamResponse:
    raw = await request.read()
    answer: Answer = request.app["answer"]
    hold: _Hold | None = request.app["hold"]
    if hold is not None:
        await hold.arrive()
    if answer is Answer.ECHO:
        body = json.loads(raw)
        ack = json.loads(ACK_BODY) | {"SessionID": body.get("SessionID")}
        return web.json_response(ack)
    if answer is Answer.SLOW:
        await asyncio.sleep(request.app["slow_s"])  # the backend under test is slow on purpose
    if answer in (Answer.NOT_HTTP, Answer.CLOSE):
        assert request.transport is not None
        if answer is Answer.NOT_HTTP:
            request.transport.write(response_bytes(answer))
        request.transport.close()
        return web.Response()
    if answer is Answer.STATUS_500:
        return web.Response(status=500, text="boom")
    if answer is Answer.NOT_JSON:
        return web.Response(text="hello, not JSON")
    headers = {"X-Filler": "x" * 100_000} if answer is Answer.BIG_HEADER else {}
    body = {
        Answer.DEEP: deep_json(),
        Answer.HUGE: response_bytes(Answer.HUGE).split(b"\r\n\r\n")[1],
    }
    raw = body.get(answer, ACK_BODY.encode())
    return web.Response(body=raw, content_type="application/json", headers=headers)


class _Hold:
    """Answers nothing until ``count`` requests are in, then everything at once: proof that
    that many requests were in flight together."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.arrived = 0
        self.all_in = asyncio.Event()

    async def arrive(self) -> None:
        self.arrived += 1
        print(f"ARRIVED {self.arrived}", flush=True)  # what a test waits on, never a sleep
        if self.arrived >= self.count:
            self.all_in.set()
        await self.all_in.wait()


async def serve_aiohttp(args: argparse.Namespace, ctx: ssl.SSLContext | None) -> None:
    app = web.Application()
    app["answer"] = Answer(args.answer)
    app["hold"] = _Hold(args.hold) if args.hold else None
    app["slow_s"] = args.slow_s
    app.router.add_route("*", "/{tail:.*}", _aiohttp_handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ctx, backlog=2048)
    await site.start()
    print(f"READY {runner.addresses[0][1]}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=("blocking", "aiohttp"), required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--ca")
    parser.add_argument("--verify", default="required")
    parser.add_argument("--versions", default="modern")
    parser.add_argument("--answer", default="ack")
    parser.add_argument("--plain", action="store_true")
    parser.add_argument("--hold", type=int, help="answer once this many requests are in")
    parser.add_argument("--slow-s", type=float, default=SLOW_S)
    args = parser.parse_args()
    ctx = server_context(args)
    if args.mode == "blocking":
        serve_blocking(args, ctx)
    else:
        asyncio.run(serve_aiohttp(args, ctx))


if __name__ == "__main__":
    main()
