"""The contact list's cached counts (outreach/counts.py): read once, and a change through the
app (a contact logged, the staff present corrected, a contact deleted) is seen at once."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from outreach import services
from outreach.models import District, Environment
from tests.factories import OutreachContactFactory, UserFactory

# An outreach worker's contacts are counted from their rows in StaffContact, other lists' from
# the contacts (outreach.selectors.contact_count_queryset).
COUNT_OF_CONTACTS = re.compile(
    r'SELECT COUNT\(\*\) AS "__count" FROM "outreach_(outreachcontact|staffcontact)"'
)


@pytest.fixture(autouse=True)
def count_cache(settings):
    settings.LOTSA_LIST_COUNT_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def _count(client, **filters: str) -> tuple[str, int]:
    """The count the list shows, and how many contact-count queries the page ran."""
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("outreach:contact_list"), filters).content.decode()
    counted = sum(1 for q in queries.captured_queries if COUNT_OF_CONTACTS.match(q["sql"]))
    shown = re.search(r"(\d+) kontakt", page)
    assert shown is not None
    return shown.group(1), counted


def _log(by, staff):
    return services.contact_create(
        by=by,
        contacted_at=timezone.now().replace(second=0, microsecond=0),
        environment=Environment.STREET,
        district=District.objects.get(code="norrmalm"),
        staff=staff,
    )


def test_a_second_read_of_the_same_list_runs_no_count(client, outreach_worker):
    OutreachContactFactory.create(created_by=outreach_worker)
    client.force_login(outreach_worker)
    assert _count(client) == ("1", 1)
    assert _count(client) == ("1", 0)
    assert _count(client, environment="online") == ("0", 1)  # other filters: own count


def test_contacts_logged_corrected_and_deleted_are_counted_at_once(client, outreach_worker):
    colleague = UserFactory.create(roles=[Role.OUTREACH])
    client.force_login(outreach_worker)
    assert _count(client)[0] == "0"
    contact = _log(colleague, [colleague, outreach_worker])  # logged by a colleague, I was there
    assert _count(client) == ("1", 1)
    contact.staff.set([colleague])  # I was not there after all
    assert _count(client) == ("0", 1)
    _log(outreach_worker, [colleague])  # logged by me for a colleague: mine too
    assert _count(client) == ("1", 1)
    contact.delete()
    assert _count(client) == ("1", 1)
    client.force_login(colleague)
    assert _count(client) == ("1", 1)
