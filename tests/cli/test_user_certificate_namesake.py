"""User certificate mode, when the upload is a leaf of the same name as the certificate the
endpoint presents: ``hubsim send`` and ``hubsim stub serve --user-cert``, each a process."""

from __future__ import annotations

import json

from cryptography import x509

from mockpki import PKIFiles
from mockpki.inspect import sha256_fingerprint
from tests.cli.conftest import hubsim
from tests.load.conftest import stub_process


async def test_another_leaf_of_the_same_name_is_told_as_a_different_certificate(
    pki_files: PKIFiles,
) -> None:
    # The upload: the Hubject-issued cpo-server.pem; the endpoint: the self-signed
    # cpo-user-server.pem, of the same name. The sentence spoke of another key signing it,
    # which sent users looking for a CA made again.
    upload = pki_files.directory / "cpo-server.pem"
    async with stub_process(pki_files, "--user-cert") as stub:
        run = await hubsim(
            "send", "remote-start", "--url", stub.url, "--server-cert", f"user:{upload}",
            "--pki", str(pki_files.directory), "--provider", "DE*ICE",
            "--evse", "DE*ABC*E0001", "--json",
        )  # fmt: skip
    exchange = json.loads(run.out)
    assert exchange["outcome"] == "server_cert_untrusted", exchange["detail"]
    assert "presented a self-signed certificate" in exchange["detail"]
    assert "another key" not in exchange["detail"]
    uploaded = sha256_fingerprint(x509.load_pem_x509_certificate(upload.read_bytes()))
    assert exchange["detail"].endswith(
        f"is a different certificate (SHA-256 {uploaded}); upload the certificate the endpoint "
        "presents now, or make the endpoint present the uploaded one."
    )
