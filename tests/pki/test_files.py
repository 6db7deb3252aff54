"""write() puts every file of PKIFiles on disk, load() reads them back (``hubsim pki init``)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from mockpki import MockHubjectPKI, PKIError, PKIFiles, load_pem_chain

FILE_NAMES = {
    "hubject-ca.pem",
    "hubject-root.key",
    "hubject-intermediate.key",
    "hub-client.pem",
    "hub-client.key",
    "hub-server.pem",
    "hub-server.key",
    "cpo-server.pem",
    "cpo-server.key",
    "cpo-user-server.pem",
    "cpo-user-server.key",
    "cpo-client.pem",
    "cpo-client.key",
}


def test_write_creates_every_file_of_pki_files(pki_files: PKIFiles) -> None:
    assert {path.name for path in pki_files.directory.iterdir()} == FILE_NAMES
    assert {path.name for path in pki_files.all_paths()} == FILE_NAMES
    assert pki_files.exists()


def test_keys_are_readable_by_their_owner_only(pki_files: PKIFiles) -> None:
    keys = [path for path in pki_files.all_paths() if path.suffix == ".key"]
    assert len(keys) == 7
    for key in keys:
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key


def test_hubject_ca_file_holds_root_then_intermediate(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    assert pki_files.hubject_ca.read_bytes() == pki.ca_chain_pem


def test_certificate_files_hold_leaf_then_intermediate(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    for path in (pki_files.hub_client_cert, pki_files.cpo_server_cert, pki_files.cpo_client_cert):
        chain = load_pem_chain(path.read_bytes())
        assert chain[1:] == [pki.intermediate.certificate], path


def test_key_written_over_a_readable_file_becomes_owner_only(
    pki: MockHubjectPKI, tmp_path: Path
) -> None:
    key_path = tmp_path / "leaf.key"
    key_path.write_bytes(b"old")
    key_path.chmod(0o644)
    pki.cpo_client.write(tmp_path / "leaf.pem", key_path)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert key_path.read_bytes() == pki.cpo_client.key_pem


def test_load_reads_back_what_write_wrote(pki: MockHubjectPKI, pki_files: PKIFiles) -> None:
    loaded = MockHubjectPKI.load(pki_files.directory)
    assert (loaded.host, loaded.operator_id) == ("localhost", "DE*ABC")
    assert loaded.ca_chain_pem == pki.ca_chain_pem
    assert loaded.intermediate.key_pem == pki.intermediate.key_pem
    for name in ("hub_client", "hub_server", "cpo_server", "cpo_user_server", "cpo_client"):
        assert getattr(loaded, name) == getattr(pki, name), name


def test_loaded_pki_issues_from_the_same_intermediate(
    pki: MockHubjectPKI, pki_files: PKIFiles
) -> None:
    loaded = MockHubjectPKI.load(pki_files.directory)
    leaf = loaded.issue_client_cert("DE*NEW", organizational_unit="DE*NEW")
    leaf.certificate.verify_directly_issued_by(pki.intermediate.certificate)
    assert load_pem_chain(leaf.chain_pem)[1:] == [pki.intermediate.certificate]


def test_load_of_a_missing_directory_names_the_directory(tmp_path: Path) -> None:
    directory = tmp_path / "nowhere"
    with pytest.raises(PKIError) as raised:
        MockHubjectPKI.load(directory)
    message = str(raised.value)
    assert f"the PKI folder {directory} does not exist" in message
    assert f"hubsim pki init --dir {directory}" in message


def test_load_of_a_directory_missing_one_file_names_that_file(
    pki: MockHubjectPKI, tmp_path: Path
) -> None:
    files = pki.write(tmp_path / "certs")
    files.cpo_client_key.unlink()
    assert files.missing() == [str(files.cpo_client_key)]
    with pytest.raises(PKIError, match=r"lacks cpo-client\.key; create it with"):
        MockHubjectPKI.load(files.directory)


def test_load_refuses_a_key_that_does_not_match_its_ca(pki: MockHubjectPKI, tmp_path: Path) -> None:
    files = pki.write(tmp_path / "certs")
    files.intermediate_key.write_bytes(pki.root.key_pem)
    with pytest.raises(PKIError, match="does not belong to CN=Hubject Intermediate CA IT"):
        MockHubjectPKI.load(files.directory)


def test_load_refuses_a_certificate_file_without_certificates(
    pki: MockHubjectPKI, tmp_path: Path
) -> None:
    files = pki.write(tmp_path / "certs")
    files.hub_server_cert.write_bytes(b"not a certificate\n")
    with pytest.raises(PKIError, match=r"hub-server\.pem: no PEM certificate found"):
        MockHubjectPKI.load(files.directory)
