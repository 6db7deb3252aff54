"""Against the real CPO stub every layer passes, in both certification modes."""

from __future__ import annotations

from cpo_stub import CPOStub
from mockpki import PKIFiles
from oicp import Operation
from simulator.check import LAYERS
from tests.check.conftest import one_shot, statuses

EVERY_LAYER_PASSES = {info.key: "PASS" for info in LAYERS}


async def test_full_pass_against_the_cpo_stub_in_hubject_certificate_mode(
    pki_files: PKIFiles,
) -> None:
    async with CPOStub.from_pki_dir(pki_files.directory) as stub:
        report = await one_shot(stub.url, pki_files)
        handled = [record.operation for record in stub.requests(evse_id=report.target.evse_id)]
    assert statuses(report) == EVERY_LAYER_PASSES, [layer.reason for layer in report.layers]
    assert report.ok
    assert handled == [
        Operation.AUTHORIZE_REMOTE_START,
        Operation.AUTHORIZE_REMOTE_STOP,
        Operation.AUTHORIZE_REMOTE_RESERVATION_START,
        Operation.AUTHORIZE_REMOTE_RESERVATION_STOP,
    ]


async def test_full_pass_against_the_cpo_stub_in_user_certificate_mode(
    pki_files: PKIFiles,
) -> None:
    upload = f"user:{pki_files.cpo_user_server_cert}"
    async with CPOStub.from_pki_dir(pki_files.directory, user_cert=True) as stub:
        report = await one_shot(stub.url, pki_files, server_cert=upload)
    assert statuses(report) == EVERY_LAYER_PASSES, [layer.reason for layer in report.layers]
    assert report.target.server_certification == "user"
    assert "matches the certificate given with --server-cert" in (
        report.layer("server_certificate").reason
    )


async def test_the_stub_refuses_the_bad_certificate_pack_in_its_handshakes(
    pki_files: PKIFiles,
) -> None:
    async with CPOStub.from_pki_dir(pki_files.directory) as stub:
        await one_shot(stub.url, pki_files, reservation=False)
        reasons = {failure.reason for failure in stub.handshake_failures}
    # What the stub's OpenSSL said for each bad client: the pack really reached the handshake.
    assert {
        "peer did not return a certificate",
        "self-signed certificate",
        "unable to get local issuer certificate",
        "certificate has expired",
        "certificate is not yet valid",
        "unsuitable certificate purpose",
    } <= reasons
