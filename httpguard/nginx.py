"""NGINX's error pages, and its answer to plain HTTP on a TLS port.

Hubject's HBS runs behind NGINX, so a client that speaks plain HTTP to its HTTPS port gets
NGINX's ``400 The plain HTTP request was sent to HTTPS port`` (``ngx_http_request.c``),
not a TLS alert: the hub and the stub answer the same, so a CPO sees what it will see.
"""

from __future__ import annotations

import re

PLAIN_HTTP_REASON = "The plain HTTP request was sent to HTTPS port"

_PAGE = """<html>
<head><title>400 {reason}</title></head>
<body>
<center><h1>400 Bad Request</h1></center>
<center>{reason}</center>
<hr><center>nginx</center>
</body>
</html>
"""

# A TLS connection starts with a handshake record (type 22); an HTTP request with a method
# token, a space and a path. Six bytes tell them apart.
_HTTP_START = re.compile(rb"[A-Z]{1,10}( |$)")
SNIFF_BYTES = 6


def page_400(reason: str) -> str:
    """NGINX's HTML page for a 400 Bad Request with ``reason``."""
    return _PAGE.format(reason=reason)


def looks_like_plain_http(first_bytes: bytes) -> bool:
    """Whether a connection that should start with TLS starts like an HTTP request."""
    return bool(_HTTP_START.match(first_bytes[:SNIFF_BYTES]))


def plain_http_answer() -> bytes:
    """The whole HTTP/1.1 answer NGINX sends before it closes the connection."""
    body = page_400(PLAIN_HTTP_REASON).encode()
    head = (
        "HTTP/1.1 400 Bad Request\r\n"
        "Server: nginx\r\n"
        "Content-Type: text/html\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body
