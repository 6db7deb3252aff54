"""The fix for each of the hub's diagnosis outcomes, as one imperative sentence.

The reason of a failed layer quotes the hub's diagnosis sentence unchanged (the same one the
exchange log shows); the fix repeats its advice as a short instruction of its own.
"""

from __future__ import annotations

from simulator.exchange import Outcome
from simulator.model import ServerCertification

_FIXES = {
    Outcome.DNS_FAILURE: "Check the Service URL's host name for typos, or add the name to DNS.",
    Outcome.CONNECTION_REFUSED: "Start the backend, or correct the port in the Service URL.",
    Outcome.PLAIN_HTTP: "Serve HTTPS on that port, or put the HTTPS port in the Service URL.",
    Outcome.TLS_VERSION: "Enable TLS 1.2 or 1.3 on the backend.",
    Outcome.TLS_ERROR: "Check the backend's TLS set-up: certificate and key loaded, TLS 1.2 or "
    "1.3 enabled.",
    Outcome.SERVER_CERT_EXPIRED: "Renew the server certificate (in User certificate mode, "
    "upload the new one in Certificate Management too).",
    Outcome.SERVER_CERT_NOT_YET_VALID: "Check the backend's clock, or issue a certificate that "
    "is valid from now.",
    Outcome.HOSTNAME_MISMATCH: "Issue the server certificate for the Service URL's host, or "
    "use a host name the certificate covers.",
    Outcome.CLIENT_CERT_REFUSED: "Add the mock Hubject CA (hubject-ca.pem: root and "
    "intermediate) to the backend's client-certificate trust store.",
    Outcome.TIMEOUT: "Answer the request at once and act on the EVSE afterwards; OICP asks for "
    "an answer in under 10 s.",
    Outcome.CONNECTION_CLOSED: "Answer every request with HTTP 200 and an "
    "eRoamingAcknowledgement; the backend's log should show why it dropped the connection.",
}
_UNTRUSTED = {
    ServerCertification.HUBJECT: "Serve a certificate issued by the mock Hubject CA "
    "(cpo-server.pem from 'hubsim pki init'), or switch to User certificate and upload yours.",
    ServerCertification.USER: "Upload the certificate the endpoint presents (or the CA that "
    "issued it) in Certificate Management, or switch to Hubject certificate.",
}


def fix_for(outcome: Outcome, mode: ServerCertification) -> str:
    """What to do about ``outcome`` in certification ``mode``."""
    if outcome is Outcome.SERVER_CERT_UNTRUSTED:
        return _UNTRUSTED[mode]
    return _FIXES.get(outcome, "Read the reason: it names what went wrong and what to change.")
