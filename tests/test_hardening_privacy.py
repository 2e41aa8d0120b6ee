"""No personal data in logs or e-mails: a day's work through the pages, with every log record
at DEBUG captured and every e-mail kept, holds none of the names, numbers and texts typed; the
e-mails say only that there is something in Lotsa; error reports carry no form data."""

from __future__ import annotations

import logging
import sys

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts import notifications
from accounts.models import Notification
from accounts.roles import Role
from accounts.tasks import send_notification_email
from casework.models import Case, Individual
from outreach.models import District, OutreachContact
from tests.factories import UserFactory

SECRETS = {
    "given_name": "Gudrunella",
    "family_name": "Hemlighetsdotter",
    "personal_number": "19850607-1235",
    "digits": "198506071235",
    "phone": "073-444 55 66",
    "alias": "Nattviolen",
    "journal": "Berättade-om-lägenheten-på-Kungsgatan",
    "contact_alias": "Blåklinten",
    "referral_note": "Nås-via-systern-på-0701234567",
}
SUBJECT = "[Lotsa] Du har en ny notis i Lotsa"


@pytest.fixture
def staff(db):
    return {
        "coordinator": UserFactory.create(username="karin", roles=[Role.COORDINATOR]),
        "outreach": UserFactory.create(username="jonas", roles=[Role.OUTREACH]),
        "manager": UserFactory.create(username="maria", roles=[Role.MANAGER]),
    }


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _a_day_of_work(staff, capture) -> Case:
    """Through the pages: a contact and its referral, a new person and case, a journal entry,
    searches and an export, and the mistakes people make (a 404, a 403, a form error, an
    expired form). Notifications are e-mailed after each commit."""
    today = timezone.localdate().isoformat()
    outreach = _signed_in(staff["outreach"])
    with capture(execute=True):
        outreach.post(
            reverse("outreach:contact_create"),
            {
                "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "environment": "street",
                "district": District.objects.get(code="norrmalm").pk,
                "staff": [staff["outreach"].pk],
                "alias": SECRETS["contact_alias"],
                "sex": "female",
                "age_group": "26_35",
                "consent": "yes",
            },
        )
    contact = OutreachContact.objects.get(alias=SECRETS["contact_alias"])
    with capture(execute=True):
        outreach.post(
            reverse("outreach:referral_create", args=[contact.pk]),
            {"note": SECRETS["referral_note"]},
        )
    coordinator = _signed_in(staff["coordinator"])
    person = {
        "ind-alias": SECRETS["alias"],
        "ind-given_name": SECRETS["given_name"],
        "ind-family_name": SECRETS["family_name"],
        "ind-personal_number": SECRETS["personal_number"],
        "ind-phone": SECRETS["phone"],
        "ind-sex": "female",
        "ind-protection": "protected_registration",
        "case-coordinator": staff["coordinator"].pk,
        "case-opened_on": today,
        "case-origin": "police",
        "case-offence": "trafficking",
        "case-purposes": ["sexual"],
    }
    with capture(execute=True):
        response = coordinator.post(reverse("casework:case_create"), person)
    assert response.status_code == 302
    case = Case.objects.get(individual__alias=SECRETS["alias"])
    with capture(execute=True):
        coordinator.post(
            reverse("casework:journal_create", args=[case.pk]),
            {"entry_date": today, "kind": "meeting", "text": SECRETS["journal"], "sign": "1"},
        )
    for text in (SECRETS["given_name"], SECRETS["digits"]):
        coordinator.post(reverse("casework:case_list"), {"q": text})
        coordinator.post(reverse("casework:case_export"), {"q": text})
    coordinator.get(reverse("casework:case_list"), {"q": SECRETS["family_name"]})
    coordinator.get(reverse("casework:individual_detail", args=[case.individual_id]))
    coordinator.get(reverse("casework:case_detail", args=[case.pk + 1000]))  # 404
    coordinator.get(reverse("reporting:report"))  # 403
    coordinator.post(reverse("casework:case_create"), {**person, "case-origin": "?"})  # 400
    coordinator.post(
        reverse("casework:journal_create", args=[case.pk]),
        {"entry_date": "2999-01-01", "kind": "meeting", "text": SECRETS["journal"]},
    )  # 400
    expired = Client(enforce_csrf_checks=True)
    expired.force_login(staff["coordinator"])
    expired.post(reverse("casework:case_create"), person)  # 403: no CSRF token
    with capture(execute=True):
        from reflection_period.tasks import scan_reminders

        scan_reminders()
    return case


def test_no_log_record_holds_personal_data(staff, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    _a_day_of_work(staff, django_capture_on_commit_callbacks)
    assert Individual.objects.filter(given_name=SECRETS["given_name"]).exists()
    messages = [f"{record.name}: {record.getMessage()}" for record in caplog.records]
    assert any("Bad Request" in message for message in messages)  # the log was captured
    assert any("Forbidden (CSRF" in message for message in messages)
    assert any("e-mailed" in message for message in messages)
    for message in messages:
        for key, secret in SECRETS.items():
            assert secret not in message, (key, message)


def test_e_mails_say_only_that_there_is_something_in_lotsa(
    staff, django_capture_on_commit_callbacks
):
    case = _a_day_of_work(staff, django_capture_on_commit_callbacks)
    assert mail.outbox, "the referral notified the coordinators by e-mail"
    for message in mail.outbox:
        assert message.subject == SUBJECT
        text = f"{message.subject}{message.body}"
        for key, secret in SECRETS.items():
            assert secret not in text, key
        assert case.number not in text
        assert "/notifications/" in message.body


@pytest.mark.parametrize("kind", sorted(notifications._kinds))
def test_no_kind_of_notification_puts_its_details_in_the_e_mail(staff, kind):
    """Every kind any app registers, with parameters full of personal data."""
    params = {
        "case": SECRETS["alias"],
        "date": SECRETS["personal_number"],
        "submitted": SECRETS["given_name"],
        "valid_to": SECRETS["family_name"],
        "drafted": SECRETS["phone"],
        "days": 5,
        "name": SECRETS["given_name"],
    }
    notification = Notification.objects.create(
        recipient=staff["coordinator"], key=f"test-{kind}", kind=kind, params=params, url="/x/"
    )
    send_notification_email(notification.pk)
    (message,) = mail.outbox
    assert message.subject == SUBJECT
    for key, secret in SECRETS.items():
        assert secret not in f"{message.subject}{message.body}", key


def test_error_reports_carry_no_form_data_or_local_variables(settings, db):
    """With ADMINS set, Django e-mails every 500: without the POST data and frame variables."""
    settings.ADMINS = [("Drift", "drift@example.invalid")]
    request = RequestFactory().post(
        "/cases/new/", {"ind-given_name": SECRETS["given_name"], "ind-phone": SECRETS["phone"]}
    )
    request.user = UserFactory.create(username="karin")
    journal_text = SECRETS["journal"]
    try:
        raise RuntimeError("something broke")
    except RuntimeError:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s",
            request.path,
            exc_info=sys.exc_info(),
            extra={"status_code": 500, "request": request},
        )
    assert journal_text  # a local variable of the failing frame
    (report,) = mail.outbox
    alternatives = getattr(report, "alternatives", [])  # the HTML version of the report
    text = f"{report.subject}{report.body}" + "".join(str(part[0]) for part in alternatives)
    assert "RuntimeError" in text
    assert "/cases/new/" in text
    assert "ind-given_name" in text  # the field's name, not its value
    for key, secret in SECRETS.items():
        assert secret not in text, key
