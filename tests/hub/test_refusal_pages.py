"""Which HTTP answers are a TLS terminator refusing the hub's certificate, and which are not."""

from __future__ import annotations

import pytest

from simulator.diagnosis import refused_by_page
from simulator.exchange import Outcome

NGINX_PAGE = (
    "<html>\r\n<head><title>400 {title}</title></head>\r\n<body>\r\n<center><h1>400 Bad "
    "Request</h1></center>\r\n<center>{title}</center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@pytest.mark.parametrize(
    ("status", "body", "shown"),
    [
        (
            400,
            NGINX_PAGE.format(title="The SSL certificate error"),
            "400 The SSL certificate error",
        ),
        (
            400,
            NGINX_PAGE.format(title="No required SSL certificate was sent"),
            "400 No required SSL certificate was sent",
        ),
        (
            400,
            '{"message": "Client certificate is not valid"}',
            '{"message": "Client certificate is not valid"}',
        ),
        (496, "", ""),
    ],
)
def test_a_terminator_refusal_page_is_client_cert_refused_naming_the_page(
    status: int, body: str, shown: str
) -> None:
    found = refused_by_page(status, body, "cpo.example", 8443)
    assert found is not None and found.outcome is Outcome.CLIENT_CERT_REFUSED
    assert f"answered HTTP {status} with {shown!r}" in found.detail
    assert "hubject-ca.pem" in found.detail


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, '{"error": "EvseID missing"}'),
        (500, "The SSL certificate error"),  # not a refusal status
        (200, "certificate"),
        (403, "certificate fingerprint not allowed"),  # an application's verdict
    ],
)
def test_other_answers_are_not_refusals(status: int, body: str) -> None:
    assert refused_by_page(status, body, "cpo.example", 8443) is None
