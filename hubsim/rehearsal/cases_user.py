"""Renewal day on the CPO's side: a "User certificate" replaced in Certificate Management.

In User certificate mode the hub trusts only the Active uploads (Hubject's HBS "does not have
a list of trusted CAs"), so replacing the server certificate is two steps, upload and serve,
and each can be missed. The rehearsal reads the certificate the backend serves (a handshake
that verifies nothing) and compares it with what it uploaded, to say which step was missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from hubsim.rehearsal.backends import BackendSetup
from hubsim.rehearsal.context import Case, CaseContext
from hubsim.rehearsal.report import CaseResult, Step
from hubsim.rehearsal.stage import RehearsalHub, Sent
from mockpki.ca import CertificateAuthority, LeafCertificate, self_signed_server_cert
from mockpki.inspect import CertificateInfo
from mockpki.renewal import RenewalTarget, renew_pki_dir

SERVES_OLD = "the server still serves the old certificate"
NO_INTERMEDIATE = "the server does not send its intermediate"
BY_CN = "works by the CN alone (no SAN)"
BY_SAN = "works by the SAN (the CN differs)"
EITHER = "either certificate works"
OLD_EXPIRED = "the old certificate has expired"
OTHER = "fails for another reason"

_HOST = "localhost"  # the Service URL's host: a name, so that the CN can stand for it


@dataclass(frozen=True)
class _Pair:
    """A server certificate written to files: what a backend serves, what a CPO uploads."""

    chain: Path  # what the server sends: the leaf, then any intermediates
    key: Path
    leaf: Path  # the leaf alone, as uploaded


def _write(ctx: CaseContext, name: str, leaf: LeafCertificate, *, send_chain: bool = True) -> _Pair:
    pair = _Pair(ctx.work / f"{name}.pem", ctx.work / f"{name}.key", ctx.work / f"{name}-leaf.pem")
    pair.chain.write_bytes(leaf.chain_pem if send_chain else leaf.cert_pem)
    pair.key.write_bytes(leaf.key_pem)
    pair.leaf.write_bytes(leaf.cert_pem)
    return pair


def _serving(ctx: CaseContext, pair: _Pair) -> BackendSetup:
    # The backend still requires the hub's client certificate, from the mock Hubject CA.
    return BackendSetup(pair.chain, pair.key, ctx.files.hubject_ca)


async def _start_serving(
    ctx: CaseContext, hub: RehearsalHub, pair: _Pair, label: str
) -> tuple[Step, CertificateInfo | None]:
    """Start a backend serving ``pair``, send one remote start, and read what it served."""
    async with await ctx.backend(_serving(ctx, pair)) as backend:
        await hub.point_at(backend.url, "user")  # https://localhost:PORT, a name like _HOST
        sent = await hub.remote_start()
        presented = await hub.presented(backend.port)
    return Step(label, sent), presented


def _result(case: Case, ctx: CaseContext, verdict: str, why: str, steps: list[Step]) -> CaseResult:
    return CaseResult(
        case.name, ctx.backend_kind, case.title, case.expected, verdict, why, tuple(steps)
    )


def _renewed_user_cert(ctx: CaseContext) -> tuple[_Pair, _Pair]:
    """(old, new): cpo-user-server.pem before and after ``hubsim pki renew cpo-user-server``."""
    files = ctx.files
    renew_pki_dir(files.directory, RenewalTarget.CPO_USER_SERVER)
    old = _Pair(
        files.previous(files.cpo_user_server_cert),
        files.previous(files.cpo_user_server_key),
        files.previous(files.cpo_user_server_cert),
    )
    new = _Pair(files.cpo_user_server_cert, files.cpo_user_server_key, files.cpo_user_server_cert)
    return old, new


async def new_uploaded_old_served(ctx: CaseContext, case: Case) -> CaseResult:
    old, new = _renewed_user_cert(ctx)
    async with await ctx.hub() as hub:
        old_upload = await hub.upload(old.leaf)
        before, _ = await _start_serving(ctx, hub, old, "before: old uploaded, old served")
        await hub.upload(new.leaf)
        await hub.delete(old_upload)
        after, presented = await _start_serving(
            ctx, hub, old, "new uploaded, old deleted, old still served"
        )
        fixed, _ = await _start_serving(ctx, hub, new, "fix: the server serves the new one")
    steps = [before, after, fixed]
    if before.sent.ok and not after.sent.ok and presented and presented.sha256 == old_upload.sha256:
        return _result(
            case,
            ctx,
            SERVES_OLD,
            (
                "The new certificate was uploaded and the old upload deleted, but the server "
                "still presents the old one (the fingerprint of the deleted upload); the hub "
                f"trusts only Active uploads, so it refuses the server ({after.sent.outcome}). "
                "Install the new certificate on the server, or keep the old upload until the "
                "server serves the new one"
                + (" (serving it fixes the call)." if fixed.sent.ok else ".")
            ),
            steps,
        )
    return _result(case, ctx, OTHER, _other(after.sent), steps)


def _cpo_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example CPO (Mock)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _cpo_chain() -> tuple[CertificateAuthority, CertificateAuthority]:
    root = CertificateAuthority.create_root(_cpo_name("CPO Root CA (Mock)"), path_length=1)
    intermediate = root.create_intermediate(
        _cpo_name("CPO Intermediate CA (Mock)"),
        path_length=0,
    )
    return root, intermediate


async def leaf_without_intermediate(ctx: CaseContext, case: Case) -> CaseResult:
    root, intermediate = _cpo_chain()
    root_file = ctx.work / "cpo-root-ca.pem"
    root_file.write_bytes(root.cert_pem)
    old = _write(ctx, "old", intermediate.issue_server_cert(_HOST))
    renewed = intermediate.issue_server_cert(_HOST)
    bare = _write(ctx, "new-bare", renewed, send_chain=False)
    full = _write(ctx, "new-full", renewed)
    async with await ctx.hub() as hub:
        await hub.upload(root_file)
        before, _ = await _start_serving(
            ctx, hub, old, "before: the CPO's root CA uploaded, old leaf and intermediate served"
        )
        after, presented = await _start_serving(
            ctx, hub, bare, "the new leaf served without its intermediate"
        )
        fixed, _ = await _start_serving(
            ctx, hub, full, "fix: the new leaf served with its intermediate"
        )
    steps = [before, after, fixed]
    issuer = presented.issuer if presented else ""
    if (
        before.sent.ok
        and not after.sent.ok
        and issuer == intermediate.certificate.subject.rfc4514_string()
    ):
        return _result(
            case,
            ctx,
            NO_INTERMEDIATE,
            (
                "The server presents its new leaf without the intermediate that issued it "
                f'("{intermediate.name}"); the upload is the CPO\'s root CA, so the hub cannot '
                f"link the leaf to it and refuses the server ({after.sent.outcome}). Serve the "
                "leaf followed by its intermediate (nginx: ssl_certificate with the full chain "
                "file), or upload the intermediate as well"
                + (" (serving the chain fixes the call)." if fixed.sent.ok else ".")
            ),
            steps,
        )
    return _result(case, ctx, OTHER, _other(after.sent), steps)


async def cn_without_san(ctx: CaseContext, case: Case) -> CaseResult:
    pair = _write(ctx, "cn-only", self_signed_server_cert(_HOST, subject_alt_names=False))
    async with await ctx.hub() as hub:
        await hub.upload(pair.leaf)
        step, _ = await _start_serving(ctx, hub, pair, f"CN={_HOST}, no SAN, uploaded and served")
    if not step.sent.ok:
        return _result(case, ctx, OTHER, _other(step.sent), [step])
    return _result(
        case,
        ctx,
        BY_CN,
        (
            f"The certificate has no subject alternative name, so the hub matched {_HOST} "
            "against its CN, which is what Hubject's guide asks (\"The Common Name (CN) of the "
            'certificate should match your domain"). Clients that follow RFC 6125, such as '
            f"browsers, ignore the CN; add the SAN DNS:{_HOST} as well so that every client "
            "accepts the certificate."
        ),
        [step],
    )


async def san_without_cn(ctx: CaseContext, case: Case) -> CaseResult:
    leaf = self_signed_server_cert(_HOST, common_name="CPO backend")
    pair = _write(ctx, "san-only", leaf)
    async with await ctx.hub() as hub:
        await hub.upload(pair.leaf)
        step, _ = await _start_serving(
            ctx, hub, pair, f"CN=CPO backend, SAN DNS:{_HOST}, uploaded and served"
        )
    if not step.sent.ok:
        return _result(case, ctx, OTHER, _other(step.sent), [step])
    return _result(
        case,
        ctx,
        BY_SAN,
        (
            f"The SAN covers {_HOST}, and a TLS client ignores the CN when a SAN is present, so "
            "the hub accepts the server. Hubject's guide still asks that the CN match your "
            f"domain: set the CN to {_HOST} too, so that the certificate also meets the guide's "
            "rule."
        ),
        [step],
    )


async def overlap_both_active(ctx: CaseContext, case: Case) -> CaseResult:
    old, new = _renewed_user_cert(ctx)
    async with await ctx.hub() as hub:
        await hub.upload(old.leaf)
        await hub.upload(new.leaf)
        serves_old, _ = await _start_serving(ctx, hub, old, "old and new uploaded, old served")
        serves_new, _ = await _start_serving(ctx, hub, new, "old and new uploaded, new served")
    steps = [serves_old, serves_new]
    if serves_old.sent.ok and serves_new.sent.ok:
        return _result(
            case,
            ctx,
            EITHER,
            (
                "Both uploads are Active and the hub trusts every Active upload, so the server can "
                "switch to the new certificate at any moment; delete the old upload once it serves "
                "the new one."
            ),
            steps,
        )
    failed = serves_new if serves_old.sent.ok else serves_old
    return _result(case, ctx, OTHER, _other(failed.sent), steps)


async def old_expired(ctx: CaseContext, case: Case) -> CaseResult:
    now = datetime.now(UTC)
    expired = self_signed_server_cert(
        _HOST, not_before=now - timedelta(days=60), not_after=now - timedelta(days=1)
    )
    old = _write(ctx, "old-expired", expired)
    _, new = _renewed_user_cert(ctx)
    async with await ctx.hub() as hub:
        await hub.upload(old.leaf)
        await hub.upload(new.leaf)
        serves_new, _ = await _start_serving(
            ctx, hub, new, "old (Expired) and new uploaded, new served"
        )
        serves_old, presented = await _start_serving(
            ctx, hub, old, "old (Expired) and new uploaded, old still served"
        )
        old_status, new_status = (c.status(now).value for c in await hub.certificates())
    steps = [serves_new, serves_old]
    if serves_new.sent.ok and not serves_old.sent.ok and presented and presented.not_after < now:
        return _result(
            case,
            ctx,
            OLD_EXPIRED,
            (
                f"In Certificate Management the old upload is {old_status} and the new one "
                f"{new_status}: the hub "
                "keeps working with the new certificate and no longer trusts the expired one, so a "
                f"server still serving the old certificate is refused ({serves_old.sent.outcome}). "
                "Serve the new certificate, then delete the expired upload."
            ),
            steps,
        )
    return _result(case, ctx, OTHER, _other(serves_old.sent), steps)


def _other(sent: Sent) -> str:
    return f"The exchange ended {sent.outcome}, which this case does not rehearse: {sent.detail}"


BOTH = ("stub", "nginx")
USER_CASES = (
    Case(
        "user-new-uploaded-old-served",
        "A user certificate is replaced: the new one is uploaded, the server still serves the old.",
        SERVES_OLD,
        BOTH,
        new_uploaded_old_served,
    ),
    Case(
        "user-leaf-without-intermediate",
        "A user certificate is replaced: the server serves the new leaf without its intermediate.",
        NO_INTERMEDIATE,
        BOTH,
        leaf_without_intermediate,
    ),
    Case(
        "user-cn-without-san",
        "The certificate's CN matches the host, and it has no SAN.",
        BY_CN,
        BOTH,
        cn_without_san,
    ),
    Case(
        "user-san-without-cn",
        "The certificate's SAN matches the host, and its CN does not.",
        BY_SAN,
        BOTH,
        san_without_cn,
    ),
    Case(
        "user-overlap-both-active",
        "The old and the new upload overlap, both Active.",
        EITHER,
        BOTH,
        overlap_both_active,
    ),
    Case(
        "user-old-expired",
        "The old upload expires after the new one was uploaded.",
        OLD_EXPIRED,
        BOTH,
        old_expired,
    ),
)
