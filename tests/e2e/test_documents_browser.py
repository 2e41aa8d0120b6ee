"""A coordinator attaches Migrationsverket's decision letter on the application page and
downloads it again, in a real browser, with a real clamd scanning the upload."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from accounts.models import AccessAction, AccessLogEntry
from documents.models import CaseDocument, DocumentKind, ScanState
from tests.documents_helpers import pdf_bytes
from tests.e2e.conftest import check_everywhere, shot, sign_in
from tests.factories import TEST_PASSWORD
from tests.own_services import ClamdServer
from tests.reflection_period_helpers import granted, open_case


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_decision_letter_is_attached_on_the_application_page_and_downloaded(
    live_server, traced_context, artifacts, coordinator, settings, tmp_path: Path
):
    case = open_case(coordinator)
    application = granted(case, submitted_on=date(2024, 3, 4), valid_from=date(2024, 3, 6))
    letter = pdf_bytes("Beslut om tidsbegränsat uppehållstillstånd")
    with ClamdServer(tmp_path / "clamd") as clamd:
        settings.LOTSA_DOCUMENT_SCAN = "clamd"
        settings.LOTSA_CLAMD_ADDRESS = clamd.address
        page = traced_context.new_page()
        sign_in(page, live_server, "karin", TEST_PASSWORD)
        page.get_by_role("heading", name="Mitt arbete").wait_for()
        page.goto(f"{live_server.url}/reflection-period/{application.pk}/")

        page.get_by_role("link", name="Bifoga beslutet").click()
        page.get_by_role("heading", name="Lägg till handling").wait_for()
        assert page.get_by_label("Typ av handling").input_value() == "migration_decision"
        assert page.get_by_label("Inkom eller upprättades den").input_value() == str(
            application.decided_on
        )
        page.locator("#id_file").set_input_files(
            {"name": "beslut.pdf", "mimeType": "application/pdf", "buffer": letter}
        )
        page.get_by_label("Titel").fill("Beslut om betänketid")
        check_everywhere(page, artifacts, "upload")
        shot(page, artifacts, "01-upload")
        page.get_by_role("button", name="Lägg till handlingen").click()

        # Back on the application page, which lists the decision.
        page.get_by_text("Handlingen lades till i ärendet.").wait_for()
        assert page.url.endswith(f"/reflection-period/{application.pk}/")
        document = CaseDocument.objects.get()
        assert (document.kind, document.scan) == (DocumentKind.MIGRATION_DECISION, ScanState.CLEAN)
        page.get_by_role("link", name="Beslut om betänketid").click()
        page.get_by_role("heading", name="Om handlingen").wait_for()
        check_everywhere(page, artifacts, "document")
        shot(page, artifacts, "02-document")

        with page.expect_download() as download_info:
            page.get_by_role("link", name="Ladda ned").click()
        download = download_info.value
        assert download.suggested_filename == f"{case.number}-dokument-{document.pk}.pdf"
        assert Path(download.path()).read_bytes() == letter
    rows = AccessLogEntry.objects.filter(
        object_type="documents.casedocument", object_id=str(document.pk)
    )
    assert rows.filter(action=AccessAction.EXPORT).count() == 1

    # The case page shows the document in its panel and on its timeline.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    panel = page.get_by_role("region", name="Handlingar")
    assert "Beslut om betänketid" in panel.inner_text()
    check_everywhere(page, artifacts, "case")
    shot(page, artifacts, "03-case")
