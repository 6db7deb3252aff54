"""The hub service: operators, their Service Type Settings and certificates, and sending.

The admin API, the portal and the CLI are thin layers over this class; every rule it applies
comes from :mod:`simulator.settings_rules` and :mod:`simulator.certificates`.
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from mockpki.errors import PKIError
from mockpki.files import PKIFiles
from mockpki.inspect import CertificateInfo, describe_certificate, load_pem_chain
from oicp import Operation
from oicp.paths import hub_to_cpo_path, join_service_url
from simulator.certificates import (
    active_certificates_for_host,
    parse_certificate_upload,
    user_trust,
)
from simulator.exchange import Exchange, Outcome
from simulator.model import (
    FieldIssue,
    Operator,
    ServerCertification,
    ServiceType,
    SettingsRevision,
    UploadedCertificate,
    WireProfile,
)
from simulator.requests import WIRE_SHAPES, SendParams, prepare_request, service_type_of
from simulator.sender import (
    DEFAULT_CONNECTION_LIMIT,
    DEFAULT_MAX_ANSWER_BYTES,
    RecordTags,
    Sender,
    Target,
)
from simulator.settings_rules import (
    SettingsCheck,
    read_and_check_settings,
    service_url_host,
    user_certificate_problem,
)
from simulator.storage import NewCertificate, Storage
from simulator.tls import ClientIdentity, ServerTrust, build_probe_context
from simulator.tolerance import Variant, apply_variant

MAX_TIMEOUT_S = 60.0


class HubError(Exception):
    """A refusal of the hub to a user: carries the issues, each naming its field."""

    def __init__(self, issues: list[FieldIssue], *, status: int = 400) -> None:
        self.issues = issues
        self.status = status
        super().__init__("; ".join(f"{i.field}: {i.message}" for i in issues))


class UnknownOperatorError(HubError):
    def __init__(self, operator_id: str) -> None:
        super().__init__(
            [
                FieldIssue(
                    "operator_id",
                    operator_id,
                    f"no operator {operator_id!r} is configured; create it first "
                    "(POST /api/operators or the config file of 'hubsim hub serve')",
                )
            ],
            status=404,
        )


class SettingsRejected(HubError):
    """The settings break the portal's rules; nothing was saved."""

    def __init__(self, errors: list[FieldIssue], warnings: list[FieldIssue]) -> None:
        super().__init__(errors)
        self.warnings = warnings


@dataclass(frozen=True)
class SavedSettings:
    revision: SettingsRevision
    warnings: tuple[FieldIssue, ...]
    unchanged: bool = False  # the settings equalled the current revision: nothing was saved


@dataclass(frozen=True)
class OperatorConfig:
    """An operator with its current settings and certificates, as one cached snapshot."""

    operator: Operator
    settings: dict[ServiceType, SettingsRevision]
    certificates: list[UploadedCertificate]
    generation: int


@dataclass(frozen=True)
class Refusal:
    """Why the hub will not send with the saved settings."""

    outcome: Outcome
    detail: str


@dataclass(frozen=True)
class HubIdentity:
    """The hub's own certificates: its service certificate and the mock Hubject CA."""

    client: ClientIdentity
    hubject_ca_pem: str
    pki_dir: Path  # where they came from; its CA keys issue further test certificates
    certificate: CertificateInfo | None = None  # the service certificate as it was loaded

    @classmethod
    def from_pki_dir(cls, directory: Path) -> HubIdentity:
        """Read the service certificate, its key and the CA chain; refuse a mismatched pair."""
        files = PKIFiles(directory)
        files.require((files.hub_client_cert, files.hub_client_key, files.hubject_ca))
        client = ClientIdentity(cert_chain=files.hub_client_cert, key=files.hub_client_key)
        try:
            build_probe_context(client)  # loads the pair: a key of another certificate fails
        except ssl.SSLError as exc:
            raise PKIError(
                f"{files.hub_client_cert.name} and {files.hub_client_key.name} in {directory} "
                f"do not load as a certificate and its key ({exc.reason or exc}); renew them "
                f"together with: hubsim pki renew hub-client --dir {directory}"
            ) from exc
        return cls(
            client=client,
            hubject_ca_pem=files.hubject_ca.read_text(),
            pki_dir=directory,
            certificate=describe_certificate(load_pem_chain(files.hub_client_cert.read_bytes())[0]),
        )


_TargetKey = tuple[str, ServiceType, Operation, str]
_MAX_TARGETS = 1024


class Hub:
    """The mock HBS, as its operators' settings make it behave."""

    def __init__(
        self,
        storage: Storage,
        identity: HubIdentity,
        *,
        connection_limit: int = DEFAULT_CONNECTION_LIMIT,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    ) -> None:
        self.storage = storage
        self.identity = identity
        self.sender = Sender(
            identity.client, connection_limit=connection_limit, max_answer_bytes=max_answer_bytes
        )
        # Sending reads the operator's configuration on every request; reading it from SQLite
        # each time cost more than the whole HTTPS exchange, so it is cached and dropped when
        # storage reports a configuration write.
        self._configs: dict[str, OperatorConfig] = {}
        self._targets: dict[_TargetKey, Target] = {}
        self._targets_generation = -1
        # Called after a reload with the new identity (the OICP listener reloads its own
        # server certificate from the same folder).
        self.reload_listeners: list[Callable[[HubIdentity], Awaitable[None]]] = []

    async def close(self) -> None:
        await self.sender.close()
        await self.storage.close()

    async def reload_certificates(self) -> HubIdentity:
        """Read the PKI folder again and present the renewed service certificate from now on.

        ``hubsim pki renew`` rewrites the files while the hub runs; until this is called (the
        admin API's POST /api/hub/certificate/reload, or SIGHUP to ``hubsim hub serve``) the
        hub keeps presenting the certificate it loaded. A folder that does not load leaves
        the hub as it was.
        """
        identity = HubIdentity.from_pki_dir(self.identity.pki_dir)
        await self.sender.use_identity(identity.client)
        self.identity = identity
        self._targets.clear()  # Hubject-mode targets carry the CA chain, which may have rotated
        for listener in self.reload_listeners:
            await listener(identity)
        return identity

    # Operators ---------------------------------------------------------------------------

    async def operator(self, operator_id: str) -> Operator:
        return (await self.config(operator_id)).operator

    async def config(self, operator_id: str) -> OperatorConfig:
        """The operator's configuration, from the cache while no configuration was written."""
        cached = self._configs.get(operator_id)
        generation = self.storage.config_generation  # taken before reading: never stale
        if cached is not None and cached.generation == generation:
            return cached
        op = await self.storage.get_operator(operator_id)
        if op is None:
            raise UnknownOperatorError(operator_id)
        config = OperatorConfig(
            operator=op,
            settings=await self.storage.all_current_settings(operator_id),
            certificates=await self.storage.list_certificates(operator_id),
            generation=generation,
        )
        self._configs[operator_id] = config
        return config

    async def put_operator(self, operator: Operator) -> Operator:
        issues = operator_issues(operator)
        if issues:
            raise HubError(issues)
        await self.storage.upsert_operator(operator)
        return operator

    # Settings ----------------------------------------------------------------------------

    async def check(
        self, operator_id: str, service_type: ServiceType, data: Mapping[str, object]
    ) -> SettingsCheck:
        """Apply the portal's rules without saving."""
        certs = await self.storage.list_certificates(operator_id)
        _, verdict = read_and_check_settings(service_type, data, certificates=certs, now=_now())
        return verdict

    async def save_settings(
        self, operator_id: str, service_type: ServiceType, data: Mapping[str, object]
    ) -> SavedSettings:
        """Save a new revision, or raise :class:`SettingsRejected` and save nothing.

        Settings equal to the current revision save nothing either: the answer is that
        revision, marked ``unchanged`` (HBS's history shows changes, not clicks on Save).
        """
        await self.operator(operator_id)
        certs = await self.storage.list_certificates(operator_id)
        settings, verdict = read_and_check_settings(
            service_type, data, certificates=certs, now=_now()
        )
        if settings is None or not verdict.ok:
            raise SettingsRejected(list(verdict.errors), list(verdict.warnings))
        current = await self.storage.current_settings(operator_id, service_type)
        if current is not None and current.settings == settings:
            return SavedSettings(revision=current, warnings=verdict.warnings, unchanged=True)
        revision = await self.storage.save_settings(operator_id, service_type, settings)
        return SavedSettings(revision=revision, warnings=verdict.warnings)

    # Certificate Management --------------------------------------------------------------

    async def upload_certificates(
        self, operator_id: str, data: bytes, filename: str
    ) -> list[UploadedCertificate]:
        await self.operator(operator_id)
        parsed = parse_certificate_upload(data, filename)
        new = [
            NewCertificate(
                pem=p.pem,
                filename=filename,
                subject=p.subject,
                sans=p.sans,
                sha256=p.sha256,
                not_before=p.not_before,
                not_after=p.not_after,
            )
            for p in parsed
        ]
        return await self.storage.add_certificates(operator_id, new)

    # Sending -----------------------------------------------------------------------------

    async def send(
        self,
        operator_id: str,
        operation: Operation,
        params: SendParams,
        *,
        profile: WireProfile | None = None,
        variant: Variant | None = None,
    ) -> Exchange:
        """Send one request for a configured operator and record the exchange.

        ``profile`` overrides the operator's wire profile for this one call; ``variant``
        writes the validated request as that tolerance variant does (docs/tolerance.md).
        Returns the exchange with its ``exchange_id``: a caller that answers with it names an
        exchange that is there to read and survives a killed hub (Storage.record_exchange).
        """
        config = await self.config(operator_id)
        profile = profile or config.operator.wire_profile
        request, body = prepare_request(operation, params, profile)
        service_type = service_type_of(operation)
        tags = RecordTags(operator_id=operator_id, service_type=service_type.value)
        planned = self._planned(config, service_type, operation, params.provider_id)
        if isinstance(planned, Refusal):
            exchange = _refused_exchange(operation, body, tags, planned)
        else:
            headers = None
            if variant is not None:
                shape = WIRE_SHAPES[profile]
                draft = apply_variant(variant, operation, request, planned.url, shape.headers, body)
                planned, body, headers = replace(planned, url=draft.url), draft.body, draft.headers
            exchange = await self.sender.send(
                planned, request, tags, body=body, profile=profile, headers=headers
            )
        # For the Process Monitor's partner filter and its search by EvseID (two attribute
        # writes: the record is built once, on the hot path).
        exchange.partner_id = operator_id
        exchange.evse_id = params.evse_id
        return self.storage.record_exchange(exchange)

    async def refusal_for(
        self, operator_id: str, operation: Operation, provider_id: str
    ) -> Refusal | None:
        """Why :meth:`send` would send nothing for ``operation`` with the saved settings, or
        None: what a load run asks before its first request."""
        config = await self.config(operator_id)
        planned = self._planned(config, service_type_of(operation), operation, provider_id)
        return planned if isinstance(planned, Refusal) else None

    def _planned(
        self,
        config: OperatorConfig,
        service_type: ServiceType,
        operation: Operation,
        provider_id: str,
    ) -> Target | Refusal:
        """:meth:`_plan`, remembered per configuration in Hubject certificate mode.

        That target depends on the configuration alone; a User certificate target also
        depends on the time (which uploads are valid now), so it is planned every time.
        """
        if config.generation != self._targets_generation:  # a configuration was written
            self._targets.clear()
            self._targets_generation = config.generation
        key = (config.operator.operator_id, service_type, operation, provider_id)
        found = self._targets.get(key)
        if found is not None:
            return found
        planned = self._plan(config, service_type, operation, provider_id)
        if isinstance(planned, Target) and planned.trust.mode is ServerCertification.HUBJECT:
            if len(self._targets) >= _MAX_TARGETS:
                self._targets.clear()
            self._targets[key] = planned
        return planned

    def _plan(
        self,
        config: OperatorConfig,
        service_type: ServiceType,
        operation: Operation,
        provider_id: str,
    ) -> Target | Refusal:
        """The target to send to, or why the settings cannot be used."""
        operator = config.operator
        revision = config.settings.get(service_type)
        settings = revision.settings if revision else None
        if settings is None or not settings.online_request or not settings.service_url:
            return Refusal(
                Outcome.SETTINGS_INVALID,
                f"The {service_type.value} service type of {operator.operator_id} is not online: "
                "tick Online Request and set the Service URL of your backend, then save.",
            )
        path = hub_to_cpo_path(operation, provider_id, operator.reservation_path_style.value)
        url = join_service_url(settings.service_url, path)
        certs = config.certificates
        if settings.server_certification is ServerCertification.USER:
            problem = user_certificate_problem(settings, certs, _now())
            if problem is not None:
                return Refusal(Outcome.NO_USER_CERTIFICATE, f"{problem}.")
            host = service_url_host(settings.service_url) or ""
            return self._user_target(url, certs, host, operator.timeout_s)
        return self.hubject_target(url, operator.timeout_s)

    def hubject_target(self, url: str, timeout_s: float = 10.0) -> Target:
        trust = ServerTrust(ServerCertification.HUBJECT, (self.identity.hubject_ca_pem,))
        return Target(url=url, trust=trust, timeout_s=timeout_s)

    def _user_target(
        self, url: str, certs: list[UploadedCertificate], host: str, timeout_s: float
    ) -> Target:
        now = _now()
        active = [c for c in certs if c.status(now).value == "Active"]
        covering = active_certificates_for_host(certs, host, now)
        described = "; ".join(f"{c.subject} (SHA-256 {c.sha256})" for c in covering or active)
        trust = user_trust(certs, now)
        return Target(
            url=url,
            trust=trust,
            timeout_s=timeout_s,
            expected=f"a certificate matching an active upload: {described}",
        )


OPERATOR_NAME_MAX = 100
"""The longest operator name: OICP's OperatorName (EvseDataRecord) is at most 100 characters."""


def operator_issues(operator: Operator) -> list[FieldIssue]:
    """Checks on an operator's own fields (the OperatorID format, the name's length, the
    timeout bound)."""
    from oicp.identifiers import is_operator_id

    issues = []
    if not is_operator_id(operator.operator_id):
        issues.append(
            FieldIssue(
                "operator_id",
                operator.operator_id,
                "is not an OICP OperatorID; use the form DE*ABC "
                "(country, optional '*', 3 characters)",
            )
        )
    if len(operator.name) > OPERATOR_NAME_MAX:
        issues.append(
            FieldIssue(
                "name",
                operator.name[:40] + "…",
                f"is {len(operator.name)} characters long; give at most {OPERATOR_NAME_MAX}, "
                "as OICP's OperatorName",
            )
        )
    if not 0 < operator.timeout_s <= MAX_TIMEOUT_S:
        issues.append(
            FieldIssue(
                "timeout_s",
                operator.timeout_s,
                f"must be more than 0 and at most {MAX_TIMEOUT_S:g} seconds "
                "(Hubject closes at 60 s)",
            )
        )
    return issues


def _refused_exchange(
    operation: Operation, body: dict[str, object], tags: RecordTags, refusal: Refusal
) -> Exchange:
    return Exchange(
        operation=operation.value,
        url="",
        request_body=dict(body),
        outcome=refusal.outcome,
        detail=refusal.detail,
        started_at=_now(),
        elapsed_ms=0.0,
        operator_id=tags.operator_id,
        service_type=tags.service_type,
    )


def _now() -> datetime:
    return datetime.now(UTC)
