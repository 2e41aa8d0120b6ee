"""The smaller things a coordinator and a manager meet every day: a referred person's age
group becomes an estimated birth year, the referral's message and who added a support measure
are on the case's timeline, the case page shows the person's languages, a report export
without a broker downloads in one click, the manager's start page labels its numbers, the demo
server's links follow its port, and a refused request is logged as one line."""

from __future__ import annotations

import re
import stat
import subprocess
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import services as casework_services
from casework.models import Case, Category, Language
from outreach import services as outreach_services
from outreach.models import AgeGroup
from reporting.models import ReportExport
from reporting.selectors import annual_statistics
from tests.factories import OutreachContactFactory
from tests.helpers import ROOT, run_python
from tests.reflection_period_helpers import open_case


def _referral(outreach_worker, **contact):
    made = OutreachContactFactory.create(created_by=outreach_worker, **contact)
    return outreach_services.referral_create(
        contact=made, by=outreach_worker, note="Hon vill träffas på torsdag, helst med tolk."
    )


def _accept_form(coordinator, **overrides):
    data = {
        "ind-alias": "Vera",
        "ind-sex": "female",
        "ind-protection": "none",
        "case-coordinator": coordinator.pk,
        "case-opened_on": timezone.localdate().isoformat(),
        "case-offence": "trafficking",
        "case-purposes": ["sexual"],
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("age_group", "age", "category"),
    [
        (AgeGroup.UNDER_18, 16, Category.MINOR),
        (AgeGroup.FROM_26_TO_35, 30, Category.ADULT),
        (AgeGroup.OVER_50, 55, Category.ADULT),
    ],
)
def test_a_referral_accepted_into_a_new_person_estimates_the_birth_year(
    client, coordinator, outreach_worker, age_group, age, category
) -> None:
    referral = _referral(outreach_worker, age_group=age_group)
    year = timezone.localdate(referral.contact.contacted_at).year
    client.force_login(coordinator)
    url = reverse("outreach:referral_accept_new", args=[referral.pk])
    form = client.get(url).content.decode()
    assert re.search(rf'name="ind-birth_year" value="{year - age}"', form)  # shown, can change
    # Even without the field (a form from before, a script), the service estimates it.
    response = client.post(url, _accept_form(coordinator, **{"case-category": category}))
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert case.individual.birth_year == year - age
    assert case.category == category
    assert case.age_at_opening == age
    statistics = annual_statistics(year=case.opened_on.year, as_of=case.opened_on)
    assert statistics.q7.by_category[category] == 1  # not "age unknown"
    assert statistics.q7.by_category["age_unknown"] == 0


def test_a_given_birth_year_is_kept(client, coordinator, outreach_worker) -> None:
    referral = _referral(outreach_worker, age_group=AgeGroup.FROM_18_TO_25)
    client.force_login(coordinator)
    client.post(
        reverse("outreach:referral_accept_new", args=[referral.pk]),
        _accept_form(coordinator, **{"ind-birth_year": "1980"}),
    )
    assert Case.objects.get().individual.birth_year == 1980


def test_the_case_page_shows_the_referral_message_who_added_support_and_languages(
    client, coordinator, other_coordinator, outreach_worker
) -> None:
    referral = _referral(outreach_worker, language=Language.objects.get(code="ro"))
    client.force_login(coordinator)
    client.post(
        reverse("outreach:referral_accept_new", args=[referral.pk]),
        _accept_form(coordinator, **{"ind-languages": [referral.contact.language_id]}),
    )
    case = Case.objects.get()
    casework_services.support_measure_create(
        case=case, by=other_coordinator, type="counselling", started_on=timezone.localdate()
    )
    page = re.sub(
        r"\s+", " ", client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    )
    assert "Hon vill träffas på torsdag, helst med tolk." in page
    assert f"tillagd av {other_coordinator.get_full_name()}" in page
    assert re.search(r"<dt[^>]*>Språk</dt><dd[^>]*>rumänska</dd>", page, re.I), page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_broker_an_export_downloads_in_one_click(client, manager) -> None:
    """No broker (the demo): the file is made at once, so the button's answer is the file."""
    client.force_login(manager)
    response = client.post(
        reverse("reporting:export_create"),
        {"year": 2024, "as_of": "2025-03-31", "format": "json"},
    )
    export = ReportExport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reporting:export_download", args=[export.pk])
    download = client.get(response.url)
    assert download["Content-Type"] == "application/json"


def test_the_json_export_button_looks_like_the_others(client, manager) -> None:
    client.force_login(manager)
    page = client.get(reverse("reporting:report"), {"year": 2024}).content.decode()
    buttons = re.findall(r'<button type="submit" name="format" value="(\w+)" class="([^"]+)"', page)
    assert [value for value, _c in buttons] == ["pdf", "csv", "json"]
    assert {css for _v, css in buttons} == {"btn btn-outline-primary"}


def test_the_manager_start_page_labels_its_numbers(client, manager, coordinator) -> None:
    open_case(coordinator, opened_on=date(timezone.localdate().year, 1, 2))
    client.force_login(manager)
    page = re.sub(r"\s+", " ", client.get(reverse("home:start_manager")).content.decode())
    assert '<span class="display-6">0</span> <span>ansökningar inskickade i år</span>' in page
    assert '<span class="display-6">1</span> <span>ärende öppet under året</span>' in page
    assert '<span class="display-6">0</span> <span>uppsökande kontakter</span>' in page


def test_the_demo_server_links_to_the_port_it_serves_on(tmp_path) -> None:
    """scripts/serve-demo with a stand-in Python that writes down what the server would be
    given: LOTSA_BASE_URL follows HOST and PORT unless set."""
    seen = tmp_path / "seen"
    python = tmp_path / "python"
    # The reminder loop's stand-in waits, so the server's ends the script after writing.
    python.write_text(
        f'#!/bin/sh\necho "$LOTSA_BASE_URL $*" >> {seen}\n'
        'case "$*" in *run_reminders*) exec sleep 30;; esac\n'
    )
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    for extra, expected in (
        ({}, "http://127.0.0.1:8123"),
        ({"LOTSA_BASE_URL": "https://x.se"}, "https://x.se"),
    ):
        seen.write_text("")
        env = {"PATH": "/usr/bin:/bin", "PYTHON": str(python), "PORT": "8123", **extra}
        subprocess.run(
            [str(ROOT / "scripts/serve-demo")],
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
        lines = seen.read_text().splitlines()
        runserver = [line for line in lines if "runserver" in line]
        assert runserver == [f"{expected} manage.py runserver 127.0.0.1:8123"], lines


def test_a_refused_request_is_logged_as_one_line() -> None:
    """With the demo's settings (DEBUG on), Django's 403 log record once, without traceback."""
    result = run_python(
        "import django; django.setup()\n"
        "from django.core.exceptions import PermissionDenied\n"
        "from django.core.handlers.exception import response_for_exception\n"
        "from django.test import RequestFactory\n"
        "response_for_exception(RequestFactory().get('/reports/'), PermissionDenied())\n",
        DEBUG="true",
        DATABASE_URL="sqlite:///:memory:",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].endswith("WARNING django.request Forbidden (Permission denied): /reports/")
