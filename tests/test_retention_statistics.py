"""Statistics survive retention: every past yearly report gives the same figures after a cull.

The whole demo (the shared `demo` fixture of tests/demo.py: about 200 cases over 2023–2025 and
a few this year, applications, support, outreach contacts and referrals, trainings) is culled as
a day far in the future would see it, and every annual report is computed before and after, also
as the city's answer computed it (2024 as of 31 March 2025).
"""

from __future__ import annotations

import time
from datetime import date

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from casework.models import Case, Individual, JournalEntry
from reporting.selectors import AnnualStatistics, annual_statistics, yearly_comparison
from retention import services
from retention.models import RetentionItem

FAR = date(2040, 1, 1)  # every case closed by today is long due then


def _reports() -> dict[tuple[int, date], AnnualStatistics]:
    today = timezone.localdate()
    reports = {}
    for year in range(2022, today.year + 1):
        # As of today, and as the report was made the spring after the year (if that has come).
        for as_of in {today, min(today, date(year + 1, 3, 31))}:
            reports[(year, as_of)] = annual_statistics(year=year, as_of=as_of)
    reports[(2024, date(2025, 3, 31))] = annual_statistics(year=2024, as_of=date(2025, 3, 31))
    return reports


def test_every_past_yearly_report_gives_the_same_figures_after_the_cull(
    db, demo, django_assert_max_num_queries
):
    manager = User.objects.filter(groups__name=Role.MANAGER).order_by("pk").first()
    assert manager is not None
    before = _reports()
    assert before[(2024, date(2025, 3, 31))].q7.cases == 143  # the seed document's figure
    # The comparison of the last five years, too.
    years_before = {key: yearly_comparison(year=key[0], as_of=key[1]).as_json() for key in before}
    named = Individual.objects.exclude(alias="").count()

    started = time.perf_counter()
    run = services.run_propose(by=manager, today=FAR)
    proposed = time.perf_counter() - started
    assert run.individuals_count > 100
    assert run.kept_count > 0  # some demo people are born on the 5th, 15th or 25th
    # One query per table whatever the number of people: the cull does not grow in queries.
    with django_assert_max_num_queries(40):
        started = time.perf_counter()
        run = services.run_confirm(run=run, by=manager)
        confirmed = time.perf_counter() - started
    print(  # noqa: T201 (the timings, for whoever runs this with -s)
        f"\nretention on the demo: {run.individuals_count} individuals, {run.cases_count} cases, "
        f"{run.culled_journal_entries} journal entries; propose {proposed:.2f} s, "
        f"confirm {confirmed:.2f} s"
    )
    assert run.culled_individuals == run.individuals_count
    culled = RetentionItem.objects.filter(run=run, decision=RetentionItem.Decision.CULLED)
    culled_ids = list(culled.values_list("individual_id", flat=True))
    assert not Individual.objects.filter(pk__in=culled_ids).exclude(alias="").exists()
    assert not Individual.objects.filter(pk__in=culled_ids, date_of_birth__isnull=False).exists()
    assert Individual.objects.exclude(alias="").count() == named - len(culled_ids)
    assert (
        JournalEntry.objects.filter(case__individual_id__in=culled_ids)
        .exclude(text__startswith="[Gallrad ")
        .count()
        == 0
    )
    assert Case.objects.filter(closed_on__isnull=True).exists()  # open cases were left alone

    after = _reports()
    assert after.keys() == before.keys()
    for key, report in before.items():
        assert after[key].as_json() == report.as_json(), key
        assert after[key] == report, key
        assert yearly_comparison(year=key[0], as_of=key[1]).as_json() == years_before[key], key
