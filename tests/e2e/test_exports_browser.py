"""A coordinator exports a long case list in a real browser: the page shows the job waiting
with a progress bar, a real Celery worker (real Redis broker) makes the file, the page updates
itself without a reload (htmx) and offers the download; a manager's registerutdrag goes the
same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from accounts.models import AccessAction, AccessLogEntry
from config.celery import app as celery_app
from exportjobs.models import ExportJob
from tests.e2e.conftest import check_everywhere, shot, sign_in
from tests.factories import TEST_PASSWORD, CaseFactory


@pytest.mark.broker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_long_export_shows_progress_and_is_downloaded(
    live_server, browser, traced_context, artifacts, coordinator, manager, settings, real_broker
):
    settings.LOTSA_EXPORT_BACKGROUND_ROWS = 1
    cases = [
        CaseFactory.create(coordinator=coordinator, individual__alias=f"Person {n}")
        for n in range(3)
    ]
    page = traced_context.new_page()
    sign_in(page, live_server, "karin", TEST_PASSWORD)
    page.get_by_role("heading", name="Mitt arbete").wait_for()
    page.goto(f"{live_server.url}{reverse('casework:case_list')}?status=")
    page.get_by_role("button", name="Exportera CSV").click()

    # No worker yet: the job waits, and its page says so with a progress bar.
    page.get_by_role("heading", name="Ärendelista (CSV)").wait_for()
    job = ExportJob.objects.get()
    assert page.url.endswith(reverse("exportjobs:job", args=[job.pk]))
    assert page.locator("#export-state").inner_text() == "I kö"
    assert page.locator("progress").is_visible()
    check_everywhere(page, artifacts, "waiting")
    shot(page, artifacts, "01-waiting")
    page.evaluate("window.notReloaded = true")

    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, queues=[real_broker], shutdown_timeout=30
    ):
        download_link = page.get_by_role("link", name="Ladda ned")
        download_link.wait_for(timeout=60_000)
    # The page updated itself (htmx), it was not reloaded.
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#export-state").inner_text() == "Klar"
    assert not page.locator("progress").count()
    check_everywhere(page, artifacts, "ready")
    shot(page, artifacts, "02-ready")
    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("lotsa-arenden-")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert all(case.number in text for case in cases)
    made = AccessLogEntry.objects.filter(action=AccessAction.EXPORT, object_type="casework.case")
    assert made.filter(view_name="casework:case_export").count() == 3
    assert made.filter(view_name="exportjobs:download").count() == 3

    # The manager's registerutdrag (a browser of their own): the same page, made by the
    # worker, downloaded.
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    managers = context.new_page()
    sign_in(managers, live_server, "maria", TEST_PASSWORD)
    managers.goto(
        f"{live_server.url}{reverse('dsar:subject_export', args=[cases[0].individual_id])}"
    )
    managers.locator("input[name=format][value=json]").check()
    managers.locator("#id_request_reference").fill("Dnr 2026/9")
    managers.get_by_role("button", name="Skapa filen").click()
    managers.get_by_role("heading", name="Registerutdrag").wait_for()
    assert managers.locator("progress").is_visible()
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, queues=[real_broker], shutdown_timeout=30
    ):
        managers.get_by_role("link", name="Ladda ned").wait_for(timeout=60_000)
    with managers.expect_download() as download_info:
        managers.get_by_role("link", name="Ladda ned").click()
    assert download_info.value.suggested_filename.endswith(".json")
    shot(managers, artifacts, "03-registerutdrag")
    context.close()
    # The coordinator cannot fetch the manager's file.
    dsar_job = ExportJob.objects.exclude(pk=job.pk).get()
    refused = page.goto(f"{live_server.url}{reverse('exportjobs:download', args=[dsar_job.pk])}")
    assert refused is not None
    assert refused.status == 403
