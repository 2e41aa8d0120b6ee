"""The managers' reporting pages: access, trainings, narratives, exports."""

from __future__ import annotations

from datetime import date

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from reporting import services
from reporting.models import ExportStatus, ReportExport, ReportNarrative, Training
from tests.broker import wait_for


@pytest.fixture
def training(manager):
    return services.training_create(
        by=manager,
        held_on=date(2024, 3, 13),
        title="Människohandel",
        audience="Socialsekreterare",
        organiser="Enheten",
        participants=40,
    )


def _urls(training):
    export = ReportExport.objects.create(
        year=2024, as_of=date(2025, 3, 31), format="json", requested_by=training.created_by
    )
    return [
        reverse("reporting:report"),
        reverse("reporting:training_list"),
        reverse("reporting:training_create"),
        reverse("reporting:training_edit", args=[training.pk]),
        reverse("reporting:narrative_edit", args=[2024]),
        reverse("reporting:export_detail", args=[export.pk]),
    ]


def test_managers_reach_every_reporting_page(client, manager, training):
    client.force_login(manager)
    for url in _urls(training):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["coordinator", "outreach_worker", "admin_user", "outsider"])
def test_other_roles_get_403(request, client, db, training, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in _urls(training):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("reporting:export_create"), {"format": "pdf"}).status_code == 403
    assert client.post(reverse("reporting:training_delete", args=[training.pk])).status_code == 403
    assert Training.objects.filter(pk=training.pk).exists()


def test_anonymous_users_are_sent_to_login(client, training):
    for url in _urls(training):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response.url


def test_report_parameters_are_checked(client, manager):
    client.force_login(manager)
    url = reverse("reporting:report")
    for params, message in [
        ({"year": "2024", "as_of": "2023-12-31"}, "kan inte ligga före rapportåret"),
        ({"year": "2024", "as_of": "2099-01-01"}, "kan inte ligga i framtiden"),
        ({"year": "1850"}, "giltigt alternativ"),
        ({"year": "2024", "as_of": "igår"}, "giltigt datum"),
    ]:
        response = client.get(url, params)
        assert response.status_code == 400, params
        assert message in response.content.decode(), params


def test_an_empty_year_reads_sensibly(client, manager):
    client.force_login(manager)
    page = client.get(
        reverse("reporting:report"), {"year": "2020", "as_of": "2021-01-01"}
    ).content.decode()
    assert "Statistik om betänketid och ärenden 2020" in page
    assert "Inga utbildningar registrerade för perioden." in page


def test_trainings_are_added_edited_and_removed(client, manager):
    client.force_login(manager)
    data = {
        "held_on": "2024-10-09",
        "title": "Betänketid",
        "audience": "Socialsekreterare",
        "organiser": "Enheten",
        "participants": "38",
    }
    assert client.post(reverse("reporting:training_create"), data).status_code == 302
    training = Training.objects.get()
    assert (training.participants, training.created_by) == (38, manager)
    assert (
        client.post(
            reverse("reporting:training_edit", args=[training.pk]), {**data, "participants": "40"}
        ).status_code
        == 302
    )
    training.refresh_from_db()
    assert training.participants == 40
    assert client.post(reverse("reporting:training_delete", args=[training.pk])).status_code == 302
    assert not Training.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"participants": "0"}, "minst en deltagare"),
        ({"participants": "många"}, "Fyll i ett heltal"),
        ({"held_on": "2001-01-01"}, "Ange ett datum från 2015"),
        ({"title": ""}, "Detta fält måste fyllas i"),
    ],
)
def test_bad_training_input_gets_a_swedish_error(client, manager, overrides, message):
    client.force_login(manager)
    data = {
        "held_on": "2024-10-09",
        "title": "T",
        "audience": "A",
        "organiser": "O",
        "participants": "3",
        **overrides,
    }
    response = client.post(reverse("reporting:training_create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Training.objects.exists()


def test_narrative_is_saved_with_who_and_when_and_stale_saves_are_refused(client, manager, db):
    from tests.factories import UserFactory

    other = UserFactory.create(roles=["manager"])
    client.force_login(manager)
    url = reverse("reporting:narrative_edit", args=[2024])
    data = {
        "introduction": "Inledning",
        "outreach_routine": "Rutin",
        "organisational_changes": "Ändringar",
    }
    assert client.post(url, data).status_code == 302
    narrative = ReportNarrative.objects.get(year=2024)
    assert (narrative.updated_by, narrative.version) == (manager, 1)
    services.narrative_save(
        year=2024, by=other, expected_version=1, **{**data, "introduction": "Ny"}
    )
    response = client.post(url, {**data, "version": "1", "introduction": "Min"})
    assert response.status_code == 400
    assert "Någon annan har sparat texterna" in response.content.decode()
    narrative.refresh_from_db()
    assert narrative.introduction == "Ny"
    page = client.get(reverse("reporting:report"), {"year": "2024"}).content.decode()
    assert "Ändringar" in page
    assert "Rutin" in page


def test_export_progress_partial_polls_until_ready(client, manager):
    client.force_login(manager)
    # Queued, and its task reached the broker (queued_at): polled every 2 s.
    export = ReportExport.objects.create(
        year=2024,
        as_of=date(2025, 3, 31),
        format="pdf",
        requested_by=manager,
        queued_at=timezone.now(),
    )
    partial = client.get(
        reverse("reporting:export_detail", args=[export.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-trigger="load delay:2s"' in partial
    assert "<html" not in partial
    assert '<progress class="w-100 mb-3" aria-label="Förlopp"></progress>' in partial
    assert client.get(reverse("reporting:export_download", args=[export.pk])).status_code == 404
    # Its task never reached the broker (it was down): the page says so and polls every 10 s.
    ReportExport.objects.filter(pk=export.pk).update(queued_at=None)
    partial = client.get(
        reverse("reporting:export_detail", args=[export.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-trigger="load delay:10s"' in partial
    assert "Tjänsten som skapar filerna går inte att nå just nu" in partial


def test_bad_export_request_is_refused_without_a_file(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("reporting:export_create"),
        {"year": "2024", "as_of": "2099-01-01", "format": "pdf"},
        follow=True,
    )
    assert "Exporten kunde inte startas" in response.content.decode()
    assert not ReportExport.objects.exists()


@pytest.mark.broker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_pdf_is_generated_by_a_real_worker_through_the_broker(client, manager, real_broker):
    client.force_login(manager)
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, queues=[real_broker], shutdown_timeout=30
    ):
        response = client.post(
            reverse("reporting:export_create"),
            {"year": 2024, "as_of": "2025-03-31", "format": "pdf"},
        )
        export = ReportExport.objects.get()
        # The page answered before the file existed: it is made by the worker.
        assert response.status_code == 302
        assert wait_for(
            lambda: ReportExport.objects.get(pk=export.pk).status == ExportStatus.DONE, 60
        )
    export.refresh_from_db()
    assert export.content is not None
    assert bytes(export.content).startswith(b"%PDF")
    assert (
        "Ladda ner"
        in client.get(reverse("reporting:export_detail", args=[export.pk])).content.decode()
    )


def test_manager_start_page_shows_this_year(client, manager):
    client.force_login(manager)
    page = client.get(reverse("home:start_manager")).content.decode()
    assert "hittills (per" in page
    assert "Ansökningar om betänketid" in page
    assert "Ärenden under året" in page
