"""``hubsim pki renew`` and ``--expires-in``, run as a user runs them: a real process each.

Renewals keep each replaced file as NAME.previous.pem / .key, so a test can point a backend
at either generation; the chains are checked with OpenSSL's own verification (``ssl``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature

from mockpki import MockHubjectPKI, PKIFiles, RenewalTarget, load_pem_chain

HUBSIM = [sys.executable, "-m", "hubsim"]


def hubsim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HUBSIM, *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def folder(pki_files: PKIFiles, tmp_path: Path) -> PKIFiles:
    """A private copy of the session PKI: renewals change it."""
    return PKIFiles(Path(shutil.copytree(pki_files.directory, tmp_path / "pki")))


def leaf(path: Path) -> x509.Certificate:
    return load_pem_chain(path.read_bytes())[0]


def chains_to(cert_file: Path, ca_file: Path) -> bool:
    """Whether ``openssl verify`` links the file's leaf (with the intermediates the file
    carries) to a root in ``ca_file``: an outside judge of the chain."""
    done = subprocess.run(
        [
            "openssl",
            "verify",
            "-CAfile",
            str(ca_file),
            "-untrusted",
            str(cert_file),
            str(cert_file),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode == 0


def signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def test_renewing_the_hub_certificate_gives_a_new_key_and_serial_with_the_same_name(
    folder: PKIFiles,
) -> None:
    old = leaf(folder.hub_client_cert)
    old_key = folder.hub_client_key.read_bytes()
    done = hubsim("pki", "renew", "hub-client", "--dir", str(folder.directory))
    assert done.returncode == 0, done.stderr
    new = leaf(folder.hub_client_cert)
    assert new.subject == old.subject and new.issuer == old.issuer
    assert new.serial_number != old.serial_number
    assert folder.hub_client_key.read_bytes() != old_key
    assert "hub-client.pem (previous: hub-client.previous.pem)" in done.stdout


def test_a_renewal_keeps_the_previous_files_beside_the_new_ones(folder: PKIFiles) -> None:
    old_cert, old_key = folder.hub_client_cert.read_bytes(), folder.hub_client_key.read_bytes()
    hubsim("pki", "renew", "hub-client", "--dir", str(folder.directory))
    assert folder.previous(folder.hub_client_cert).read_bytes() == old_cert
    assert folder.previous(folder.hub_client_key).read_bytes() == old_key
    assert folder.previous(folder.hub_client_key).stat().st_mode & 0o777 == 0o600


def test_rotating_the_intermediate_keeps_the_root_and_reissues_its_leaves(
    folder: PKIFiles,
) -> None:
    old_chain = load_pem_chain(folder.hubject_ca.read_bytes())
    done = hubsim("pki", "renew", "intermediate", "--dir", str(folder.directory))
    assert done.returncode == 0, done.stderr
    root, intermediate = load_pem_chain(folder.hubject_ca.read_bytes())
    assert root == old_chain[0]
    assert intermediate.subject == old_chain[1].subject
    assert intermediate.serial_number != old_chain[1].serial_number
    for cert in (folder.hub_client_cert, folder.cpo_client_cert):
        assert signed_by(leaf(cert), intermediate)  # the same name, a new key
        assert not signed_by(leaf(cert), old_chain[1])
        assert chains_to(cert, folder.hubject_ca)
        assert chains_to(folder.previous(cert), folder.previous(folder.hubject_ca))
    assert leaf(folder.previous_intermediate_cert) == old_chain[1]


def test_the_renewed_hub_certificate_still_chains_to_the_old_root_and_intermediate(
    folder: PKIFiles,
) -> None:
    hubsim("pki", "renew", "hub-client", "--dir", str(folder.directory))
    assert chains_to(folder.hub_client_cert, folder.hubject_ca)


@pytest.mark.parametrize("target", ["cpo-server", "cpo-user-server", "hub-server"])
def test_renewing_a_server_certificate_keeps_its_host(folder: PKIFiles, target: str) -> None:
    path = folder.directory / f"{target}.pem"
    old = leaf(path)
    done = hubsim("pki", "renew", target, "--dir", str(folder.directory))
    assert done.returncode == 0, done.stderr
    new = leaf(path)
    names = x509.SubjectAlternativeName
    assert new.extensions.get_extension_for_class(names).value == (
        old.extensions.get_extension_for_class(names).value
    )
    assert new.serial_number != old.serial_number
    assert leaf(folder.previous(path)) == old


def test_renewing_in_a_folder_that_is_not_a_pki_is_refused_and_writes_nothing(
    tmp_path: Path,
) -> None:
    (tmp_path / "notes.txt").write_text("not a PKI")
    done = hubsim("pki", "renew", "hub-client", "--dir", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.startswith(f"hubsim: error: {tmp_path} is not a mock PKI folder")
    assert f"hubsim pki init --dir {tmp_path}" in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_renewing_with_an_expiry_in_the_past_is_refused_and_changes_nothing(
    folder: PKIFiles,
) -> None:
    before = {p.name: p.read_bytes() for p in folder.directory.iterdir()}
    done = hubsim("pki", "renew", "hub-client", "--dir", str(folder.directory), "--expires-in=-2d")
    assert done.returncode == 2
    assert "--expires-in '-2d' is an expiry in the past" in done.stderr
    assert {p.name: p.read_bytes() for p in folder.directory.iterdir()} == before


def test_an_expiry_that_is_not_a_duration_names_the_forms_it_accepts(folder: PKIFiles) -> None:
    done = hubsim(
        "pki", "renew", "hub-client", "--dir", str(folder.directory), "--expires-in", "soon"
    )
    assert done.returncode == 2
    assert "--expires-in 'soon' is not a duration" in done.stderr and "45m or 30d" in done.stderr


def test_pki_init_issues_leaves_expiring_in_the_given_minutes(tmp_path: Path) -> None:
    started = datetime.now(UTC)
    done = hubsim("pki", "init", "--dir", str(tmp_path), "--expires-in", "90m")
    assert done.returncode == 0, done.stderr
    files = PKIFiles(tmp_path)
    for cert in (files.hub_client_cert, files.cpo_server_cert, files.cpo_user_server_cert):
        left = leaf(cert).not_valid_after_utc - started
        assert timedelta(minutes=89) < left <= timedelta(minutes=91)
    root = load_pem_chain(files.hubject_ca.read_bytes())[0]
    assert root.not_valid_after_utc - started > timedelta(days=3000)  # the CA keeps its years


def test_pki_renew_issues_a_certificate_expiring_in_the_given_days(folder: PKIFiles) -> None:
    started = datetime.now(UTC)
    hubsim("pki", "renew", "cpo-server", "--dir", str(folder.directory), "--expires-in", "5d")
    left = leaf(folder.cpo_server_cert).not_valid_after_utc - started
    assert timedelta(days=5) - timedelta(minutes=1) < left <= timedelta(days=5, minutes=1)


def test_mockpki_offers_the_same_renewals_in_memory(pki: MockHubjectPKI) -> None:
    renewed = pki.renew_hub_client()
    assert renewed.hub_client.describe().subject == pki.hub_client.describe().subject
    assert renewed.hub_client.describe().serial_number != pki.hub_client.describe().serial_number
    rotated = pki.rotate_intermediate()
    assert rotated.root is pki.root
    assert rotated.intermediate.name == pki.intermediate.name
    assert (
        rotated.cpo_client.describe().issuer
        == rotated.intermediate.certificate.subject.rfc4514_string()
    )
    assert rotated.cpo_user_server is pki.cpo_user_server  # self-signed: not under the intermediate
    assert [t.value for t in RenewalTarget] == [
        "hub-client",
        "intermediate",
        "cpo-server",
        "cpo-user-server",
        "hub-server",
    ]
