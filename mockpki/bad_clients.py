"""Client certificates the hub must refuse, for ``hubsim check`` and for tests.

Each bad certificate differs from the good CPO client certificate (CN = OU = OperatorID,
EKU clientAuth, issued by the mock intermediate) in one way only, so that a refusal can be
pinned on that one fault. Hubject's hub refuses certificates that do not chain to its CA
(reference notes, certificates.md section 0, facts 1, 3 and 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from mockpki._x509 import utc_now
from mockpki.ca import LeafCertificate, foreign_ca, self_signed_client_cert
from mockpki.pki import MockHubjectPKI

# How far the expired and not-yet-valid certificates sit from "now": far enough that no
# reasonable clock skew makes them valid.
_MARGIN = timedelta(days=30)


@dataclass(frozen=True)
class BadClientCertificate:
    """One faulty way for a CPO to identify itself; ``leaf`` is None for "no certificate"."""

    name: str
    description: str
    leaf: LeafCertificate | None


def bad_client_certificates(
    pki: MockHubjectPKI, operator_id: str = "DE*ABC"
) -> list[BadClientCertificate]:
    """The bad-client pack, in a fixed order: no certificate, self-signed, foreign CA,
    expired, not yet valid, server-only EKU."""
    return [
        BadClientCertificate("no-certificate", "the client presents no certificate", None),
        _self_signed(operator_id),
        _foreign(operator_id),
        _expired(pki, operator_id),
        _not_yet_valid(pki, operator_id),
        _server_only(pki, operator_id),
    ]


def _self_signed(operator_id: str) -> BadClientCertificate:
    leaf = self_signed_client_cert(operator_id, organizational_unit=operator_id)
    return BadClientCertificate(
        "self-signed", f"a self-signed certificate for {operator_id}, not issued by Hubject", leaf
    )


def _foreign(operator_id: str) -> BadClientCertificate:
    ca = foreign_ca()
    leaf = ca.issue_client_cert(operator_id, organizational_unit=operator_id)
    return BadClientCertificate(
        "foreign-ca", f"a certificate for {operator_id} issued by {ca.name!r}, not by Hubject", leaf
    )


def _expired(pki: MockHubjectPKI, operator_id: str) -> BadClientCertificate:
    now = utc_now()
    leaf = pki.issue_client_cert(
        operator_id,
        organizational_unit=operator_id,
        not_before=now - 3 * _MARGIN,
        not_after=now - _MARGIN,
    )
    return BadClientCertificate(
        "expired", f"a Hubject-issued certificate for {operator_id} that has expired", leaf
    )


def _not_yet_valid(pki: MockHubjectPKI, operator_id: str) -> BadClientCertificate:
    now = utc_now()
    leaf = pki.issue_client_cert(
        operator_id,
        organizational_unit=operator_id,
        not_before=now + _MARGIN,
        not_after=now + 12 * _MARGIN,
    )
    return BadClientCertificate(
        "not-yet-valid",
        f"a Hubject-issued certificate for {operator_id} whose validity has not started",
        leaf,
    )


def _server_only(pki: MockHubjectPKI, operator_id: str) -> BadClientCertificate:
    leaf = pki.issue_client_cert(operator_id, organizational_unit=operator_id, eku="server")
    return BadClientCertificate(
        "server-only-eku",
        f"a Hubject-issued certificate for {operator_id} allowed for TLS servers only "
        "(extended key usage serverAuth, no clientAuth)",
        leaf,
    )
