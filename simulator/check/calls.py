"""Send one OICP request as the hub does and keep everything a layer may judge.

Unlike the hub's sender, the check keeps the raw answer (status, Content-Type, bytes), so
that the HTTP, Body and Semantics layers can each judge their part. Failures get the hub's
own diagnosis sentences (:mod:`simulator.diagnosis`), with the same probes the sender runs.
Every request opens a fresh connection: the client-certificate layer needs a handshake
per request, never a pooled connection.
"""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

import aiohttp
from yarl import URL

from httpguard import exact_timeout
from mockpki.inspect import CertificateInfo
from oicp import RemoteRequest
from simulator.diagnosis import Diagnosis, refused_by_page
from simulator.exchange import Outcome
from simulator.failure_probes import diagnose_failure, presented_certificate
from simulator.model import WireProfile
from simulator.requests import WIRE_SHAPES
from simulator.sender import (
    DEFAULT_MAX_ANSWER_BYTES,
    AnswerTooLarge,
    read_bounded,
    too_large_diagnosis,
)
from simulator.tls import ClientIdentity


@dataclass(frozen=True)
class Answer:
    """An HTTP answer, whatever its status."""

    status: int
    content_type: str | None  # the Content-Type header as sent, or None
    mimetype: str  # parsed media type, lower case ("application/octet-stream" if none)
    charset: str | None
    raw: bytes
    elapsed_ms: float
    location: str | None = None  # a redirect's Location: the hub follows none


@dataclass(frozen=True)
class Failure:
    """No HTTP answer: the hub's diagnosis of why."""

    diagnosis: Diagnosis
    elapsed_ms: float

    @property
    def outcome(self) -> Outcome:
        return self.diagnosis.outcome


CallResult = Answer | Failure


@dataclass(frozen=True)
class Call:
    """One request: where it goes, with which TLS context, and how to explain a failure."""

    url: str
    ctx: ssl.SSLContext
    timeout_s: float
    mode_label: str
    expected: str
    # The check sends exactly what the hub sends (the same profile's body and headers), so
    # its verdicts hold for the hub's calls.
    profile: WireProfile = WireProfile.HBS
    anchors_pem: tuple[str, ...] = ()  # what it trusts: names a namesake issuer (diagnosis)
    retired: tuple[tuple[str, str], ...] = ()  # uploads not Active (diagnosis)


class CheckClient:
    """An aiohttp session that never reuses connections."""

    def __init__(self, identity: ClientIdentity) -> None:
        self._identity = identity
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        connector = aiohttp.TCPConnector(force_close=True, enable_cleanup_closed=True)
        self._session = aiohttp.ClientSession(connector=connector)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, call: Call, request: RemoteRequest) -> CallResult:
        """Post ``request`` and return the answer, or the hub's diagnosis of the failure."""
        return await self.send_body(call, WIRE_SHAPES[call.profile].body(request))

    async def send_body(
        self, call: Call, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> CallResult:
        """:meth:`post`, with every failure turned into the hub's diagnosis."""
        t0 = time.perf_counter()
        try:
            answer = await self.post(call, body, headers)
        except AnswerTooLarge as big:
            return Failure(too_large_diagnosis(call.url, big, DEFAULT_MAX_ANSWER_BYTES), _since(t0))
        except Exception as exc:  # every failure becomes a diagnosis, never a traceback
            diagnosis = await self._diagnose(exc, call)
            return Failure(diagnosis, _since(t0))
        # A TLS terminator's refusal page is the hub's diagnosis too, not an HTTP answer.
        url = URL(call.url, encoded=True)
        refused = refused_by_page(
            answer.status,
            answer.raw.decode("utf-8", errors="replace"),
            url.host or "",
            url.port or 443,
        )
        return answer if refused is None else Failure(refused, answer.elapsed_ms)

    async def post(
        self, call: Call, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> Answer:
        """Post ``body`` with the call's profile's headers (or ``headers``, for the tolerance
        pack's variants); raises what aiohttp raises."""
        assert self._session is not None, "use CheckClient with 'async with'"
        t0 = time.perf_counter()
        data = encode_body(body)
        url = URL(call.url, encoded=True)  # keep the ProviderID's '*' literal, as Hubject does
        timeout = exact_timeout(call.timeout_s)
        sent = WIRE_SHAPES[call.profile].headers if headers is None else headers
        async with self._session.post(
            url, data=data, headers=sent, ssl=call.ctx, timeout=timeout, allow_redirects=False
        ) as resp:
            raw = await read_bounded(resp, DEFAULT_MAX_ANSWER_BYTES)
            return Answer(
                status=resp.status,
                content_type=resp.headers.get("Content-Type"),
                mimetype=resp.content_type.lower(),
                charset=resp.charset,
                raw=raw,
                elapsed_ms=_since(t0),
                location=resp.headers.get("Location") if 300 <= resp.status < 400 else None,
            )

    async def _diagnose(self, exc: BaseException, call: Call) -> Diagnosis:
        return await diagnose_failure(
            exc,
            url=call.url,
            identity=self._identity,
            mode_label=call.mode_label,
            expected=call.expected,
            timeout_s=call.timeout_s,
            anchors_pem=call.anchors_pem,
            retired=call.retired,
        )

    async def presented(self, host: str, port: int) -> CertificateInfo | None:
        """The certificate the endpoint presents, read without verifying it."""
        return await presented_certificate(host, port, self._identity)


def encode_body(body: Mapping[str, Any]) -> bytes:
    """The bytes the check posts for ``body`` (a curl reproducer sends the same)."""
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _since(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000
