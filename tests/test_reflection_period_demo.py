"""The demo data reproduces the seed document's 2024 figures, and `make run` scans reminders."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

from django.db.models import Q
from django.utils import timezone

from accounts.models import Notification, User
from casework.models import Category, Sex
from reflection_period import demo as reflection_period_demo
from reflection_period import services
from reflection_period.models import (
    Applicant,
    ReflectionPeriodApplication,
    Reminder,
    ReminderRule,
    Status,
)
from tests.helpers import ROOT, clean_env
from tests.own_services import free_port

A = date(2025, 3, 31)  # the seed document's "as of" date
Y2024 = (date(2024, 1, 1), date(2024, 12, 31))


def _social_services_in(start: date, end: date):
    return ReflectionPeriodApplication.objects.filter(
        applicant=Applicant.SOCIAL_SERVICES, submitted_on__range=(start, end)
    )


def test_2024_gives_the_seed_documents_figures(db, demo):
    applications = _social_services_in(*Y2024)
    assert applications.count() == 14
    assert applications.values("case__individual").distinct().count() == 14
    decided_by_a = Q(decided_on__lte=A)
    assert applications.filter(decided_by_a, status=Status.GRANTED).count() == 12
    assert applications.filter(decided_by_a, status=Status.REJECTED).count() == 1
    pending = applications.exclude(decided_by_a).exclude(withdrawn_on__lte=A)
    assert pending.count() == 1
    assert pending.get().decided_on.month == 4  # granted in April 2025
    assert applications.filter(withdrawn_on__lte=A).count() == 0
    # The grants and the rejection were decided in 2024.
    assert applications.filter(decided_on__range=Y2024).count() == 13
    sexual = applications.filter(purposes__purpose="sexual").distinct()
    assert sexual.count() == 9
    assert sexual.filter(case__individual__sex=Sex.FEMALE).count() == 9
    labour = applications.filter(purposes__purpose="labour").distinct()
    assert labour.count() == 5
    assert not labour.filter(purposes__purpose="sexual").exists()
    assert {a.offence for a in labour} <= {"trafficking", "exploitation"}
    for application in applications.select_related("case__individual"):
        case = application.case
        assert application.submitted_on is not None
        assert case.category == Category.ADULT
        assert case.opened_on <= application.submitted_on
        assert case.closed_on is None or case.closed_on >= application.submitted_on
        assert case.individual.age_on(application.submitted_on) >= 18
    # Rights activated: people with a grant decided in 2024, whoever applied.
    rights = ReflectionPeriodApplication.objects.filter(
        status=Status.GRANTED, decided_on__range=Y2024
    )
    assert rights.values("case__individual").distinct().count() == 12
    # The coordinators applied, for the 30-day period.
    assert set(applications.values_list("legal_basis", flat=True)) == {"ch5_s15_p2"}


def test_the_years_around_2024_leave_its_figures_alone(db, demo):
    assert _social_services_in(date(2025, 1, 1), A).count() == 1
    assert _social_services_in(date(2023, 1, 1), date(2023, 12, 31)).count() == 2
    assert ReflectionPeriodApplication.objects.filter(status=Status.WITHDRAWN).count() == 1
    withdrawn = ReflectionPeriodApplication.objects.get(status=Status.WITHDRAWN)
    assert withdrawn.submitted_on is not None
    assert not (date(2024, 1, 1) <= withdrawn.submitted_on <= A)
    others = ReflectionPeriodApplication.objects.exclude(applicant=Applicant.SOCIAL_SERVICES)
    assert others.filter(submitted_on__range=Y2024).count() == 3
    assert {a.legal_basis for a in others} == {"extension", "ch5_s15_p1"}
    # Every permit that ended has its next step: old data sends no reminders.
    today = timezone.localdate()
    ended = ReflectionPeriodApplication.objects.filter(status=Status.GRANTED, valid_to__lt=today)
    assert not ended.filter(next_step="").exists()


def test_the_demo_shows_real_deadlines_and_reminders_today(db, demo):
    today = timezone.localdate()
    result = services.reminders_scan()
    reminders = Reminder.objects.select_related("application")
    assert result.created == reminders.count()
    assert {r.rule for r in reminders} == {
        ReminderRule.DECISION_PENDING,
        ReminderRule.DECISION_OVERDUE,
        ReminderRule.PERMIT_ENDING_FIRST,
        ReminderRule.DRAFT_FORGOTTEN,
    }
    # Only the applications made relative to today remind anyone.
    for reminder in reminders:
        app = reminder.application
        recent = app.submitted_on is not None and app.submitted_on >= today - timedelta(days=60)
        assert app.status == Status.DRAFT or recent
    # The reminders' notifications (the demo's outreach referrals have theirs too).
    notified = Notification.objects.filter(key__startswith="reflection_period:")
    assert notified.filter(key__in=[r.key for r in reminders]).count() == notified.count()
    karin = User.objects.get(username="koordinator")
    assert notified.filter(recipient=karin, read_at__isnull=True).count() == 3
    chef = User.objects.get(username="chef")
    assert notified.filter(recipient=chef).count() == 1  # the overdue decision
    assert services.reminders_scan().created == 0


def test_the_demo_is_not_made_twice(db, demo):
    # 28, as docs/user-guide.md says.
    assert demo.applications == ReflectionPeriodApplication.objects.count() == 28
    assert reflection_period_demo.seed() == 0


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_run_command_serves_lotsa_with_the_reminder_loop_and_stops_both(tmp_path):
    env = clean_env(
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        PYTHON=sys.executable,
        PORT=str(free_port()),
    )
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(ROOT / "scripts/serve-demo")], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        body = ""
        for _ in range(150):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{env['PORT']}/accounts/login/"
                ) as page:
                    body = page.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert "Logga in" in body
        for _ in range(100):
            if "Reminders: 0 created" in log.read_text():
                break
            time.sleep(0.2)
        assert "Reminders: 0 created" in log.read_text()  # the loop made its first pass
        children = _children(server.pid)
        assert len(children) == 2  # the reminder loop and the web server
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    for _ in range(50):
        if not any(_alive(pid) for pid in children):
            break
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in children), log.read_text()
    assert "Reminder scan stopped." in log.read_text()
