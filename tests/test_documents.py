"""Case documents, through the pages as a coordinator uses them, with a real clamd (Debian's
clamav-daemon on a signature database the test writes), the real file storage in a folder of
the test's own, and an S3-compatible server (moto) for the S3 path.

Checked: what is refused before anything is stored (a virus, an unreachable scanner, a type
that is not allowed or does not match the name, a file over the limit, a full case), that the
stored object is not the plaintext and needs the right key, who may read which document, one
access-log row per download, marking as registered by mistake, and retention removing files.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessAction, AccessLogEntry
from accounts.roles import Role
from casework.models import ClosingReason, IdentityAuthorisation, Protection
from documents import encryption
from documents import services as documents_services
from documents.models import CaseDocument, Direction, DocumentKind, ScanState
from exportjobs.models import ExportJob
from retention import services as retention_services
from tests.documents_helpers import (
    docx_bytes,
    jpeg_bytes,
    odt_bytes,
    pdf_bytes,
    png_bytes,
    zip_bytes,
)
from tests.factories import CaseFactory, IndividualFactory, UserFactory
from tests.own_services import EICAR, ClamdServer, MotoS3Server

INFECTED_PDF = pdf_bytes("Infected letter") + EICAR  # a valid PDF the scanner must catch
OLD_KEY = "2026:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="  # base64 of 32 × "A"
NEW_KEY = "2027:" + "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="  # base64 of 32 × "B"

DOCUMENT_URLS = (
    "documents:document_detail",
    "documents:document_download",
    "documents:document_preview",
    "documents:document_void",
)


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    with ClamdServer(
        tmp_path_factory.mktemp("clamd"), signatures={"Lotsa-Test-Infected-PDF": INFECTED_PDF}
    ) as server:
        yield server


@pytest.fixture
def stored(settings, tmp_path) -> Path:
    """The documents' storage: a folder of this test's own, to see exactly what was written."""
    folder = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "base_url": None},
        },
    }
    return folder


@pytest.fixture
def scanning(settings, clamd, stored):
    settings.LOTSA_DOCUMENT_SCAN = "clamd"
    settings.LOTSA_CLAMD_ADDRESS = clamd.address
    return clamd


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


@pytest.fixture
def case(coordinator):
    return CaseFactory.create(coordinator=coordinator, individual__created_by=coordinator)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, case, content: bytes, name: str, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "kind": DocumentKind.MIGRATION_DECISION,
        "direction": Direction.RECEIVED,
        "dated_on": timezone.localdate().isoformat(),
        "title": "Beslut om betänketid",
        "file": SimpleUploadedFile(name, content),
        **fields,
    }
    return client.post(reverse("documents:document_upload", args=[case.pk]), data)


def _document(case, content: bytes = b"", name: str = "beslut.pdf", by=None) -> CaseDocument:
    return documents_services.document_upload(
        case=case,
        by=by or case.coordinator,
        content=content or pdf_bytes("Beslut"),
        file_name=name,
        kind=DocumentKind.MIGRATION_DECISION,
        direction=Direction.RECEIVED,
        dated_on=timezone.localdate(),
        title="Beslut om betänketid",
    )


# --- Accepted, scanned, encrypted -------------------------------------------------------------


def test_a_pdf_is_scanned_encrypted_stored_under_a_random_name_and_shown(
    scanning, stored, case, coordinator
):
    content = pdf_bytes("Beviljad betänketid")
    client = _signed_in(coordinator)
    response = _upload(client, case, content, "beslut-vilmina.pdf")
    assert response.status_code == 302
    document = CaseDocument.objects.get(case=case)
    assert document.scan == ScanState.CLEAN
    assert (document.file_type, document.size) == ("pdf", len(content))
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    (path,) = _files(stored)
    assert path.relative_to(stored).as_posix() == document.storage_name
    assert "vilmina" not in document.storage_name
    assert case.number not in document.storage_name
    blob = path.read_bytes()
    assert blob != content
    assert content[:200] not in blob
    assert b"Beviljad" not in blob
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "Beslut om betänketid" in page  # the panel and the timeline
    assert "Lägg till handling" in page
    assert "inte virusgenomsökta" not in page


@pytest.mark.parametrize(
    ("content", "name", "file_type"),
    [
        (png_bytes(), "foto.png", "png"),
        (jpeg_bytes(), "pass.jpg", "jpeg"),
        (docx_bytes(), "brev.docx", "docx"),
        (odt_bytes(), "brev.odt", "odt"),
    ],
)
def test_images_and_office_documents_are_accepted(scanning, case, content, name, file_type):
    response = _upload(_signed_in(case.coordinator), case, content, name)
    assert response.status_code == 302
    assert CaseDocument.objects.get(case=case).file_type == file_type


# --- Refused before anything is stored ---------------------------------------------------------


def _refused(response, stored: Path, case, message: str) -> None:
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CaseDocument.objects.filter(case=case).exists()
    assert _files(stored) == []


def test_the_eicar_test_file_is_refused_and_nothing_is_stored(scanning, stored, case):
    response = _upload(_signed_in(case.coordinator), case, EICAR, "brev.pdf")
    _refused(response, stored, case, "Virusgenomsökningen hittade något skadligt")
    assert "Eicar-Test-Signature" in response.content.decode()


def test_a_valid_pdf_carrying_a_virus_is_refused(scanning, stored, case):
    """The type check would accept this file: only the scanner stands in the way."""
    response = _upload(_signed_in(case.coordinator), case, INFECTED_PDF, "brev.pdf")
    _refused(response, stored, case, "Lotsa-Test-Infected-PDF")


def test_a_stopped_scanner_refuses_the_upload(settings, stored, case, tmp_path):
    """Fail closed: the scanner ran, then stopped; a clean PDF is refused, not stored unscanned."""
    with ClamdServer(tmp_path / "clamd") as server:
        settings.LOTSA_DOCUMENT_SCAN = "clamd"
        settings.LOTSA_CLAMD_ADDRESS = server.address
        client = _signed_in(case.coordinator)
        assert _upload(client, case, pdf_bytes(), "a.pdf").status_code == 302
        CaseDocument.objects.all().delete()  # test bookkeeping: start again from nothing
        for path in _files(stored):
            path.unlink()
        server.stop()
        response = _upload(client, case, pdf_bytes(), "a.pdf")
    _refused(response, stored, case, "Virusgenomsökningen går inte att nå just nu")


def test_png_bytes_named_pdf_are_refused(scanning, stored, case):
    response = _upload(_signed_in(case.coordinator), case, png_bytes(), "beslut.pdf")
    _refused(response, stored, case, "Filens innehåll är PNG, men namnet slutar på ”.pdf”")


@pytest.mark.parametrize(
    ("content", "name"),
    [(zip_bytes(), "arkiv.zip"), (b"just text", "anteckning.txt"), (zip_bytes(), "brev.docx")],
)
def test_types_outside_the_list_are_refused(scanning, stored, case, content, name):
    response = _upload(_signed_in(case.coordinator), case, content, name)
    _refused(response, stored, case, "Bara PDF, JPEG, PNG, DOCX och ODT")


def test_an_oversized_file_is_refused_with_a_form_error(scanning, stored, case, settings, tmp_path):
    """Not a 500, not a reset connection, and no file half-written anywhere: neither in the
    storage nor in Django's temporary upload folder."""
    settings.LOTSA_DOCUMENT_MAX_MB = 1
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    content = pdf_bytes(pad_to=1024 * 1024 + 1)
    response = _upload(_signed_in(case.coordinator), case, content, "stor.pdf")
    _refused(response, stored, case, "Filen är för stor: högst 1 MB.")
    assert list((tmp_path / "uploads").iterdir()) == []
    assert 'id="form-errors"' in response.content.decode()  # summarised at the top
    # Just under the limit goes through.
    response = _upload(_signed_in(case.coordinator), case, pdf_bytes(pad_to=1024 * 1024), "a.pdf")
    assert response.status_code == 302


def test_a_case_holds_at_most_the_limit(scanning, stored, case, settings):
    settings.LOTSA_DOCUMENT_CASE_LIMIT = 2
    client = _signed_in(case.coordinator)
    for _ in range(2):
        assert _upload(client, case, pdf_bytes(), "a.pdf").status_code == 302
    response = _upload(client, case, pdf_bytes(), "a.pdf")
    assert response.status_code == 400
    assert "Ärendet har redan 2 handlingar" in response.content.decode()
    assert CaseDocument.objects.filter(case=case).count() == 2
    assert len(_files(stored)) == 2


def test_a_failed_registration_removes_the_object_it_wrote(stored, case, monkeypatch):
    """The object is written before the row; if the row is refused the object goes again."""
    monkeypatch.setattr(documents_services, "case_touch", _raise_database_error)
    with pytest.raises(RuntimeError):
        _document(case)
    assert _files(stored) == []
    assert not CaseDocument.objects.exists()


def _raise_database_error(**kwargs):
    raise RuntimeError("the database went away")


def test_without_scanning_the_pages_say_files_are_not_scanned(stored, case, settings):
    settings.LOTSA_DOCUMENT_SCAN = "off"
    client = _signed_in(case.coordinator)
    form = client.get(reverse("documents:document_upload", args=[case.pk])).content.decode()
    assert "Filer virusgenomsöks inte i den här installationen" in form
    assert _upload(client, case, pdf_bytes(), "a.pdf").status_code == 302
    assert CaseDocument.objects.get().scan == ScanState.NOT_SCANNED
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "Filer virusgenomsöks inte i den här installationen." in page


# --- Keys ------------------------------------------------------------------------------------


def test_a_wrong_key_cannot_decrypt(stored, case, settings):
    content = pdf_bytes("Hemligt")
    document = _document(case, content)
    blob = (stored / document.storage_name).read_bytes()
    args: dict[str, Any] = {
        "name": document.storage_name,
        "wrapped_key": bytes(document.wrapped_key),
    }
    assert encryption.decrypt(blob, key_id=document.key_id, **args) == content
    # Another key under the same id: the wrapped key does not open.
    settings.LOTSA_DOCUMENT_KEY = ["test:" + NEW_KEY.split(":")[1]]
    with pytest.raises(encryption.DocumentDecryptionError):
        encryption.decrypt(blob, key_id=document.key_id, **args)
    # The key no longer configured at all: refused, and the page says so (503, no file, no log).
    settings.LOTSA_DOCUMENT_KEY = [NEW_KEY]
    with pytest.raises(encryption.DocumentDecryptionError):
        encryption.decrypt(blob, key_id=document.key_id, **args)
    before = AccessLogEntry.objects.count()
    response = _signed_in(case.coordinator).get(
        reverse("documents:document_download", args=[case.pk, document.pk])
    )
    assert response.status_code == 503
    assert "Handlingen går inte att läsa just nu" in response.content.decode()
    assert AccessLogEntry.objects.count() == before


def test_a_file_moved_onto_another_document_does_not_decrypt(stored, case):
    first, second = _document(case, pdf_bytes("Ett")), _document(case, pdf_bytes("Två"))
    blob = (stored / first.storage_name).read_bytes()
    with pytest.raises(encryption.DocumentDecryptionError):
        encryption.decrypt(
            blob,
            name=second.storage_name,
            key_id=second.key_id,
            wrapped_key=bytes(second.wrapped_key),
        )


def test_key_rotation_rewraps_keys_without_touching_the_files(stored, case, settings):
    settings.LOTSA_DOCUMENT_KEY = [OLD_KEY]
    content = pdf_bytes("Roterad")
    document = _document(case, content)
    blob = (stored / document.storage_name).read_bytes()
    assert document.key_id == "2026"
    settings.LOTSA_DOCUMENT_KEY = [NEW_KEY, OLD_KEY]  # the new key first, the old one kept
    newer = _document(case, pdf_bytes("Ny"))
    assert newer.key_id == "2027"
    url = reverse("documents:document_download", args=[case.pk, document.pk])
    assert _signed_in(case.coordinator).get(url).content == content
    call_command("documents_rewrap", stdout=open("/dev/null", "w"))  # noqa: SIM115
    document.refresh_from_db()
    assert document.key_id == "2027"
    assert (stored / document.storage_name).read_bytes() == blob  # the file is untouched
    settings.LOTSA_DOCUMENT_KEY = [NEW_KEY]  # the old key removed
    assert _signed_in(case.coordinator).get(url).content == content


def test_malformed_keys_are_refused_at_start():
    from django.core.exceptions import ImproperlyConfigured

    for values in (["too-short"], ["a:" + "QUFB"], [OLD_KEY, OLD_KEY]):
        with pytest.raises(ImproperlyConfigured):
            encryption.parse_keys(values)
    key = encryption.parse_keys([OLD_KEY.split(":")[1]])[0]
    assert key.id == hashlib.sha256(b"A" * 32).hexdigest()[:8]


# --- Reading: who, how, and the log --------------------------------------------------------------


def test_a_download_sends_the_file_as_an_attachment_and_logs_one_row_each(stored, case):
    content = pdf_bytes("Nedladdad")
    document = _document(case, content)
    client = _signed_in(case.coordinator)
    url = reverse("documents:document_download", args=[case.pk, document.pk])
    before = AccessLogEntry.objects.count()
    for expected_rows in (1, 2):
        response = client.get(url)
        assert response.status_code == 200
        assert response.content == content
        rows = AccessLogEntry.objects.filter(
            object_type="documents.casedocument", object_id=str(document.pk)
        )
        assert rows.count() == expected_rows
    assert AccessLogEntry.objects.count() == before + 2
    row = rows.first()
    assert row is not None
    assert (row.action, row.individual_id, row.detail) == (
        AccessAction.EXPORT,
        case.individual_id,
        "document download",
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{case.number}-dokument-{document.pk}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_pdfs_and_images_preview_inline_other_types_only_download(stored, case):
    client = _signed_in(case.coordinator)
    pdf = _document(case, pdf_bytes())
    image = _document(case, png_bytes(), "foto.png")
    letter = _document(case, docx_bytes(), "brev.docx")
    for document in (pdf, image):
        response = client.get(reverse("documents:document_preview", args=[case.pk, document.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("inline;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert "default-src 'self'" in response["Content-Security-Policy"]
    response = client.get(reverse("documents:document_preview", args=[case.pk, letter.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:document_download", args=[case.pk, letter.pk])
    detail = client.get(reverse("documents:document_detail", args=[case.pk, image.pk]))
    assert (
        reverse("documents:document_preview", args=[case.pk, image.pk]) in detail.content.decode()
    )


def test_a_coordinator_guessing_another_cases_document_id_gets_404(stored, case, coordinator):
    other_case = CaseFactory.create(coordinator=coordinator, individual__created_by=coordinator)
    other = _document(other_case)
    client = _signed_in(coordinator)
    for name in DOCUMENT_URLS:
        response = client.get(reverse(name, args=[case.pk, other.pk]))
        assert response.status_code == 404, name
        # Its own case's address reaches it.
        assert client.get(reverse(name, args=[other_case.pk, other.pk])).status_code in (200, 302)
    response = client.post(
        reverse("documents:document_void", args=[case.pk, other.pk]), {"reason": "Gissat"}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert not other.is_voided


@pytest.mark.parametrize("role", ["anonymous", "outreach", "admin", "no_role"])
def test_outreach_admin_and_anonymous_reach_no_document_url(stored, case, role):
    document = _document(case)
    client = Client()
    if role != "anonymous":
        roles = {"outreach": [Role.OUTREACH], "admin": [Role.ADMIN], "no_role": []}[role]
        client.force_login(UserFactory.create(roles=roles))
    void = reverse("documents:document_void", args=[case.pk, document.pk])
    upload = reverse("documents:document_upload", args=[case.pk])
    requests = [("get", reverse(name, args=[case.pk, document.pk])) for name in DOCUMENT_URLS]
    requests += [("get", reverse("documents:document_list", args=[case.pk])), ("get", upload)]
    requests += [("post", void), ("post", upload)]
    for method, url in requests:
        if True:
            response = getattr(client, method)(url)
            if role == "anonymous":
                assert response.status_code == 302, url
                assert response["Location"].startswith(reverse("accounts:login")), url
            else:
                assert response.status_code == 404, (method, url)
    assert not AccessLogEntry.objects.filter(object_type="documents.casedocument").exists()


def test_a_protected_persons_documents_are_read_as_their_identity(stored, coordinator, manager):
    individual = IndividualFactory.create(
        created_by=coordinator, protection=Protection.PROTECTED_REGISTRATION
    )
    case = CaseFactory.create(individual=individual, coordinator=coordinator)
    IdentityAuthorisation.objects.create(
        individual=individual,
        user=coordinator,
        basis=IdentityAuthorisation.Basis.GRANTED,
        reason="Ansvarig koordinator.",
        granted_at=timezone.now(),
        granted_by=manager,
    )
    document = _document(case)
    download = reverse("documents:document_download", args=[case.pk, document.pk])
    assert _signed_in(coordinator).get(download).status_code == 200
    assert _signed_in(manager).get(download).status_code == 200
    colleague = UserFactory.create(roles=[Role.COORDINATOR])
    client = _signed_in(colleague)
    for name in DOCUMENT_URLS:
        assert client.get(reverse(name, args=[case.pk, document.pk])).status_code == 403, name
    assert client.get(reverse("documents:document_upload", args=[case.pk])).status_code == 403
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "Beslut om betänketid" not in page
    assert "Ärendet har 1 handling." in page


def test_managers_read_documents_but_add_or_mark_none(stored, case, manager):
    document = _document(case)
    client = _signed_in(manager)
    assert (
        client.get(reverse("documents:document_detail", args=[case.pk, document.pk])).status_code
        == 200
    )
    assert client.get(reverse("documents:document_upload", args=[case.pk])).status_code == 403
    response = client.post(
        reverse("documents:document_void", args=[case.pk, document.pk]), {"reason": "Fel"}
    )
    assert response.status_code == 403


# --- Registered by mistake ---------------------------------------------------------------------


def test_a_document_registered_by_mistake_is_marked_never_deleted(stored, case):
    document = _document(case)
    client = _signed_in(case.coordinator)
    url = reverse("documents:document_void", args=[case.pk, document.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Ange skälet." in response.content.decode()
    response = client.post(url, {"reason": "Hör till ett annat ärende."})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.is_voided
    assert (document.voided_by, document.void_reason) == (
        case.coordinator,
        "Hör till ett annat ärende.",
    )
    assert (stored / document.storage_name).exists()  # the file is kept
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "Felregistrerad" in page
    assert "Hör till ett annat ärende." in page
    assert "Alla handlingar, med 1 felregistrerad" in page  # hidden from the panel's list
    listing = client.get(reverse("documents:document_list", args=[case.pk])).content.decode()
    assert "Felregistrerad" in listing
    assert client.post(url, {"reason": "Igen"}).status_code == 400  # once only


# --- Retention ---------------------------------------------------------------------------------


def test_the_cull_removes_the_stored_file_and_verifies_it_is_gone(
    stored, coordinator, manager, django_capture_on_commit_callbacks
):
    closed_on = timezone.localdate() - timedelta(days=8 * 365)
    case = CaseFactory.create(
        coordinator=coordinator,
        individual__created_by=coordinator,
        year=closed_on.year,
        opened_on=closed_on - timedelta(days=30),
        closed_on=closed_on,
        closing_reason=ClosingReason.COMPLETED,
    )
    document = _document(case)
    mistake = _document(case, png_bytes(), "fel.png")
    documents_services.document_void(document=mistake, by=coordinator, reason="Fel person")
    path = stored / document.storage_name
    assert path.exists()
    run = retention_services.run_propose(by=manager, today=timezone.localdate())
    assert run.individuals_count == 1
    with django_capture_on_commit_callbacks(execute=True):
        retention_services.run_confirm(run=run, by=manager)
    assert not path.exists()
    assert not storages["documents"].exists(document.storage_name)
    document.refresh_from_db()
    assert document.file_removed_at is not None
    assert document.culled_at is not None
    assert (document.title, bytes(document.wrapped_key)) == ("", b"")
    mistake.refresh_from_db()  # marked by mistake: the reason gives way to the cull's marker
    assert mistake.file_removed_at is not None
    assert mistake.void_reason.startswith("[Gallrad ")
    assert not (stored / mistake.storage_name).exists()
    assert _files(stored) == []
    url = reverse("documents:document_download", args=[case.pk, document.pk])
    assert _signed_in(manager).get(url).status_code == 404


def test_the_sweep_removes_files_a_failed_cull_left(stored, case, settings):
    document = _document(case)
    CaseDocument.objects.filter(pk=document.pk).update(culled_at=timezone.now(), wrapped_key=b"")
    assert (stored / document.storage_name).exists()
    call_command("documents_sweep", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not (stored / document.storage_name).exists()
    document.refresh_from_db()
    assert document.file_removed_at is not None


# --- S3 --------------------------------------------------------------------------------------


def test_the_s3_storage_stores_encrypted_serves_and_culls(settings, case, manager):
    with MotoS3Server() as s3:
        settings.STORAGES = {
            **settings.STORAGES,
            "documents": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": s3.bucket,
                    "endpoint_url": s3.endpoint_url,
                    "access_key": s3.access_key,
                    "secret_key": s3.secret_key,
                    "region_name": "us-east-1",
                    "location": "documents",
                    "default_acl": None,
                    "file_overwrite": False,
                },
            },
        }
        content = pdf_bytes("I molnet")
        client = _signed_in(case.coordinator)
        assert _upload(client, case, content, "beslut.pdf").status_code == 302
        document = CaseDocument.objects.get(case=case)
        key = f"documents/{document.storage_name}"
        objects = s3.client().list_objects_v2(Bucket=s3.bucket)["Contents"]
        assert [item["Key"] for item in objects] == [key]
        blob = s3.client().get_object(Bucket=s3.bucket, Key=key)["Body"].read()
        assert blob != content
        assert b"I molnet" not in blob
        url = reverse("documents:document_download", args=[case.pk, document.pk])
        assert client.get(url).content == content
        documents_services.documents_cull(case_ids=[case.pk], now=timezone.now())
        assert documents_services.document_files_remove() == 1
        assert s3.client().list_objects_v2(Bucket=s3.bucket).get("Contents", []) == []
        document.refresh_from_db()
        assert document.file_removed_at is not None


# --- The application page ----------------------------------------------------------------------


def test_a_decided_application_offers_to_attach_the_decision(stored, coordinator):
    from tests.reflection_period_helpers import granted, open_case

    case = open_case(coordinator)
    application = granted(case, submitted_on=date(2024, 3, 4), valid_from=date(2024, 3, 6))
    client = _signed_in(coordinator)
    page_url = reverse("reflection_period:application_detail", args=[application.pk])
    page = client.get(page_url).content.decode()
    assert "Bifoga beslutet" in page
    assert application.decided_on is not None
    upload_url = reverse("documents:document_upload", args=[case.pk])
    form = client.get(
        f"{upload_url}?kind=migration_decision&on={application.decided_on}&next={page_url}"
    ).content.decode()
    assert f'value="{application.decided_on.isoformat()}"' in form
    response = _upload(
        client, case, pdf_bytes(), "beslut.pdf", next=page_url, dated_on=application.decided_on
    )
    assert response.status_code == 302
    assert response["Location"] == page_url
    assert "Beslut om betänketid" in client.get(page_url).content.decode()
    # Another site is never a place to go on to.
    response = _upload(client, case, pdf_bytes(), "b.pdf", next="https://example.com/")
    assert response["Location"] == reverse("casework:case_detail", args=[case.pk])


def test_a_document_cannot_be_dated_in_the_future(stored, case):
    response = _upload(
        _signed_in(case.coordinator),
        case,
        pdf_bytes(),
        "a.pdf",
        dated_on=(timezone.localdate() + timedelta(days=2)).isoformat(),
    )
    assert response.status_code == 400
    assert not CaseDocument.objects.exists()


# --- The registerutdrag ------------------------------------------------------------------------


def test_the_registerutdrag_lists_the_documents_and_can_include_their_files(stored, case, manager):
    import json
    import zipfile
    from io import BytesIO

    content = pdf_bytes("Till registerutdraget")
    document = _document(case, content)
    voided = _document(case, png_bytes(), "fel.png")
    documents_services.document_void(document=voided, by=case.coordinator, reason="Fel ärende")
    client = _signed_in(manager)
    url = reverse("dsar:subject_export", kwargs={"pk": case.individual_id})

    def made(data: dict[str, str]) -> Any:
        """A worker makes the file (in-process here, after the commit): its download."""
        with TestCase.captureOnCommitCallbacks(execute=True):
            started = client.post(url, data)
        job = ExportJob.objects.latest("pk")
        assert started["Location"] == reverse("exportjobs:job", args=[job.pk])
        return client.get(reverse("exportjobs:download", args=[job.pk]))

    listed = made({"format": "json", "request_reference": "Dnr 2026/17"})
    assert listed["Content-Type"].startswith("application/json")
    (record,) = json.loads(listed.content)["cases"]
    assert [d["id"] for d in record["documents"]] == [document.pk, voided.pk]
    assert record["documents"][0]["title"] == "Beslut om betänketid"
    assert record["documents"][1]["void_reason"] == "Fel ärende"
    assert "storage_name" not in record["documents"][0]
    assert "wrapped_key" not in record["documents"][0]
    assert not AccessLogEntry.objects.filter(object_type="documents.casedocument").exists()

    response = made(
        {"format": "pdf", "request_reference": "Dnr 2026/17", "include_documents": "on"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].endswith('.zip"')
    with zipfile.ZipFile(BytesIO(response.getvalue())) as archive:
        export_name = f"registerutdrag-{case.individual.reference}-{timezone.localdate()}.pdf"
        assert sorted(archive.namelist()) == [
            f"handlingar/{case.number}-dokument-{document.pk}.pdf",
            f"handlingar/{case.number}-dokument-{voided.pk}.png",
            export_name,
        ]
        assert archive.read(export_name).startswith(b"%PDF")
        assert archive.read(f"handlingar/{case.number}-dokument-{document.pk}.pdf") == content
    rows = AccessLogEntry.objects.filter(
        object_type="documents.casedocument", action=AccessAction.EXPORT
    )
    # Each file logged when the archive was made, and again when it was downloaded.
    for view_name in ("dsar:subject_export", "exportjobs:download"):
        logged = rows.filter(view_name=view_name)
        assert sorted(int(row.object_id) for row in logged) == [document.pk, voided.pk]
    assert rows.count() == 4


def test_lotsa_refuses_to_start_without_a_document_key_when_debug_is_off():
    from tests.helpers import PRODUCTION, run_python

    without = {k: v for k, v in PRODUCTION.items() if k != "LOTSA_DOCUMENT_KEY"}
    result = run_python("import django; django.setup()", **without)
    assert result.returncode != 0
    assert "LOTSA_DOCUMENT_KEY is not set" in result.stderr
    result = run_python(
        "import django; django.setup()", **{**PRODUCTION, "LOTSA_DOCUMENT_KEY": "short"}
    )
    assert result.returncode != 0
    assert "base64 of 32 random bytes" in result.stderr
    assert run_python("import django; django.setup()", **PRODUCTION).returncode == 0
