"""What a test backend should be: its TLS set-up and how it answers."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class ServerCert(enum.Enum):
    """Which server certificate the backend presents (see :class:`Materials`)."""

    GOOD = "good"  # cpo-server.pem, issued by the mock Hubject intermediate, host localhost
    USER = "user"  # cpo-user-server.pem, self-signed (what a CPO uploads as User certificate)
    EXPIRED = "expired"  # issued by the mock intermediate, expired yesterday
    WRONG_HOST = "wrong_host"  # issued by the mock intermediate for another host name


class Verify(enum.Enum):
    """How the backend treats client certificates (trusting the mock Hubject CA)."""

    REQUIRED = "required"
    OPTIONAL = "optional"
    NONE = "none"


class Versions(enum.Enum):
    """Which TLS versions the backend offers."""

    MODERN = "modern"  # 1.2 and 1.3
    TLS13 = "tls13"
    TLS12 = "tls12"
    TLS11 = "tls11"  # 1.1 only, with SECLEVEL=0 ciphers


class Answer(enum.Enum):
    """What the backend answers to any request (once TLS let it through)."""

    ACK = "ack"  # HTTP 200 with a valid eRoamingAcknowledgement, Result true
    ECHO = "echo"  # the same, echoing the request's SessionID (nginx: proxied to aiohttp)
    STATUS_500 = "status500"
    NOT_JSON = "notjson"  # HTTP 200 with a text body
    SLOW = "slow"  # the acknowledgement after SLOW_S seconds
    NOT_HTTP = "nothttp"  # bytes that are not HTTP
    BIG_HEADER = "bigheader"  # an HTTP 200 whose header is 100 KB
    DEEP = "deep"  # HTTP 200 with JSON nested 5,000 levels deep
    HUGE = "huge"  # HTTP 200 with a 3 MiB JSON body
    CLOSE = "close"  # reads the request, then closes the connection without an answer
    NOT_ROUTED = "notrouted"  # nginx routes only /oicp/: the hub's path gets nginx's 404 page


SLOW_S = 3.0  # what a slow backend takes; tests use a shorter timeout for it


@dataclass(frozen=True)
class TLSSpec:
    cert: ServerCert = ServerCert.GOOD
    verify: Verify = Verify.REQUIRED
    versions: Versions = Versions.MODERN


@dataclass(frozen=True)
class BackendSpec:
    """``tls`` None: plain HTTP on the port."""

    tls: TLSSpec | None = field(default_factory=TLSSpec)
    answer: Answer = Answer.ACK


ACK_BODY = (
    '{"Result":true,"StatusCode":{"Code":"000","Description":null,"AdditionalInfo":null},'
    '"SessionID":null,"CPOPartnerSessionID":null,"EMPPartnerSessionID":null}'
)
