"""Large files: checked and imported by a Celery task, with a page that shows the progress and
then the per-row report; the confirmed import committed whole or not at all."""

from __future__ import annotations

import io
from datetime import date, timedelta

import psycopg
import pytest
from celery.contrib.testing.worker import start_worker
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessAction, AccessLogEntry
from accounts.roles import Role
from casework import services as casework
from casework.models import Case, Category
from config.celery import app as celery_app
from importing.models import ImportedRecord, ImportJob, ImportJobStatus, ImportJobStep, ImportRun
from importing.services import import_jobs_sweep
from tests.broker import wait_for
from tests.factories import UserFactory
from tests.import_helpers import csv_bytes, table

START = reverse("importing:start")


def _rows(count: int, *, first_year: int = 2023, later: int = 0) -> list[dict[str, object]]:
    """`count` new people's cases opened in `first_year`, and the last `later` of them a year
    later (rows are written in opening order)."""
    return [
        {
            "external_reference": f"BIG-{n:03d}",
            "alias": f"Person {n}",
            "birth_year": 1980 + n,
            "opened_on": f"{first_year + (n >= count - later)}-03-{1 + n:02d}",
            "coordinator": "karin",
            "origin": "Polisen",
            "support": "Tolk",
        }
        for n in range(count)
    ]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, rows: list[dict[str, object]]):
    upload = io.BytesIO(csv_bytes(table(rows)))
    upload.name = "arkiv.csv"
    return client.post(START, {"file": upload})


def _counts() -> dict[str, int]:
    """Rows of every table but the import jobs' own (bookkeeping of the import)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model is not ImportJob
    }


def _partial(client: Client, job: ImportJob) -> str:
    response = client.get(reverse("importing:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.broker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_large_file_is_checked_and_imported_by_a_real_worker(settings, real_broker):
    settings.LOTSA_IMPORT_BACKGROUND_ROWS = 5
    manager = UserFactory.create(username="maria", roles=[Role.MANAGER])
    coordinator = UserFactory.create(username="karin", roles=[Role.COORDINATOR])
    casework.case_open_with_new_individual(
        by=coordinator,
        individual_fields={"alias": "Före"},
        coordinator=coordinator,
        opened_on=date(2024, 1, 2),
        origin="police",
        category=Category.ADULT,
    )  # 2024-0001: the series of 2024 exists, and another transaction can hold it
    client = _client(manager)
    rows = _rows(12, later=4)  # 8 cases of 2023, then 4 of 2024
    before = _counts()

    # A coordinator opening a 2024 case holds that year's number series: the check writes the
    # 2023 rows, then waits for it. Meanwhile the page shows how far the check has come.
    database = connection.settings_dict
    blocker = psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"],
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        password=database["PASSWORD"] or None,
    )
    blocker.execute(
        "SELECT last_value FROM casework_numbersequence WHERE key = 'case-2024' FOR UPDATE"
    )
    try:
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            queues=[real_broker],
            shutdown_timeout=30,
        ):
            response = _upload(client, rows)
            job = ImportJob.objects.get()
            # The page answered at once: a worker checks the file.
            assert response.status_code == 302
            assert response["Location"] == reverse("importing:job", args=[job.pk])
            assert (job.step, job.rows_total) == (ImportJobStep.CHECK, 12)
            assert wait_for(lambda: "Rader kontrollerade: 8 av 12." in _partial(client, job), 90)
            partial = _partial(client, job)
            assert 'hx-trigger="load delay:2s"' in partial
            assert "<html" not in partial
            assert "Pågår" in partial
            blocker.rollback()
            assert wait_for(
                lambda: ImportJob.objects.get(pk=job.pk).status == ImportJobStatus.DONE, 90
            )
            # The check wrote nothing to the case tables: only its job row is new.
            assert _counts() == before
            page = client.get(reverse("importing:job", args=[job.pk])).content.decode()
            assert "Förhandsgranskning: inget har importerats ännu." in page
            assert page.count('class="import-row"') == 12
            assert reverse("importing:job_confirm", args=[job.pk]) in page
            assert "hx-get" not in page  # done: the page stops polling

            response = client.post(reverse("importing:job_confirm", args=[job.pk]))
            assert response.status_code == 302
            assert wait_for(
                lambda: ImportJob.objects.get(pk=job.pk).status == ImportJobStatus.DONE, 90
            )
    finally:
        blocker.close()
    job.refresh_from_db()
    assert job.step == ImportJobStep.IMPORT
    assert job.rows is None  # the parsed rows are gone once imported
    page = client.get(reverse("importing:job", args=[job.pk])).content.decode()
    assert "Importen är klar: 12 ärenden skapades." in page
    assert Case.objects.count() == 13
    assert ImportedRecord.objects.count() == 12
    assert ImportRun.objects.get().imported_by == manager
    numbers = dict(ImportedRecord.objects.values_list("external_reference", "case__number"))
    assert numbers["BIG-000"] == "2023-0001"
    assert numbers["BIG-011"] == "2024-0005"
    logged = AccessLogEntry.objects.filter(action=AccessAction.IMPORT)
    assert logged.count() == 12
    assert set(logged.values_list("view_name", "user")) == {("importing:job_confirm", manager.pk)}


@pytest.mark.django_db
def test_a_confirmed_large_import_is_all_or_nothing(
    settings, manager, coordinator, django_capture_on_commit_callbacks
):
    """Without a broker the task runs in-process; a row broken since the check (a case
    opened meanwhile) fails the whole import: nothing is written."""
    settings.LOTSA_IMPORT_BACKGROUND_ROWS = 5
    client = _client(manager)
    rows = _rows(8)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, rows)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.step) == (ImportJobStatus.DONE, ImportJobStep.CHECK)
    # Meanwhile a coordinator registers the last row's person and opens an adult case.
    person = casework.case_open_with_new_individual(
        by=coordinator,
        individual_fields={"alias": "Person 7", "birth_year": 1987},
        coordinator=coordinator,
        opened_on=date(2023, 1, 2),
        origin="police",
        category=Category.ADULT,
    ).individual
    before = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("importing:job_confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.step) == (ImportJobStatus.DONE, ImportJobStep.IMPORT)
    assert _counts() == before
    page = client.get(reverse("importing:job", args=[job.pk])).content.decode()
    assert "1 rad har fel. Inget har importerats" in page
    assert "Individen har redan ett öppet ärende i denna kategori." in page
    assert person.cases.count() == 1
    # The import step is done: confirming again is refused, nothing is queued.
    again = client.post(reverse("importing:job_confirm", args=[job.pk]))
    assert again.status_code == 400
    assert "Filen kan inte längre importeras från sin kontroll" in again.content.decode()


@pytest.mark.django_db
def test_a_file_up_to_the_limit_is_checked_within_its_request(settings, manager, coordinator):
    settings.LOTSA_IMPORT_BACKGROUND_ROWS = 5
    response = _upload(_client(manager), _rows(5))
    assert response.status_code == 200
    assert response.content.decode().count('class="import-row"') == 5
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_only_the_manager_who_uploaded_sees_and_confirms_the_job(
    settings, manager, coordinator, django_capture_on_commit_callbacks
):
    settings.LOTSA_IMPORT_BACKGROUND_ROWS = 5
    with django_capture_on_commit_callbacks(execute=True):
        _upload(_client(manager), _rows(8))
    job = ImportJob.objects.get()
    other = _client(UserFactory.create(username="mona", roles=[Role.MANAGER]))
    assert other.get(reverse("importing:job", args=[job.pk])).status_code == 404
    assert other.post(reverse("importing:job_confirm", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.step == ImportJobStep.CHECK
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_the_progress_page_says_when_the_worker_cannot_be_reached(manager):
    job = ImportJob.objects.create(
        requested_by=manager, file_name="arkiv.csv", file_sha256="0" * 64, rows_total=300
    )
    partial = _partial(_client(manager), job)
    assert 'hx-trigger="load delay:10s"' in partial
    assert "Tjänsten som kontrollerar och importerar stora filer går inte att nå just nu" in partial
    assert "Rader kontrollerade: 0 av 300." in partial


@pytest.mark.django_db
def test_the_sweep_deletes_expired_jobs_and_gives_up_lost_ones(settings, manager):
    now = timezone.now()
    expired = ImportJob.objects.create(
        requested_by=manager,
        file_sha256="0" * 64,
        rows_total=1,
        rows=b"x",
        status=ImportJobStatus.DONE,
        finished_at=now - timedelta(seconds=settings.LOTSA_IMPORT_PREVIEW_SECONDS + 1),
    )
    fresh = ImportJob.objects.create(
        requested_by=manager,
        file_sha256="0" * 64,
        rows_total=1,
        rows=b"x",
        status=ImportJobStatus.DONE,
        finished_at=now,
    )
    lost = ImportJob.objects.create(
        requested_by=manager,
        file_sha256="0" * 64,
        rows_total=1,
        rows=b"x",
        status=ImportJobStatus.RUNNING,
        started_at=now - timedelta(seconds=settings.LOTSA_IMPORT_TASK_SECONDS + 61),
    )
    assert import_jobs_sweep() == {"requeued": 0, "lost": 1, "expired": 1}
    assert not ImportJob.objects.filter(pk=expired.pk).exists()
    assert ImportJob.objects.filter(pk=fresh.pk).exists()
    lost.refresh_from_db()
    assert (lost.status, lost.error) == (ImportJobStatus.FAILED, "WorkerLost")
    page = _client(manager).get(reverse("importing:job", args=[lost.pk])).content.decode()
    assert "Filen kunde inte kontrolleras eller importeras till slut. Inget importerades." in page
