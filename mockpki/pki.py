"""The mock Hubject PKI: a two-level CA shaped like Hubject's and every certificate the tool needs.

The real chain (reference notes, certificates.md section 2.3) is root ``C=DE, O=Hubject GmbH,
OU=CA, CN=Hubject CA`` (pathlen 2) over intermediate ``OU=IT, CN=Hubject Intermediate CA IT``
(pathlen 1), both RSA 2048 / SHA-256. The mock copies that shape with ``O=Hubject GmbH (Mock)``
so that nobody mistakes its certificates for real ones.
"""

from __future__ import annotations

import ssl
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from cryptography import x509

from mockpki import _x509
from mockpki.ca import (
    CertificateAuthority,
    LeafCertificate,
    foreign_ca,
    self_signed_client_cert,
    self_signed_server_cert,
)
from mockpki.errors import PKIError
from mockpki.files import PKIFiles, write_public, write_secret
from mockpki.inspect import load_pem_chain

__all__ = [
    "MockHubjectPKI",
    "foreign_ca",
    "self_signed_client_cert",
    "self_signed_server_cert",
]

MOCK_ORGANIZATION = "Hubject GmbH (Mock)"
ROOT_NAME = "Hubject CA"
INTERMEDIATE_NAME = "Hubject Intermediate CA IT"
# The subject partners saw on the real hub's outgoing calls (certificates.md section 7.4 B).
HUB_SERVICE_NAME = "service-qa.hubject.com"


def _ca_subject(common_name: str, unit: str) -> x509.Name:
    return _x509.make_name(
        common_name, organizational_unit=unit, organization=MOCK_ORGANIZATION, country="DE"
    )


def _new_intermediate(root: CertificateAuthority) -> CertificateAuthority:
    return root.create_intermediate(_ca_subject(INTERMEDIATE_NAME, "IT"), path_length=1)


def _hub_client(intermediate: CertificateAuthority, not_after: datetime | None) -> LeafCertificate:
    return intermediate.issue_client_cert(
        HUB_SERVICE_NAME,
        organizational_unit="IT",
        organization=MOCK_ORGANIZATION,
        not_after=not_after,
    )


def _cpo_client(
    intermediate: CertificateAuthority, operator_id: str, not_after: datetime | None
) -> LeafCertificate:
    return intermediate.issue_client_cert(
        operator_id, organizational_unit=operator_id, not_after=not_after
    )


@dataclass(frozen=True)
class MockHubjectPKI:
    """The mock Hubject CA (root and intermediate) and the leaves issued for one host and CPO.

    Build one with :meth:`create`, save it with :meth:`write`, read it back with :meth:`load`;
    issue more certificates with the ``issue_*`` helpers (signed by the mock intermediate).
    """

    host: str
    operator_id: str
    root: CertificateAuthority
    intermediate: CertificateAuthority
    hub_client: LeafCertificate
    hub_server: LeafCertificate
    cpo_server: LeafCertificate
    cpo_user_server: LeafCertificate
    cpo_client: LeafCertificate
    extra_hosts: tuple[str, ...] = ()  # more names the server certificates cover

    @classmethod
    def create(
        cls,
        host: str = "localhost",
        operator_id: str = "DE*ABC",
        *,
        leaf_not_after: datetime | None = None,
        extra_hosts: Sequence[str] = (),
    ) -> MockHubjectPKI:
        """Generate a fresh PKI (seven RSA 2048 keys) for the CPO ``operator_id`` on ``host``.

        ``leaf_not_after`` makes every leaf expire then (the CAs keep their ten and twenty
        years), for rehearsing expiry warnings without moving the clock.

        The server certificates cover ``host`` (their CN) and every name of
        ``extra_hosts``, e.g. a compose service name and ``localhost`` for the published
        port; renewals keep those names.
        """
        root = CertificateAuthority.create_root(_ca_subject(ROOT_NAME, "CA"), path_length=2)
        intermediate = _new_intermediate(root)
        return cls(
            host=host,
            operator_id=operator_id,
            root=root,
            intermediate=intermediate,
            hub_client=_hub_client(intermediate, leaf_not_after),
            hub_server=intermediate.issue_server_cert(
                host, extra_hosts=extra_hosts, not_after=leaf_not_after
            ),
            cpo_server=intermediate.issue_server_cert(
                host, extra_hosts=extra_hosts, not_after=leaf_not_after
            ),
            cpo_user_server=self_signed_server_cert(
                host, extra_hosts=extra_hosts, not_after=leaf_not_after
            ),
            cpo_client=_cpo_client(intermediate, operator_id, leaf_not_after),
            extra_hosts=tuple(extra_hosts),
        )

    # Renewals: each returns a new PKI with fresh keys and serials under the same names ---------

    def renew_hub_client(self, *, not_after: datetime | None = None) -> MockHubjectPKI:
        """The hub's service certificate renewed: a new key and serial, the same subject."""
        return replace(self, hub_client=_hub_client(self.intermediate, not_after))

    def renew_hub_server(self, *, not_after: datetime | None = None) -> MockHubjectPKI:
        """The hub's own HTTPS server certificate renewed for the same host."""
        leaf = self.intermediate.issue_server_cert(
            self.host, extra_hosts=self.extra_hosts, not_after=not_after
        )
        return replace(self, hub_server=leaf)

    def renew_cpo_server(self, *, not_after: datetime | None = None) -> MockHubjectPKI:
        """The CPO's Hubject-issued server certificate renewed for the same host."""
        leaf = self.intermediate.issue_server_cert(
            self.host, extra_hosts=self.extra_hosts, not_after=not_after
        )
        return replace(self, cpo_server=leaf)

    def renew_cpo_user_server(self, *, not_after: datetime | None = None) -> MockHubjectPKI:
        """The CPO's self-signed "User certificate" replaced by a new one for the same host."""
        return replace(
            self,
            cpo_user_server=self_signed_server_cert(
                self.host, extra_hosts=self.extra_hosts, not_after=not_after
            ),
        )

    def rotate_intermediate(self, *, not_after: datetime | None = None) -> MockHubjectPKI:
        """A new "Hubject Intermediate CA IT" (new key and serial) under the same root, and
        every leaf it issued re-issued under it; the self-signed user certificate stays.

        ``not_after`` applies to the re-issued leaves.
        """
        intermediate = _new_intermediate(self.root)
        return replace(
            self,
            intermediate=intermediate,
            hub_client=_hub_client(intermediate, not_after),
            hub_server=intermediate.issue_server_cert(
                self.host, extra_hosts=self.extra_hosts, not_after=not_after
            ),
            cpo_server=intermediate.issue_server_cert(
                self.host, extra_hosts=self.extra_hosts, not_after=not_after
            ),
            cpo_client=_cpo_client(intermediate, self.operator_id, not_after),
        )

    @property
    def root_cert_pem(self) -> bytes:
        """The root "Hubject CA" certificate, PEM."""
        return self.root.cert_pem

    @property
    def intermediate_cert_pem(self) -> bytes:
        """The "Hubject Intermediate CA IT" certificate, PEM."""
        return self.intermediate.cert_pem

    @property
    def ca_chain_pem(self) -> bytes:
        """Root then intermediate: the content of ``hubject-ca.pem``, what partners must trust."""
        return self.root_cert_pem + self.intermediate_cert_pem

    def configure_trust(self, context: ssl.SSLContext) -> None:
        """Make ``context`` trust the mock root and intermediate."""
        context.load_verify_locations(cadata=self.ca_chain_pem.decode("ascii"))

    def issue_server_cert(
        self,
        host: str,
        *,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        extra_hosts: Sequence[str] = (),
    ) -> LeafCertificate:
        """A server certificate for ``host`` (EKU serverAuth) issued by the mock intermediate."""
        return self.intermediate.issue_server_cert(
            host, not_before=not_before, not_after=not_after, extra_hosts=extra_hosts
        )

    def issue_client_cert(
        self,
        common_name: str,
        *,
        organizational_unit: str | None = None,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        eku: str = "client",
    ) -> LeafCertificate:
        """A client certificate issued by the mock intermediate; ``eku`` is client/server/both."""
        return self.intermediate.issue_client_cert(
            common_name,
            organizational_unit=organizational_unit,
            not_before=not_before,
            not_after=not_after,
            eku=eku,
        )

    def write(self, directory: Path) -> PKIFiles:
        """Write every file of :class:`PKIFiles` to ``directory`` (created if needed)."""
        files = PKIFiles(Path(directory))
        files.directory.mkdir(parents=True, exist_ok=True)
        write_public(files.hubject_ca, self.ca_chain_pem)
        write_secret(files.root_key, self.root.key_pem)
        write_secret(files.intermediate_key, self.intermediate.key_pem)
        for leaf, cert_path, key_path in self._leaf_files(files):
            leaf.write(cert_path, key_path)
        return files

    @classmethod
    def load(cls, directory: Path) -> MockHubjectPKI:
        """Read a PKI written by :meth:`write`, so that more certificates can be issued from it."""
        files = PKIFiles(Path(directory))
        files.require()
        root, intermediate = _load_cas(files)
        leaves = {name: _load_leaf(cert, key) for name, cert, key in _leaf_paths(files)}
        cpo_server, cpo_client = leaves["cpo_server"], leaves["cpo_client"]
        host = _first_host(cpo_server, files.cpo_server_cert)
        return cls(
            host=host,
            operator_id=_common_name(cpo_client, files.cpo_client_cert),
            root=root,
            intermediate=intermediate,
            **leaves,
            extra_hosts=_other_hosts(cpo_server, host),
        )

    def _leaf_files(self, files: PKIFiles) -> list[tuple[LeafCertificate, Path, Path]]:
        return [(getattr(self, name), cert, key) for name, cert, key in _leaf_paths(files)]


def _leaf_paths(files: PKIFiles) -> list[tuple[str, Path, Path]]:
    return [
        ("hub_client", files.hub_client_cert, files.hub_client_key),
        ("hub_server", files.hub_server_cert, files.hub_server_key),
        ("cpo_server", files.cpo_server_cert, files.cpo_server_key),
        ("cpo_user_server", files.cpo_user_server_cert, files.cpo_user_server_key),
        ("cpo_client", files.cpo_client_cert, files.cpo_client_key),
    ]


def _read_chain(path: Path) -> tuple[bytes, list[x509.Certificate]]:
    data = path.read_bytes()
    try:
        return data, load_pem_chain(data)
    except PKIError as error:
        raise PKIError(f"{path}: {error}; run `hubsim pki init --dir {path.parent}`") from error


def _load_cas(files: PKIFiles) -> tuple[CertificateAuthority, CertificateAuthority]:
    _, certificates = _read_chain(files.hubject_ca)
    if len(certificates) != 2:
        raise PKIError(
            f"{files.hubject_ca} holds {len(certificates)} certificates, expected root then "
            f"intermediate: run `hubsim pki init --dir {files.directory}`"
        )
    root_key = _x509.load_rsa_key(files.root_key.read_bytes(), str(files.root_key))
    intermediate_key = _x509.load_rsa_key(
        files.intermediate_key.read_bytes(), str(files.intermediate_key)
    )
    root = CertificateAuthority(certificates[0], root_key)
    return root, CertificateAuthority(certificates[1], intermediate_key)


def _load_leaf(cert_path: Path, key_path: Path) -> LeafCertificate:
    chain_pem, certificates = _read_chain(cert_path)
    key_pem = key_path.read_bytes()
    _x509.load_rsa_key(key_pem, str(key_path))
    cert_pem = _x509.certificate_pem(certificates[0])
    return LeafCertificate(cert_pem=cert_pem, chain_pem=chain_pem, key_pem=key_pem)


def _first_host(leaf: LeafCertificate, source: Path) -> str:
    names = leaf.describe().sans
    if not names:
        raise PKIError(f"{source} has no subject alternative name: run `hubsim pki init`")
    return names[0].split(":", 1)[1]


def _other_hosts(leaf: LeafCertificate, host: str) -> tuple[str, ...]:
    """The names a server certificate covers besides ``host`` (kept by renewals)."""
    names = [name.split(":", 1)[1] for name in leaf.describe().sans]
    return tuple(name for name in names if name != host)


def _common_name(leaf: LeafCertificate, source: Path) -> str:
    name = leaf.describe().common_name
    if name is None:
        raise PKIError(f"{source} has no common name: run `hubsim pki init`")
    return name
