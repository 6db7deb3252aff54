"""Which hosts a certificate covers, as Python's own TLS host name check decides it."""

from __future__ import annotations

import contextlib
import ssl
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives import serialization

from simulator.certificates import (
    active_certificates_for_host,
    certificate_covers_host,
    parse_certificate_upload,
    urls_covered,
)

if TYPE_CHECKING:
    from tests.hub_rules.conftest import CertFactory


def test_san_dns_name_covers_its_host_case_insensitively(certs: CertFactory) -> None:
    cert = certs.parsed(dns=("CPO.Example.com",))
    assert certificate_covers_host(cert, "cpo.example.COM")
    assert certificate_covers_host(cert, "cpo.example.com.")
    assert not certificate_covers_host(cert, "api.example.com")


def test_wildcard_covers_one_label(certs: CertFactory) -> None:
    cert = certs.parsed(cn=None, dns=("*.example.com",))
    assert certificate_covers_host(cert, "cpo.example.com")
    assert not certificate_covers_host(cert, "a.cpo.example.com")
    assert not certificate_covers_host(cert, "example.com")
    assert not certificate_covers_host(cert, "cpo.example.org")


def test_wildcard_needs_two_labels_after_it(certs: CertFactory) -> None:
    cert = certs.parsed(cn=None, dns=("*.com",))
    assert not certificate_covers_host(cert, "example.com")


def test_ip_host_needs_ip_san(certs: CertFactory) -> None:
    with_ip = certs.parsed(cn="127.0.0.1", dns=("localhost",), ips=("127.0.0.1", "::1"))
    assert certificate_covers_host(with_ip, "127.0.0.1")
    assert certificate_covers_host(with_ip, "[::1]")
    assert certificate_covers_host(with_ip, "0:0:0:0:0:0:0:1")
    cn_only = certs.parsed(cn="127.0.0.1", dns=())
    assert not certificate_covers_host(cn_only, "127.0.0.1")


def test_common_name_is_used_only_without_dns_san(certs: CertFactory) -> None:
    cn_only = certs.parsed(cn="cpo.example.com", dns=())
    assert certificate_covers_host(cn_only, "cpo.example.com")
    cn_and_ip = certs.parsed(cn="cpo.example.com", dns=(), ips=("127.0.0.1",))
    assert certificate_covers_host(cn_and_ip, "cpo.example.com")
    cn_and_other_dns = certs.parsed(cn="cpo.example.com", dns=("other.example.com",))
    assert not certificate_covers_host(cn_and_other_dns, "cpo.example.com")


def test_uploaded_certificate_covers_like_the_parsed_one(certs: CertFactory) -> None:
    pem = certs.pem(cn="cpo.example.com", dns=())
    uploaded = certs.uploaded(pem)
    assert certificate_covers_host(uploaded, "cpo.example.com")
    assert not certificate_covers_host(uploaded, "api.example.com")


def test_urls_covered_lists_the_service_urls_whose_host_it_covers(certs: CertFactory) -> None:
    cert = certs.uploaded(dns=("cpo.example.com", "*.cpo.example.org"))
    urls = [
        "https://cpo.example.com/oicp",
        "https://qa.cpo.example.org:8443",
        "https://other.example.com/oicp",
        "not a url",
    ]
    assert urls_covered(cert, urls) == urls[:2]


def test_active_certificates_for_host_skips_expired_and_foreign(
    certs: CertFactory, now: datetime
) -> None:
    good = certs.uploaded(dns=("cpo.example.com",))
    expired = certs.uploaded(dns=("cpo.example.com",), not_after=now - timedelta(seconds=1))
    future = certs.uploaded(dns=("cpo.example.com",), not_before=now + timedelta(days=1))
    foreign = certs.uploaded(dns=("other.example.com",))
    found = active_certificates_for_host([expired, future, foreign, good], "cpo.example.com", now)
    assert found == [good]


def test_uploaded_ca_can_vouch_for_any_host(certs: CertFactory, now: datetime) -> None:
    ca = certs.uploaded(certs.ca_pem())
    assert not certificate_covers_host(ca, "cpo.example.com")
    assert active_certificates_for_host([ca], "cpo.example.com", now) == [ca]


# --- agreement with Python's ssl module -------------------------------------------------------

# (names on the certificate, host the hub connects to)
CASES = [
    ({"dns": ("cpo.example.com",)}, "cpo.example.com"),
    ({"dns": ("cpo.example.com",)}, "api.example.com"),
    ({"dns": ("*.example.com",)}, "cpo.example.com"),
    ({"dns": ("*.example.com",)}, "a.cpo.example.com"),
    ({"dns": ("*.example.com",)}, "example.com"),
    ({"cn": None, "dns": ("*.com",)}, "example.com"),
    ({"dns": ("CPO.Example.COM",)}, "cpo.example.com"),
    ({"cn": "cpo.example.com", "dns": ()}, "cpo.example.com"),
    ({"cn": "cpo.example.com", "dns": ("other.example.com",)}, "cpo.example.com"),
    ({"cn": "cpo.example.com", "dns": (), "ips": ("127.0.0.1",)}, "cpo.example.com"),
    ({"dns": ("localhost",), "ips": ("127.0.0.1",)}, "127.0.0.1"),
    ({"cn": "127.0.0.1", "dns": ()}, "127.0.0.1"),
    ({"dns": ("localhost",), "ips": ("::1",)}, "::1"),
]


@pytest.mark.parametrize(("names", "host"), CASES)
def test_coverage_agrees_with_python_ssl(
    certs: CertFactory, tmp_path: Path, names: dict[str, object], host: str
) -> None:
    cert, key = certs.issue(**names)  # type: ignore[arg-type]
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (parsed,) = parse_certificate_upload(pem, "cpo.pem")
    chain = tmp_path / "server.pem"
    chain.write_bytes(pem + certs.key_pem(key))
    assert certificate_covers_host(parsed, host) == _ssl_accepts(certs, chain, host)


def _ssl_accepts(certs: CertFactory, chain: Path, host: str) -> bool:
    """A real TLS handshake over memory buffers; True when the client accepts the host."""
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(chain)
    client_ctx = ssl.create_default_context(cadata=certs.ca_pem().decode())
    assert client_ctx.hostname_checks_common_name  # the hub's TLS builder keeps the default
    client_in, client_out, server_in, server_out = (ssl.MemoryBIO() for _ in range(4))
    client = client_ctx.wrap_bio(client_in, client_out, server_hostname=host)
    server = server_ctx.wrap_bio(server_in, server_out, server_side=True)
    for _ in range(10):
        try:
            client.do_handshake()
            return True
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLCertVerificationError:
            return False
        server_in.write(client_out.read())
        with contextlib.suppress(ssl.SSLWantReadError):
            server.do_handshake()
        client_in.write(server_out.read())
    raise AssertionError("the TLS handshake did not finish")


def test_an_uploaded_ca_covers_the_urls_whose_warning_it_silences(
    certs: CertFactory, now: datetime
) -> None:
    ca = certs.uploaded(certs.ca_pem())
    urls = ["https://cpo.example.com/oicp", "https://other.example.org"]

    silenced = [u for u in urls if active_certificates_for_host([ca], u.split("/")[2], now)]
    assert urls_covered(ca, urls) == silenced == urls
