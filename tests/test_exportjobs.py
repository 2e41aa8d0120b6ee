"""Files made in the background (exportjobs): the case list's long CSV and the registerutdrag are
made by a Celery task, through the real broker or in-process without one; the progress page
polls until the file is ready; only the person who asked downloads it; the file is stored
encrypted like a case document and deleted when it expires; making and downloading it are both
in the access log."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.storage import storages
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessAction, AccessLogEntry
from accounts.roles import Role
from accounts.services import user_set_roles
from casework.models import Case
from config.celery import app as celery_app
from exportjobs import services
from exportjobs.models import ExportJob, ExportJobStatus
from tests.broker import forget_broker_connections, route_to_test_queues, wait_for
from tests.factories import CaseFactory, UserFactory

CASE_EXPORT = reverse("casework:case_export")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _cases(coordinator: Any, count: int) -> list[Case]:
    return [
        CaseFactory.create(coordinator=coordinator, individual__alias=f"Person {n}")
        for n in range(count)
    ]


def _start_case_export(client: Client, **data: str) -> tuple[Any, ExportJob]:
    """Post the list's export; the job's page is the answer."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(CASE_EXPORT, {"status": "", **data})
    job = ExportJob.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("exportjobs:job", args=[job.pk])
    return response, job


def _start_dsar(client: Client, individual_id: int, fmt: str = "json") -> ExportJob:
    url = reverse("dsar:subject_export", kwargs={"pk": individual_id})
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, {"format": fmt, "request_reference": "Dnr 2026/9"})
    job = ExportJob.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("exportjobs:job", args=[job.pk])
    return job


def _partial(client: Client, job: ExportJob) -> str:
    response = client.get(reverse("exportjobs:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def _download(client: Client, job: ExportJob) -> Any:
    return client.get(reverse("exportjobs:download", args=[job.pk]))


def _stored(job: ExportJob) -> Path:
    return Path(storages["documents"].path(job.storage_name))


def _logged(view_name: str, object_type: str = "casework.case") -> list[AccessLogEntry]:
    return list(
        AccessLogEntry.objects.filter(
            action=AccessAction.EXPORT, view_name=view_name, object_type=object_type
        ).order_by("pk")
    )


# --- Without a broker: in-process -------------------------------------------------------------


def test_a_long_case_list_export_is_made_in_process_and_downloaded_from_its_page(
    settings, coordinator
):
    settings.LOTSA_EXPORT_BACKGROUND_ROWS = 2
    cases = _cases(coordinator, 3)
    client = _client(coordinator)
    _response, job = _start_case_export(client)
    job.refresh_from_db()
    assert job.status == ExportJobStatus.DONE
    assert (job.progress_done, job.progress_total) == (3, 3)

    page = client.get(reverse("exportjobs:job", args=[job.pk])).content.decode()
    assert "Ärendelista (CSV)" in page
    assert "Klar" in page
    assert reverse("exportjobs:download", args=[job.pk]) in page
    assert "hx-get" not in page  # ready: no more polling

    download = _download(client, job)
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"].startswith('attachment; filename="lotsa-arenden-')
    text = download.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Ärendenummer;")
    for case in cases:
        assert case.number in text
        assert case.individual.alias in text

    # The making is logged as the export was (its page, one row per case), and the download
    # again.
    made = _logged("casework:case_export")
    downloaded = _logged("exportjobs:download")
    for rows in (made, downloaded):
        assert sorted((row.object_id, row.individual_id) for row in rows) == sorted(
            (str(case.pk), case.individual_id) for case in cases
        )
        assert {row.user_id for row in rows} == {coordinator.pk}
        assert {row.detail for row in rows} == {"filters: "}


def test_a_short_case_list_export_is_still_made_within_its_request(settings, coordinator):
    settings.LOTSA_EXPORT_BACKGROUND_ROWS = 3
    _cases(coordinator, 3)
    response = _client(coordinator).post(CASE_EXPORT, {"status": ""})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert not ExportJob.objects.exists()
    assert len(_logged("casework:case_export")) == 3


def test_the_background_export_keeps_the_lists_filters_and_masking(settings, coordinator):
    settings.LOTSA_EXPORT_BACKGROUND_ROWS = 0
    mine = _cases(coordinator, 2)
    other = CaseFactory.create(individual__alias="Annan person")
    client = _client(coordinator)
    _response, job = _start_case_export(client, coordinator=str(coordinator.pk))
    text = _download(client, job).content.decode("utf-8-sig")
    assert all(case.number in text for case in mine)
    assert other.number not in text
    assert {row.object_id for row in _logged("casework:case_export")} == {
        str(case.pk) for case in mine
    }
    assert {row.detail for row in _logged("casework:case_export")} == {"filters: coordinator"}


def test_the_registerutdrag_is_made_in_process_and_downloaded(manager, coordinator):
    case = CaseFactory.create(coordinator=coordinator, individual__alias="Ana")
    client = _client(manager)
    job = _start_dsar(client, case.individual_id)
    job.refresh_from_db()
    assert job.status == ExportJobStatus.DONE
    download = _download(client, job)
    assert download["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(download.content)["individual"]["alias"] == "Ana"
    for view_name in ("dsar:subject_export", "exportjobs:download"):
        (row,) = _logged(view_name, "casework.individual")
        assert (row.user, row.individual_id) == (manager, case.individual_id)
        assert row.detail == "Registerutdrag (GDPR art. 15) JSON: Dnr 2026/9"


# --- Through the real broker and a real worker --------------------------------------------------


@pytest.mark.broker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_long_case_export_and_a_registerutdrag_are_made_by_a_real_worker(settings, real_broker):
    settings.LOTSA_EXPORT_BACKGROUND_ROWS = 1
    coordinator = UserFactory.create(username="karin", roles=[Role.COORDINATOR])
    manager = UserFactory.create(username="maria", roles=[Role.MANAGER])
    cases = _cases(coordinator, 3)
    coordinators = _client(coordinator)
    managers = _client(manager)

    # Before a worker runs, the page answers at once and shows the job waiting.
    response = coordinators.post(CASE_EXPORT, {"status": ""})
    csv_job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exportjobs:job", args=[csv_job.pk])
    assert csv_job.queued_at is not None  # the broker has it
    partial = _partial(coordinators, csv_job)
    assert 'hx-trigger="load delay:2s"' in partial
    assert "<html" not in partial
    assert "I kö" in partial
    assert "<progress" in partial
    assert _download(coordinators, csv_job).status_code == 302  # not ready: back to its page

    dsar = managers.post(
        reverse("dsar:subject_export", kwargs={"pk": cases[0].individual_id}),
        {"format": "pdf", "request_reference": "Dnr 2026/9"},
    )
    dsar_job = ExportJob.objects.exclude(pk=csv_job.pk).get()
    assert dsar["Location"] == reverse("exportjobs:job", args=[dsar_job.pk])

    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, queues=[real_broker], shutdown_timeout=30
    ):
        assert wait_for(
            lambda: ExportJob.objects.filter(status=ExportJobStatus.DONE).count() == 2, 90
        )
    partial = _partial(coordinators, csv_job)
    assert "hx-get" not in partial
    assert "Ladda ned" in partial
    text = _download(coordinators, csv_job).content.decode("utf-8-sig")
    assert all(case.number in text for case in cases)
    pdf = _download(managers, dsar_job)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # Neither may fetch the other's file.
    assert _download(managers, csv_job).status_code == 403
    assert _download(coordinators, dsar_job).status_code == 403
    # The worker wrote the making to the access log with the page and user that asked.
    assert len(_logged("casework:case_export")) == 3
    assert len(_logged("dsar:subject_export", "casework.individual")) == 1
    assert len(_logged("exportjobs:download")) == 3
    assert len(_logged("exportjobs:download", "casework.individual")) == 1


# --- The page's states -----------------------------------------------------------------------


def _job(user: Any, **fields: Any) -> ExportJob:
    fields.setdefault("params", {"filters": {}})
    return ExportJob.objects.create(
        kind="casework.cases_csv", requested_by=user, view_name="casework:case_export", **fields
    )


def test_the_progress_page_shows_each_state(coordinator):
    client = _client(coordinator)
    # Queued, and the broker has it: polled every 2 s, an indeterminate bar.
    job = _job(coordinator, queued_at=timezone.now())
    partial = _partial(client, job)
    assert 'hx-trigger="load delay:2s"' in partial
    assert "Väntar på sin tur." in partial
    assert "<progress" in partial
    # Its task never reached the broker: the page says so and polls every 10 s.
    ExportJob.objects.filter(pk=job.pk).update(queued_at=None)
    partial = _partial(client, job)
    assert 'hx-trigger="load delay:10s"' in partial
    assert "Tjänsten som skapar stora filer går inte att nå just nu" in partial
    # Running: how far it has come, on a native progress bar.
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJobStatus.RUNNING, progress_done=1500, progress_total=4000
    )
    partial = _partial(client, job)
    assert "1500 av 4000 klara." in partial
    assert '<progress class="w-100 mb-3" value="1500" max="4000"' in partial
    assert "Pågår" in partial
    # Failed: no download, a Swedish message; no more polling.
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJobStatus.FAILED, finished_at=timezone.now()
    )
    partial = _partial(client, job)
    assert "Filen kunde inte skapas." in partial
    assert "hx-get" not in partial
    assert _download(client, job).status_code == 302
    # The full page wraps the same part.
    page = client.get(reverse("exportjobs:job", args=[job.pk])).content.decode()
    assert "<html" in page
    assert 'id="export-status"' in page


def test_a_build_that_fails_shows_a_failure_and_keeps_no_file(settings, coordinator):
    settings.LOTSA_EXPORT_BACKGROUND_ROWS = 0
    _cases(coordinator, 1)
    job = _job(coordinator, params={"filters": {"opened_from": ["not a date at all"]}})
    # A filter the form refuses makes an empty list, never an error: the file is made.
    services.job_make(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJobStatus.DONE
    broken = _job(coordinator, params={"filters": 12})  # not a mapping: the build fails
    services.job_make(job_id=broken.pk)
    broken.refresh_from_db()
    assert broken.status == ExportJobStatus.FAILED
    assert broken.error == "AttributeError"
    assert not broken.storage_name
    assert "Filen kunde inte skapas." in _partial(_client(coordinator), broken)


# --- Who may download -------------------------------------------------------------------------


def test_only_the_one_who_asked_sees_the_page_and_downloads(
    settings, coordinator, other_coordinator, manager, outreach_worker, admin_user, outsider
):
    settings.LOTSA_EXPORT_BACKGROUND_ROWS = 0
    _cases(coordinator, 2)
    _response, job = _start_case_export(_client(coordinator))
    page = reverse("exportjobs:job", args=[job.pk])
    download = reverse("exportjobs:download", args=[job.pk])
    for user in (other_coordinator, manager, outreach_worker, admin_user, outsider):
        client = _client(user)
        assert client.get(page).status_code == 403
        assert client.get(download).status_code == 403
    # A missing job is refused alike: a guessed id tells nothing.
    assert (
        _client(other_coordinator).get(reverse("exportjobs:job", args=[job.pk + 1000])).status_code
        == 403
    )
    anonymous = Client()
    assert anonymous.get(download)["Location"].startswith(reverse("accounts:login"))
    assert not _logged("exportjobs:download")
    # The coordinator who asked, no longer a coordinator: refused too.
    user_set_roles(user=coordinator, roles=[Role.OUTREACH])
    assert _client(coordinator).get(download).status_code == 403
    assert not _logged("exportjobs:download")


def test_the_walk_names_the_new_addresses():
    from tests.hardening_helpers import EXPECTATIONS

    assert {"exportjobs:job", "exportjobs:download"} <= set(EXPECTATIONS)


# --- Storage and expiry ---------------------------------------------------------------------------


def test_the_file_is_stored_encrypted_and_private(settings, coordinator):
    settings.LOTSA_EXPORT_BACKGROUND_ROWS = 0
    (case,) = _cases(coordinator, 1)
    _response, job = _start_case_export(_client(coordinator))
    job.refresh_from_db()
    path = _stored(job)
    assert job.storage_name.startswith("exports/")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    blob = path.read_bytes()
    assert case.number.encode() not in blob
    assert case.individual.alias.encode() not in blob
    assert blob.startswith(b"LOTSADOC1")
    assert case.number in services.job_file(job).decode("utf-8-sig")


def test_expired_files_are_deleted_by_the_sweep_and_on_their_page(settings, coordinator):
    settings.LOTSA_EXPORT_BACKGROUND_ROWS = 0
    _cases(coordinator, 1)
    client = _client(coordinator)
    _response, swept = _start_case_export(client)
    _response, opened = _start_case_export(client)
    _response, fresh = _start_case_export(client)
    swept.refresh_from_db()
    opened.refresh_from_db()
    long_ago = timezone.now() - timedelta(seconds=settings.LOTSA_EXPORT_KEEP_SECONDS + 60)
    ExportJob.objects.filter(pk__in=[swept.pk, opened.pk]).update(finished_at=long_ago)

    # Its page: the file is deleted now, the page says so (410) and offers no download.
    response = client.get(reverse("exportjobs:download", args=[opened.pk]))
    assert response.status_code == 410
    assert "Filen sparas inte längre" in response.content.decode()
    assert not _stored(opened).exists()
    assert not ExportJob.objects.filter(pk=opened.pk).exists()

    # The sweep: the expired one goes, file and job; the fresh one stays.
    assert _stored(swept).exists()
    assert services.jobs_sweep()["expired"] == 1
    assert not _stored(swept).exists()
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert _download(client, fresh).status_code == 200


def test_the_sweep_queues_unsent_jobs_again_and_gives_up_lost_ones(settings, coordinator):
    _cases(coordinator, 1)
    unsent = _job(coordinator)
    ExportJob.objects.filter(pk=unsent.pk).update(
        requested_at=timezone.now() - timedelta(minutes=2)
    )
    lost = _job(
        coordinator,
        status=ExportJobStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=settings.LOTSA_EXPORT_TASK_SECONDS + 120),
    )
    result = services.jobs_sweep()
    assert (result["requeued"], result["lost"]) == (1, 1)
    unsent.refresh_from_db()
    lost.refresh_from_db()
    assert unsent.status == ExportJobStatus.DONE  # in-process: made when queued
    assert (lost.status, lost.error) == (ExportJobStatus.FAILED, "WorkerLost")


def test_a_broker_that_is_down_leaves_the_job_waiting_for_the_sweep(
    settings, coordinator, monkeypatch
):
    settings.LOTSA_EXPORT_BACKGROUND_ROWS = 0
    _cases(coordinator, 1)
    # A broker address where nothing listens: publishing fails as with Redis down.
    route_to_test_queues("redis://127.0.0.1:1/0", monkeypatch)
    try:
        client = _client(coordinator)
        _response, job = _start_case_export(client)
        job.refresh_from_db()
        assert (job.status, job.queued_at) == (ExportJobStatus.QUEUED, None)
        assert "går inte att nå just nu" in _partial(client, job)
    finally:
        forget_broker_connections()


def test_the_list_shows_ones_own_jobs_and_deletes_expired_ones(
    settings, coordinator, other_coordinator, outreach_worker
):
    settings.LOTSA_EXPORT_BACKGROUND_ROWS = 0
    _cases(coordinator, 1)
    client = _client(coordinator)
    _response, expired = _start_case_export(client)
    _response, fresh = _start_case_export(client)
    expired.refresh_from_db()
    others = _job(other_coordinator)
    long_ago = timezone.now() - timedelta(seconds=settings.LOTSA_EXPORT_KEEP_SECONDS + 60)
    ExportJob.objects.filter(pk=expired.pk).update(finished_at=long_ago)

    page = client.get(reverse("exportjobs:list")).content.decode()
    assert reverse("exportjobs:job", args=[fresh.pk]) in page
    assert reverse("exportjobs:job", args=[others.pk]) not in page
    assert reverse("exportjobs:job", args=[expired.pk]) not in page
    assert "Ärendelista (CSV)" in page
    # The listing deleted the expired job and its file.
    assert not ExportJob.objects.filter(pk=expired.pk).exists()
    assert not _stored(expired).exists()
    assert _client(outreach_worker).get(reverse("exportjobs:list")).status_code == 403
