"""Certificate Management in a browser: upload, status, names, fingerprint, coverage, delete,
refusals with the messages of simulator.certificates, and the User certificate warning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from mockpki import MockHubjectPKI, PKIFiles, self_signed_server_cert
from simulator.certificates import CertificateUploadError, parse_certificate_upload
from simulator.model import ServerCertification, ServiceTypeSettings, UploadedCertificate
from simulator.settings_rules import user_certificate_problem
from tests.portal.support import (
    ServerProcess,
    Shoot,
    create_operator,
    fill_settings,
    save,
    service_url_of,
)

URL = "https://localhost:8443/cpo-backend"


def certificates_path(operator_id: str) -> str:
    return f"/portal/operators/{operator_id}/certificates"


def upload(page: Page, name: str, data: bytes) -> None:
    page.get_by_label("Certificate file (.pem, .crt)").set_input_files(
        {"name": name, "mimeType": "application/x-pem-file", "buffer": data}
    )
    page.get_by_role("button", name="Upload").click()
    page.wait_for_load_state()


def upload_error(page: Page) -> str:
    return page.locator("#field-file .field-error .message").inner_text()


def refusal(data: bytes, name: str) -> str:
    """The message the hub's parser gives for an upload it refuses."""
    try:
        parse_certificate_upload(data, name)
    except CertificateUploadError as err:
        return str(err)
    raise AssertionError(f"{name} was accepted")


def test_uploaded_certificate_is_listed_with_status_names_and_fingerprint(
    page: Page, operator_id: str, pki_files: PKIFiles, shoot: Shoot
) -> None:
    create_operator(page, operator_id)
    page.goto(certificates_path(operator_id))
    data = pki_files.cpo_user_server_cert.read_bytes()
    upload(page, "cpo-user-server.pem", data)
    expect(page.locator(".notice")).to_have_text("Uploaded 1 certificate.")
    parsed = parse_certificate_upload(data, "cpo-user-server.pem")[0]
    row = page.locator("table.certificates tbody tr")
    expect(row).to_have_count(1)
    status = row.locator(".status")
    expect(status).to_have_text("Active")
    expect(status).to_have_css("color", "rgb(30, 123, 52)")  # green
    expect(row.locator(".subject")).to_have_text(parsed.subject)
    for san in parsed.sans:
        expect(row).to_contain_text(san)
    expect(row.locator(".fingerprint")).to_have_text(parsed.sha256)
    expect(row).to_contain_text(parsed.not_after.strftime("%Y-%m-%d %H:%M:%S UTC"))
    shoot(page, "certificates")


def test_a_duplicate_upload_keeps_its_fingerprint_inside_the_error_box(
    page: Page, operator_id: str, pki_files: PKIFiles
) -> None:
    create_operator(page, operator_id)
    page.set_viewport_size({"width": 420, "height": 900})
    page.goto(certificates_path(operator_id))
    data = pki_files.cpo_user_server_cert.read_bytes()
    upload(page, "cpo-user-server.pem", data)
    upload(page, "again.pem", data)  # refused: already uploaded, named by its SHA-256
    box = page.locator("#field-file .field-error")
    expect(box).to_contain_text(parse_certificate_upload(data, "again.pem")[0].sha256)
    # The unbroken fingerprint ran past the box's right edge.
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth")


def test_private_key_upload_is_refused(
    page: Page, operator_id: str, pki_files: PKIFiles, shoot: Shoot
) -> None:
    create_operator(page, operator_id)
    page.goto(certificates_path(operator_id))
    data = pki_files.cpo_user_server_key.read_bytes()
    upload(page, "server-key.pem", data)
    assert upload_error(page) == refusal(data, "server-key.pem")
    assert "private key" in upload_error(page)
    expect(page.locator("table.certificates")).to_have_count(0)
    shoot(page, "certificates-private-key-refused")


def test_other_file_types_are_refused(page: Page, operator_id: str, pki_files: PKIFiles) -> None:
    create_operator(page, operator_id)
    page.goto(certificates_path(operator_id))
    data = pki_files.cpo_user_server_cert.read_bytes()
    upload(page, "server.p12", data)
    assert upload_error(page) == refusal(data, "server.p12")


def test_upload_without_a_file_is_refused(page: Page, operator_id: str) -> None:
    create_operator(page, operator_id)
    page.goto(certificates_path(operator_id))
    page.get_by_role("button", name="Upload").click()
    assert upload_error(page) == "Choose a .pem or .crt file to upload, then press Upload."


def test_expired_and_not_yet_valid_certificates_show_their_status(
    page: Page, operator_id: str, pki_files: PKIFiles
) -> None:
    pki = MockHubjectPKI.load(pki_files.directory)
    now = datetime.now(UTC)
    expired = pki.issue_server_cert(
        "old.example", not_before=now - timedelta(days=60), not_after=now - timedelta(days=1)
    )
    future = pki.issue_server_cert(
        "new.example", not_before=now + timedelta(days=1), not_after=now + timedelta(days=60)
    )
    create_operator(page, operator_id)
    page.goto(certificates_path(operator_id))
    upload(page, "expired.pem", expired.cert_pem)
    upload(page, "future.crt", future.cert_pem)
    statuses = page.locator("table.certificates .status")
    expect(statuses).to_have_text(["Expired", "Not yet valid"])
    expect(statuses.first).not_to_have_css("color", "rgb(30, 123, 52)")


def test_certificate_shows_the_service_urls_it_covers(
    page: Page, operator_id: str, pki_files: PKIFiles
) -> None:
    create_operator(page, operator_id)
    fill_settings(page, online=True, url=URL)
    save(page)
    page.goto(certificates_path(operator_id))
    upload(page, "cpo-user-server.pem", pki_files.cpo_user_server_cert.read_bytes())
    pki = MockHubjectPKI.load(pki_files.directory)
    upload(page, "other.pem", pki.issue_server_cert("other.example").cert_pem)
    rows = page.locator("table.certificates tbody tr")
    expect(rows.nth(0).locator("code.url")).to_have_text([URL])
    expect(rows.nth(1)).to_contain_text("none of the saved Service URLs")


def test_user_certificate_mode_without_matching_certificate_warns(
    page: Page, operator_id: str, pki_files: PKIFiles, shoot: Shoot
) -> None:
    create_operator(page, operator_id)
    fill_settings(page, online=True, url=URL, certification="User certificate")
    save(page)
    page.goto(certificates_path(operator_id))
    other = MockHubjectPKI.load(pki_files.directory).issue_server_cert("other.example").cert_pem
    upload(page, "other.pem", other)
    settings = ServiceTypeSettings(
        online_request=True, service_url=URL, server_certification=ServerCertification.USER
    )
    problem = user_certificate_problem(settings, [as_uploaded(other)], datetime.now(UTC))
    assert problem is not None
    expect(page.locator(".warning-box .message")).to_have_text([problem])
    expect(page.locator(".warning-box")).to_contain_text("Authorization uses User certificate")
    shoot(page, "certificates-user-certificate-warning")
    upload(page, "cpo-user-server.pem", pki_files.cpo_user_server_cert.read_bytes())
    expect(page.locator(".warning-box")).to_have_count(0)


def as_uploaded(pem: bytes) -> UploadedCertificate:
    """What storage keeps for an upload (only the names and validity matter here)."""
    parsed = parse_certificate_upload(pem, "upload.pem")[0]
    return UploadedCertificate(
        operator_id="DE*ABC",
        cert_id=1,
        pem=parsed.pem,
        filename="upload.pem",
        subject=parsed.subject,
        sans=parsed.sans,
        sha256=parsed.sha256,
        not_before=parsed.not_before,
        not_after=parsed.not_after,
        uploaded_at=datetime.now(UTC),
    )


def test_certificate_can_be_deleted(page: Page, operator_id: str, pki_files: PKIFiles) -> None:
    create_operator(page, operator_id)
    page.goto(certificates_path(operator_id))
    upload(page, "cpo-user-server.pem", pki_files.cpo_user_server_cert.read_bytes())
    page.get_by_role("button", name="Delete certificate").click()
    page.wait_for_load_state()
    expect(page.locator(".notice")).to_contain_text("Deleted certificate")
    expect(page.locator("table.certificates")).to_have_count(0)


def test_an_upload_with_fewer_than_7_days_left_shows_an_urgent_alarm(
    page: Page, operator_id: str, shoot: Shoot
) -> None:
    create_operator(page, operator_id)
    page.goto(certificates_path(operator_id))
    soon = datetime.now(UTC) + timedelta(days=3)
    leaf = self_signed_server_cert("localhost", not_after=soon)
    upload(page, "expiring.pem", leaf.cert_pem)
    cell = page.locator("table.certificates tbody tr .expiry")
    expect(cell).to_have_text("2 days")
    expect(cell).to_have_class("expiry expiry-urgent")
    expect(cell).to_have_css("color", "rgb(179, 38, 30)")  # the portal's red, --bad
    message = page.locator("table.certificates tbody tr .expiry-message")
    expect(message).to_contain_text("Urgent: this upload expires on")
    shoot(page, "certificates-expiry-urgent")


def test_an_upload_with_fewer_than_30_days_left_shows_a_warning(
    page: Page, operator_id: str
) -> None:
    create_operator(page, operator_id)
    page.goto(certificates_path(operator_id))
    leaf = self_signed_server_cert("localhost", not_after=datetime.now(UTC) + timedelta(days=20))
    upload(page, "soon.pem", leaf.cert_pem)
    cell = page.locator("table.certificates tbody tr .expiry")
    expect(cell).to_have_text("19 days")
    expect(cell).to_have_class("expiry expiry-warn")
    expect(page.locator("table.certificates .expiry-message")).to_contain_text(
        "fewer than 30 days left"
    )


def test_the_hubs_service_certificate_and_what_the_endpoint_presented_show_their_days_left(
    page: Page, operator_id: str, pki_files: PKIFiles, hubject_stub: ServerProcess, shoot: Shoot
) -> None:
    create_operator(page, operator_id)
    settings = {
        "online_request": True,
        "service_url": service_url_of(hubject_stub),
        "server_certification": "hubject",
    }
    api = f"/api/operators/{operator_id}"
    assert page.request.put(f"{api}/settings/authorization", data=settings).ok
    sent = page.request.post(
        f"{api}/send/remote-start",
        data={"evse_id": f"{operator_id}*E0001", "provider_id": "DE*ICE"},
    )
    assert sent.json()["outcome"] == "accepted"
    page.goto(certificates_path(operator_id))
    rows = page.locator("table.on-the-wire tbody tr")
    expect(rows).to_have_count(2)
    pki = MockHubjectPKI.load(pki_files.directory)
    hub_days = (pki.hub_client.describe().not_after - datetime.now(UTC)).days
    expect(rows.nth(0)).to_contain_text("Hub service certificate")
    expect(rows.nth(0)).to_contain_text(pki.hub_client.describe().serial_number)
    expect(rows.nth(0).locator(".expiry")).to_have_text(f"{hub_days} days")
    expect(rows.nth(1)).to_contain_text("Authorization: presented by your endpoint")
    expect(rows.nth(1)).to_contain_text(pki.cpo_server.describe().subject)
    # Two certificates of one name (a self-signed upload, a Hubject-issued one on the wire)
    # are told apart by their fingerprints.
    expect(rows.nth(1).locator(".fingerprint")).to_have_text(pki.cpo_server.describe().sha256)
    expect(rows.nth(1).locator(".expiry")).to_have_class("expiry expiry-none")
    shoot(page, "certificates-on-the-wire")
