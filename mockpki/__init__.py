"""The mock Hubject PKI: a CA shaped like Hubject's and the certificates the tool uses.

Start with :meth:`MockHubjectPKI.create` (or :meth:`MockHubjectPKI.load` for a directory written by
``hubsim pki init``); :class:`PKIFiles` names the files; :func:`bad_client_certificates` is the pack
of client certificates the hub must refuse; :func:`describe_certificate` shows any certificate.
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
from mockpki.files import PKIFiles
from mockpki.inspect import CertificateInfo, describe_certificate, describe_der, load_pem_chain
from mockpki.pki import MockHubjectPKI

__all__ = [
    "BadClientCertificate",
    "CertificateAuthority",
    "CertificateInfo",
    "LeafCertificate",
    "MockHubjectPKI",
    "PKIError",
    "PKIFiles",
    "bad_client_certificates",
    "describe_certificate",
    "describe_der",
    "foreign_ca",
    "load_pem_chain",
    "self_signed_client_cert",
    "self_signed_server_cert",
]
