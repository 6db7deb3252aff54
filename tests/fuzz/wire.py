"""Sending attacks over real sockets, and judging each answer by the protocol of its port.

A plain ``http.client`` connection sends exactly the bytes an attack holds (any method, any
path, any header), over TLS with a client certificate where the port wants one, and keeps
the connection alive between cases.
"""

from __future__ import annotations

import http.client
import json
import re
import ssl
from dataclasses import dataclass

from oicp.errors import OICPValidationError
from oicp.messages import Acknowledgement
from tests.fuzz.attacks import Attack

_CODE = re.compile(r"^[0-9]{3}$")


@dataclass(frozen=True)
class Answer:
    """What a server answered; status 0 when it closed the connection without an answer."""

    status: int
    content_type: str
    body: bytes


class WireClient:
    """Sends attacks to one port, with one kept-alive connection per client identity."""

    def __init__(self, host: str, port: int, contexts: dict[str, ssl.SSLContext | None]) -> None:
        self._host, self._port = host, port
        self._contexts = contexts
        self._connections: dict[str, http.client.HTTPConnection] = {}

    def _connection(self, identity: str) -> http.client.HTTPConnection:
        if identity not in self._connections:
            context = self._contexts[identity]
            self._connections[identity] = (
                http.client.HTTPConnection(self._host, self._port, timeout=60)
                if context is None
                else http.client.HTTPSConnection(
                    self._host, self._port, timeout=60, context=context
                )
            )
        return self._connections[identity]

    def send(self, attack: Attack) -> Answer:
        """Send one attack; a connection the server closed earlier is opened again once."""
        try:
            return self._send(attack)
        except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
            self.drop(attack.identity)
        try:
            return self._send(attack)
        except (http.client.HTTPException, OSError):
            self.drop(attack.identity)
            return Answer(0, "", b"")

    def _send(self, attack: Attack) -> Answer:
        connection = self._connection(attack.identity)
        connection.putrequest(
            attack.method, attack.path, skip_host=False, skip_accept_encoding=True
        )
        for name, value in attack.headers:
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(attack.body)))
        connection.endheaders(attack.body)
        response = connection.getresponse()
        body = response.read()
        if response.will_close:
            self.drop(attack.identity)
        content_type = response.getheader("Content-Type", "") or ""
        return Answer(response.status, content_type, body)

    def drop(self, identity: str) -> None:
        connection = self._connections.pop(identity, None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        for identity in list(self._connections):
            self.drop(identity)


def _json_of(answer: Answer) -> tuple[object, str | None]:
    if not answer.content_type.startswith("application/json"):
        return None, f"Content-Type {answer.content_type!r}, not JSON"
    try:
        return json.loads(answer.body, parse_constant=_not_json), None
    except ValueError as exc:
        return None, f"the body is not JSON ({exc})"


def _not_json(constant: str) -> object:
    # The json module reads NaN and Infinity; RFC 8259 has no such numbers.
    raise ValueError(f"{constant} is no JSON value")


def oicp_problem(answer: Answer, method: str) -> str | None:
    """Why an answer on an OICP port is not OICP, or None when it is.

    OICP answers are an eRoamingAcknowledgement (or another answer carrying a StatusCode,
    such as eRoamingAuthorizationStart), an OicpERoamingFault ``{"StatusCode": …}``, or the
    HTTP 400 FaultBody ``{"message", "validationErrors"}`` (OICP 2.3 digest §6).
    """
    if answer.status == 0:
        return "the connection was closed without an answer"
    if answer.status >= 500:
        return f"HTTP {answer.status}"
    if method == "HEAD":
        return None  # a HEAD answer has no body by definition
    data, problem = _json_of(answer)
    if problem is not None:
        return f"HTTP {answer.status}: {problem}"
    if not isinstance(data, dict):
        return f"HTTP {answer.status}: the body is no JSON object"
    if isinstance(data.get("validationErrors"), list) and isinstance(data.get("message"), str):
        return None
    status_code = data.get("StatusCode")
    code = status_code.get("Code") if isinstance(status_code, dict) else None
    if not isinstance(code, str) or not _CODE.match(code):
        return f"HTTP {answer.status}: no StatusCode with an OICP code: {str(data)[:200]}"
    if "Result" in data:
        try:
            Acknowledgement.from_wire(data)
        except OICPValidationError as exc:
            return f"HTTP {answer.status}: an invalid eRoamingAcknowledgement: {exc}"
    return None


def admin_problem(answer: Answer, method: str) -> str | None:
    """Why an admin API answer breaks its rules, or None when it keeps them.

    Every answer is JSON; every refusal is ``{"error", "issues"}`` with a 4xx status.
    """
    if answer.status == 0:
        return "the connection was closed without an answer"
    if answer.status >= 500:
        return f"HTTP {answer.status}"
    if method == "HEAD":
        return None
    data, problem = _json_of(answer)
    if problem is not None:
        return f"HTTP {answer.status}: {problem}"
    if answer.status < 400:
        return None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("error"), str)
        and isinstance(data.get("issues"), list)
    ):
        return f"HTTP {answer.status}: a refusal that is not {{error, issues}}: {str(data)[:200]}"
    return None
