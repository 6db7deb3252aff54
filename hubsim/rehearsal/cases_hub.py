"""Renewal day on Hubject's side: the hub's service certificate, and the intermediate.

A CPO backend that checks the hub's client certificate keeps working when it trusts the
mock Hubject CA. One that pinned the hub's leaf, or trusts only the old intermediate, stops
accepting the hub. The rehearsal tells these apart by what still gets through: the previous
service certificate (a pin accepts it), or a fresh certificate from the old intermediate (a
backend anchored on that intermediate accepts it, a pin does not).
"""

from __future__ import annotations

from hubsim.rehearsal.context import Case, CaseContext
from hubsim.rehearsal.report import CaseResult, Step
from hubsim.rehearsal.stage import Sent, identity_of, previous_hub_identity, start_presenting
from mockpki.ca import CertificateAuthority
from mockpki.pki import HUB_SERVICE_NAME, MOCK_ORGANIZATION
from mockpki.renewal import RenewalTarget, renew_pki_dir

KEEPS_WORKING = "keeps working"
PINNED_LEAF = "pinned leaf"
OLD_INTERMEDIATE_ONLY = "trusts only the old intermediate"
REFUSED_BEFORE = "refused before the renewal"
OTHER_FAILURE = "fails for another reason"

_CA_FIX = (
    "trust the mock Hubject CA (hubject-ca.pem, root and intermediate) for client "
    "certificates instead"
)


def _result(case: Case, ctx: CaseContext, verdict: str, why: str, *steps: Step) -> CaseResult:
    return CaseResult(
        case=case.name,
        backend=ctx.backend_kind,
        title=case.title,
        expected=case.expected,
        verdict=verdict,
        diagnosis=why,
        steps=steps,
    )


async def _hub_renewal(ctx: CaseContext, case: Case, *, pinned: bool) -> CaseResult:
    files = ctx.files
    setup = ctx.hubject_setup(pinned_client=files.hub_client_cert if pinned else None)
    async with await ctx.backend(setup) as backend, await ctx.hub() as hub:
        await hub.point_at(backend.url, "hubject")
        before = Step("before the renewal", await hub.remote_start())
        renew_pki_dir(files.directory, RenewalTarget.HUB_CLIENT)
        await hub.reload()
        after = Step("after the renewal and the hub's reload", await hub.remote_start())
        previous = Step(
            "probe: the previous service certificate",
            await start_presenting(backend.url, hub, previous_hub_identity(files)),
        )
    verdict, why = explain_hub_renewal(before.sent, after.sent, previous.sent)
    return _result(case, ctx, verdict, why, before, after, previous)


def explain_hub_renewal(before: Sent, after: Sent, previous: Sent) -> tuple[str, str]:
    """Why the backend does or does not accept the renewed service certificate."""
    if not before.ok:
        return REFUSED_BEFORE, _refused_before("renewal", before)
    if after.ok:
        return KEEPS_WORKING, (
            "The renewed service certificate has a new key and serial but the same name and "
            "issuer, and it chains to the mock Hubject CA that the backend trusts."
        )
    if previous.ok:
        return PINNED_LEAF, (
            f"Pinned leaf: after the renewal the backend {how_refused(after)}, yet "
            "it still accepts the previous service certificate, which has the same subject and "
            "issuer; only the key and serial changed, so the backend pins the hub's leaf "
            f"certificate. Stop pinning it: {_CA_FIX}."
        )
    return OTHER_FAILURE, (
        f"The backend refuses the renewed and the previous service certificate alike "
        f"({after.outcome}): this is no pin; the hub says: {after.detail}"
    )


async def trusts_ca(ctx: CaseContext, case: Case) -> CaseResult:
    return await _hub_renewal(ctx, case, pinned=False)


async def pinned_leaf(ctx: CaseContext, case: Case) -> CaseResult:
    return await _hub_renewal(ctx, case, pinned=True)


async def _rotation(ctx: CaseContext, case: Case, *, intermediate_only: bool) -> CaseResult:
    files = ctx.files
    anchors = ctx.work / "backend-anchors.pem"
    chain = files.hubject_ca.read_bytes()
    # hubject-ca.pem is root then intermediate; the second block is the intermediate alone.
    anchors.write_bytes(_second_certificate(chain) if intermediate_only else chain)
    async with (
        await ctx.backend(ctx.hubject_setup(client_ca=anchors)) as backend,
        await ctx.hub() as hub,
    ):
        await hub.point_at(backend.url, "hubject")
        before = Step("before the rotation", await hub.remote_start())
        renew_pki_dir(files.directory, RenewalTarget.INTERMEDIATE)
        await hub.reload()
        after = Step("after the rotation and the hub's reload", await hub.remote_start())
        old_ca = CertificateAuthority.from_pem(
            files.previous_intermediate_cert.read_bytes(),
            files.previous(files.intermediate_key).read_bytes(),
        )
        fresh = old_ca.issue_client_cert(
            HUB_SERVICE_NAME, organizational_unit="IT", organization=MOCK_ORGANIZATION
        )
        probe = Step(
            "probe: a new certificate from the old intermediate",
            await start_presenting(backend.url, hub, identity_of(fresh, ctx.work)),
        )
    verdict, why = explain_rotation(before.sent, after.sent, probe.sent)
    return _result(case, ctx, verdict, why, before, after, probe)


def explain_rotation(before: Sent, after: Sent, old_intermediate: Sent) -> tuple[str, str]:
    """Why the backend does or does not accept certificates from the new intermediate."""
    if not before.ok:
        return REFUSED_BEFORE, _refused_before("rotation", before)
    if after.ok:
        return KEEPS_WORKING, (
            "The hub sends its new intermediate with its certificate, and that intermediate "
            "chains to the same root, which the backend trusts."
        )
    if old_intermediate.ok:
        return OLD_INTERMEDIATE_ONLY, (
            f"The backend trusts only the old intermediate: it {how_refused(after)} now that "
            'the hub\'s certificate comes from the new "Hubject Intermediate CA IT", but it '
            "accepts a new certificate from the old one, so its only anchor is the old "
            "intermediate. Make "
            'the root "Hubject CA" (hubject-ca.pem) the anchor, so that a rotation under the '
            "same root changes nothing."
        )
    return PINNED_LEAF, (
        f"The backend {how_refused(after)} for the hub's new certificate and even for a new "
        "certificate from the old intermediate, so it does not anchor on the intermediate: it "
        f"pins the hub's previous leaf. Stop pinning it: {_CA_FIX}."
    )


def how_refused(sent: Sent) -> str:
    """How a backend turned the hub away, in words that do not depend on timing.

    With TLS 1.3 a refused client certificate shows either as an alert or as a connection
    closed after the handshake, whichever the hub reads first; both are the same refusal.
    """
    if sent.outcome in ("client_cert_refused", "connection_closed", "tls_error"):
        return "refuses the hub's certificate in the TLS handshake"
    if sent.http_status is not None:
        return f"answers HTTP {sent.http_status} instead of an acknowledgement"
    return f"ends the exchange with {sent.outcome}"


def _refused_before(event: str, before: Sent) -> str:
    return (
        f"The backend refused the hub already before the {event} ({before.outcome}), so the "
        f"case could not be rehearsed: {before.detail}"
    )


def _second_certificate(chain: bytes) -> bytes:
    marker = b"-----BEGIN CERTIFICATE-----"
    return marker + chain.split(marker)[2]


async def rotation_trusts_root(ctx: CaseContext, case: Case) -> CaseResult:
    return await _rotation(ctx, case, intermediate_only=False)


async def rotation_old_intermediate(ctx: CaseContext, case: Case) -> CaseResult:
    return await _rotation(ctx, case, intermediate_only=True)


BOTH = ("stub", "nginx")
HUB_CASES = (
    Case(
        "hub-renewal-trusts-ca",
        "The hub's service certificate is renewed; the backend trusts the root and intermediate.",
        KEEPS_WORKING,
        BOTH,
        trusts_ca,
    ),
    Case(
        "hub-renewal-pinned-leaf",
        "The hub's service certificate is renewed; the backend pinned the old leaf.",
        PINNED_LEAF,
        BOTH,
        pinned_leaf,
    ),
    Case(
        "intermediate-rotation-trusts-root",
        "The intermediate rotates under the same root; the backend trusts the root.",
        KEEPS_WORKING,
        BOTH,
        rotation_trusts_root,
    ),
    Case(
        "intermediate-rotation-old-intermediate-only",
        "The intermediate rotates; the backend trusts only the old intermediate.",
        OLD_INTERMEDIATE_ONLY,
        ("stub",),  # nginx cannot anchor on an intermediate alone (see backends.py)
        rotation_old_intermediate,
    ),
)
