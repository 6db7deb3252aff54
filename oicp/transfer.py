"""How a body travels: uncompressed.

OICP bodies are UTF-8 JSON (OICP 2.3 digest §6) and Hubject's partners send them as they are.
The hub and the stub read bodies without decoding any Content-Encoding: a compressed body's
size after decompression is the sender's choice (a few kilobytes of gzip can become a
gigabyte), and aiohttp's decoder, meeting a corrupt one, broke the connection with a
traceback. A request that names a coding other than ``identity`` is refused before its body
is read, with this module's message, in the shape of the port it came to.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["content_coding_problem"]


def content_coding_problem(headers: Mapping[str, str]) -> str | None:
    """Why a request's Content-Encoding cannot be read, or None when the body is plain."""
    coding = headers.get("Content-Encoding", "").strip()
    if coding.lower() in ("", "identity"):
        return None
    shown = coding if len(coding) <= 40 else coding[:39] + "…"
    return (
        f"Content-Encoding {shown!r} is not accepted: send the body uncompressed "
        "(no Content-Encoding, or 'identity')"
    )
