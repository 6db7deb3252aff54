"""The mock Hubject PKI: a CA shaped like Hubject's and the certificates the tool uses.

Start with :meth:`MockHubjectPKI.create` (or :meth:`MockHubjectPKI.load` for a directory written by
``hubsim pki init``); :class:`PKIFiles` names the files; :func:`bad_client_certificates` is the pack
of client certificates the hub must refuse; :func:`describe_certificate` shows any certificate;
:func:`renew_pki_dir` renews certificates in a folder and keeps the previous files beside them.
"""

from mockpki.bad_clients import BadClientCertificate, bad_client_certificates
from mockpki.ca import (
    CertificateAuthority,
    LeafCertificate,
    foreign_ca,
    self_signed_client_cert,
    self_signed_server_cert,
)
from mockpki.errors import PKIError
from mockpki.expiry import expiry_after, parse_expires_in
from mockpki.files import PKIFiles
from mockpki.inspect import CertificateInfo, describe_certificate, describe_der, load_pem_chain
from mockpki.pki import MockHubjectPKI
from mockpki.renewal import Renewal, RenewalTarget, renew_pki, renew_pki_dir

__all__ = [
    "BadClientCertificate",
    "CertificateAuthority",
    "CertificateInfo",
    "LeafCertificate",
    "MockHubjectPKI",
    "PKIError",
    "PKIFiles",
    "Renewal",
    "RenewalTarget",
    "bad_client_certificates",
    "describe_certificate",
    "describe_der",
    "expiry_after",
    "foreign_ca",
    "load_pem_chain",
    "parse_expires_in",
    "renew_pki",
    "renew_pki_dir",
    "self_signed_client_cert",
    "self_signed_server_cert",
]
