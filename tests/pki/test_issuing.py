"""The issuing helpers refuse bad input with a message naming it, and accept what they document."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta

import pytest

from mockpki import MockHubjectPKI, PKIError, foreign_ca, self_signed_server_cert


def test_unknown_extended_key_usage_is_refused_naming_the_value(pki: MockHubjectPKI) -> None:
    with pytest.raises(PKIError, match=r"unknown extended key usage 'email': use one of"):
        pki.issue_client_cert("DE*ABC", eku="email")


def test_host_given_as_a_url_is_refused_naming_it(pki: MockHubjectPKI) -> None:
    with pytest.raises(PKIError, match=r"host 'https://cpo.example.com' is not a DNS name"):
        pki.issue_server_cert("https://cpo.example.com")


def test_validity_that_ends_before_it_starts_is_refused(pki: MockHubjectPKI) -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    with pytest.raises(PKIError, match="is not later than not_before"):
        pki.issue_server_cert("localhost", not_before=start, not_after=start - timedelta(days=1))


def test_naive_validity_bounds_are_taken_as_utc(pki: MockHubjectPKI) -> None:
    leaf = pki.issue_server_cert(
        "localhost", not_before=datetime(2030, 1, 1), not_after=datetime(2031, 1, 1)
    )
    info = leaf.describe()
    assert info.not_before == datetime(2030, 1, 1, tzinfo=UTC)
    assert info.not_after == datetime(2031, 1, 1, tzinfo=UTC)


def test_only_not_after_in_the_past_gives_a_certificate_that_starts_before_it(
    pki: MockHubjectPKI,
) -> None:
    end = datetime.now(UTC) - timedelta(days=10)
    info = pki.issue_client_cert("DE*ABC", not_after=end).describe()
    assert info.not_before < info.not_after == end.replace(microsecond=0)


def test_self_signed_server_cert_honours_extra_hosts() -> None:
    leaf = self_signed_server_cert("cpo.example.com", extra_hosts=["192.0.2.10"])
    assert leaf.describe().sans == ("DNS:cpo.example.com", "IP:192.0.2.10")
    assert leaf.describe().self_signed


def test_foreign_ca_is_a_separate_root_named_foreign_test_ca(pki: MockHubjectPKI) -> None:
    ca = foreign_ca()
    assert ca.name == "Foreign Test CA"
    assert ca.certificate.issuer == ca.certificate.subject
    assert ca.certificate.public_key() != pki.root.certificate.public_key()
    leaf = ca.issue_server_cert("localhost")
    assert leaf.describe().issuer == ca.certificate.subject.rfc4514_string()
    assert leaf.chain_pem == leaf.cert_pem


def test_trustme_view_of_the_root_configures_trust(pki: MockHubjectPKI) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    pki.root.to_trustme().configure_trust(context)
    (anchor,) = context.get_ca_certs()
    assert anchor["subject"][-1] == (("commonName", "Hubject CA"),)
