"""The running parts a scenario (or a pytest test) needs: PKI, hub, operator, stub.

The hub is the product's own :class:`~simulator.hub.Hub` over in-memory storage, so the
portal's settings rules, Certificate Management and the sender apply exactly as they do in
``hubsim hub serve``. The pytest plugin builds its fixtures from the same functions.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from cpo_stub import CPOStub
from hubsim.scenario.errors import ScenarioSetupError
from hubsim.scenario.model import OperatorSpec, ServiceSpec, StubSpec
from mockpki import MockHubjectPKI, PKIFiles, bad_client_certificates
from simulator.hub import Hub, HubError, HubIdentity
from simulator.model import FieldIssue, Operator, ServerCertification
from simulator.storage import Storage
from simulator.tls import ClientIdentity

BAD_CLIENT_CERTIFICATES = (
    "self-signed",
    "foreign-ca",
    "expired",
    "not-yet-valid",
    "server-only-eku",
)
"""The names ``client_certificate:`` accepts (mockpki's bad-client pack, except "no certificate":
the hub's sender always presents one)."""


@dataclass
class StagePKI:
    """The mock Hubject PKI of a run, and the bad client certificates issued from it."""

    files: PKIFiles
    _scratch: Path
    _authority: MockHubjectPKI | None = None
    _bad: dict[str, HubIdentity] = field(default_factory=dict)

    @classmethod
    def create(cls, directory: Path, host: str = "localhost") -> StagePKI:
        """Generate a fresh PKI for ``host`` into ``directory``."""
        authority = MockHubjectPKI.create(host=host)
        files = authority.write(directory / "pki")
        return cls(files, directory, authority)

    @classmethod
    def existing(cls, pki_dir: Path, scratch: Path) -> StagePKI:
        """Use the PKI that ``hubsim pki init`` wrote; bad certificates go to ``scratch``."""
        files = PKIFiles(pki_dir)
        files.require()  # the bad client certificates are issued with the CA keys
        return cls(files, scratch)

    @property
    def authority(self) -> MockHubjectPKI:
        """The CA itself, loaded from the files when the PKI was not generated here."""
        if self._authority is None:
            self._authority = MockHubjectPKI.load(self.files.directory)
        return self._authority

    @property
    def identity(self) -> HubIdentity:
        """The hub's own service certificate and the mock Hubject CA."""
        return HubIdentity.from_pki_dir(self.files.directory)

    def bad_identity(self, name: str) -> HubIdentity:
        """The hub's identity with the bad client certificate ``name`` instead of its own."""
        if name not in self._bad:
            self._bad[name] = self._issue_bad(name)
        return self._bad[name]

    def _issue_bad(self, name: str) -> HubIdentity:
        pack = {bad.name: bad for bad in bad_client_certificates(self.authority)}
        leaf = pack[name].leaf if name in BAD_CLIENT_CERTIFICATES else None
        if leaf is None:
            raise ScenarioSetupError(
                f"unknown bad client certificate {name!r}; use one of "
                + ", ".join(BAD_CLIENT_CERTIFICATES)
            )
        cert, key = self._scratch / f"bad-{name}.pem", self._scratch / f"bad-{name}.key"
        leaf.write(cert, key)
        return replace(self.identity, client=ClientIdentity(cert_chain=cert, key=key))


def temporary_folder(prefix: str) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder for a run's PKI and bad certificates."""
    return tempfile.TemporaryDirectory(prefix=prefix)


async def open_hub(identity: HubIdentity) -> Hub:
    """A hub over a fresh in-memory database; close it with ``await hub.close()``."""
    storage = await Storage.open(":memory:")
    return Hub(storage, identity)


async def configure_operator(
    hub: Hub,
    spec: OperatorSpec,
    service_url: str,
    certification: ServerCertification,
    *,
    upload: tuple[bytes, str] | None = None,
) -> list[FieldIssue]:
    """Create the operator, upload its certificate, save its settings; return the warnings.

    Raises :class:`ScenarioSetupError` with the portal's own messages when a rule refuses.
    """
    operator = Operator(
        spec.operator_id,
        reservation_path_style=spec.reservation_path_style,
        timeout_s=spec.timeout_s,
        wire_profile=spec.wire_profile,
    )
    warnings: list[FieldIssue] = []
    try:
        await hub.put_operator(operator)
        if upload is not None:
            await hub.upload_certificates(spec.operator_id, upload[0], upload[1])
        for service in spec.services:
            saved = await hub.save_settings(
                spec.operator_id, service.service_type, _form(service, service_url, certification)
            )
            # Named by service type: the same warning often holds for both.
            slug = service.service_type.slug
            warnings += [replace(w, field=f"{slug}.{w.field}") for w in saved.warnings]
    except HubError as refused:
        raise ScenarioSetupError(f"the hub refused the operator's settings: {refused}") from None
    return warnings


def _form(service: ServiceSpec, url: str, certification: ServerCertification) -> dict[str, object]:
    return {
        "online_request": service.online_request,
        "broadcast_request": service.broadcast_request,
        "service_url": url if service.online_request else None,  # refused while offline
        "server_certification": certification.slug,
    }


def start_stub_for(pki: StagePKI, certificate: ServerCertification) -> CPOStub:
    """A stub (not yet started) presenting the Hubject-issued or the self-signed certificate."""
    return CPOStub.from_pki_dir(
        pki.files.directory, user_cert=certificate is ServerCertification.USER
    )


def stub_service_url(stub: CPOStub, path: str = "") -> str:
    """The Service URL of a running stub, by the host name its certificate names."""
    return f"https://localhost:{stub.port}{path}"


def arrange_stub(stub: CPOStub, spec: StubSpec) -> None:
    """Apply a scenario's stub section: known/unknown EvseIDs and per-EVSE answers."""
    if spec.known_evses is not None:
        stub.set_known_evses(spec.known_evses)
    if spec.unknown_evses:
        stub.set_unknown_evses(spec.unknown_evses)
    for rule in spec.behaviours:
        stub.set_behaviour(rule.behaviour, rule.evse_id)


def user_certificate_upload(pki: StagePKI) -> tuple[bytes, str]:
    """What a CPO using the bundled stub uploads in User certificate mode."""
    path = pki.files.cpo_user_server_cert
    return path.read_bytes(), path.name
