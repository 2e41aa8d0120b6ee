"""A day's work as the application's database role (tests/test_database_roles.py runs this in a
process of its own, with DATABASE_URL naming that role): a coordinator opens a case through the
page, reads it (a page view, written to the access log), searches, starts an application (whose
case coordinator a trigger writes) and opens the deadline board; an outreach worker logs a
contact (which the triggers copy into outreach_staffcontact) and opens their contact list.
Prints JSON."""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")


def main() -> dict[str, object]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import AccessLogEntry, User
    from accounts.roles import Role
    from accounts.services import user_set_roles
    from casework.models import Case
    from outreach import services as outreach_services
    from outreach.models import Environment, StaffContact
    from reflection_period.models import ReflectionPeriodApplication
    from reflection_period.services import application_create

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (role,) = cursor.fetchone()
    coordinator = User.objects.create_user(username="karin", password=None, first_name="Karin")
    user_set_roles(user=coordinator, roles=[Role.COORDINATOR])
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    created = client.post(
        reverse("casework:case_create"),
        {
            "ind-alias": "Lilja",
            "ind-sex": "female",
            "ind-birth_year": "1995",
            "ind-protection": "none",
            "case-coordinator": coordinator.pk,
            "case-opened_on": timezone.localdate().isoformat(),
            "case-origin": "police",
            "case-offence": "trafficking",
            "case-category": "adult",
            "confirm_new": "1",
        },
    )
    case = Case.objects.order_by("pk").last()
    logged_before = AccessLogEntry.objects.count()
    page = client.get(reverse("casework:case_detail", args=[case.pk])) if case else None
    searched = client.post(reverse("casework:case_list"), {"q": "Lilja"})
    if case:
        application_create(case=case, by=coordinator, offence="trafficking", purposes=["sexual"])
    board = client.get(reverse("reflection_period:deadline_board"))
    worker = User.objects.create_user(username="jonas", password=None, first_name="Jonas")
    user_set_roles(user=worker, roles=[Role.OUTREACH])
    outreach_services.contact_create(
        by=worker,
        contacted_at=timezone.now().replace(second=0, microsecond=0),
        environment=Environment.ONLINE,
        district=None,
        staff=[worker],
    )
    client.force_login(worker)
    contacts = client.get(reverse("outreach:contact_list"))
    return {
        "role": role,
        "created": created.status_code,
        "case": case.number if case else None,
        "page": page.status_code if page else None,
        "search": searched.status_code,
        "logged by the page": AccessLogEntry.objects.count() - logged_before,
        "deadline board": board.status_code,
        "my deadlines": ReflectionPeriodApplication.objects.filter(
            case_coordinator=coordinator
        ).count(),
        "contact list": contacts.status_code,
        "own contacts counted": StaffContact.objects.filter(user=worker).count(),
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main()) + "\n")
