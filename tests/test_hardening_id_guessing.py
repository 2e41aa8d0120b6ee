"""An outreach worker who guesses ids reaches no case, no journal entry and no colleague's
contact: 404 every time (403 for the statistics, refused before any lookup), with nothing in
the answer that tells an existing object from a missing one.

Every URL pattern with an id is tried (found in the URL configuration, as by the audit): ids
next to the real ones (sequential guessing), random ids, and ids out of the database's range.
"""

from __future__ import annotations

import random
import re

from django.test import Client

from tests.hardening_helpers import (
    EXPECTATIONS,
    SECRETS,
    World,
    all_routes,
    build_world,
    request_and_undo,
)

OUT_OF_RANGE = [0, 2**31, 2**63 - 1, 2**63, 10**30]


def _routes_with_ids() -> list[tuple[str, list[str]]]:
    found = []
    for route in all_routes():
        if route.route.startswith("admin/"):
            continue  # the admin is refused to everyone but the admin role (the audit)
        names = re.findall(r"<int:(\w+)>", route.route)
        if names:
            found.append((route.key, names))
    return found


def _ids(world: World) -> list[int]:
    """Real ids of every kind of object, and their neighbours."""
    real = [
        world.case.pk,
        world.individual.pk,
        world.draft_entry.pk,
        world.signed_entry.pk,
        world.measure.pk,
        world.consent.pk,
        world.application.pk,
        world.reminder.pk,
        world.notification.pk,
        world.other_contact.pk,
        world.other_referral.pk,
        world.training.pk,
        world.export.pk,
        world.document.pk,
        world.export_job.pk,
    ]
    return sorted({n for pk in real for n in range(max(pk - 2, 1), pk + 3)})


def _own_ids(world: World, key: str) -> set[int]:
    """The worker's own contact and referral: theirs to see (and to be refused handling, 403);
    the test below shows that they do reach them."""
    if key.startswith("outreach:contact") or key == "outreach:referral_create":
        return {world.contact.pk}
    if key.startswith("outreach:referral"):
        return {world.referral.pk}
    return set()


def _refusal(key: str) -> int:
    # Statistics, the data-subject export, retention and imports are refused to the role before any
    # object is looked up: 403 for every id. A background export is refused to anyone but the
    # one who asked, whether it exists or not: 403 for every id.
    prefixes = ("reporting:", "dsar:", "retention:", "importing:", "exportjobs:")
    return 403 if key.startswith(prefixes) else 404


def _page(response, url: str) -> str:
    """The answer without what differs between any two responses: the CSRF token, and the
    address asked for (the language switch returns to it)."""
    page = response.content.decode().replace(url, "URL")
    return re.sub(r'value="[A-Za-z0-9]{64}"|"X-CSRFToken": "[A-Za-z0-9]{64}"', "", page)


def test_outreach_guessing_ids_gets_404_and_learns_nothing(db):
    world = build_world()
    worker = Client()  # signed in once, outside the rolled-back requests
    worker.force_login(world.users["outreach"])
    rng = random.Random(2026)
    candidates = _ids(world) + [rng.randint(1, 2**31 - 1) for _ in range(8)] + OUT_OF_RANGE
    reached, leaked, told_apart = [], [], []
    for key, names in _routes_with_ids():
        expected = EXPECTATIONS[key]
        # A page's answer for an id that surely exists nowhere: every guess must look the same.
        missing = dict.fromkeys(names, 999_999_999)
        url = _reverse(key, missing)
        baseline = _page(request_and_undo(None, expected.method, url, client=worker), url)
        for guess in candidates:
            if guess in _own_ids(world, key):
                continue
            kwargs = dict.fromkeys(names, guess)
            if len(names) == 2:  # a journal entry, a measure, a consent: of the real case
                kwargs = {names[0]: world.case.pk, names[1]: guess}
            url = _reverse(key, kwargs)
            response = request_and_undo(None, expected.method, url, client=worker)
            page = _page(response, url)
            if response.status_code != _refusal(key):
                reached.append(f"{expected.method} {url}: {response.status_code}")
                continue
            leaked += [f"{key} {guess}: {name}" for name, text in SECRETS.items() if text in page]
            if page != baseline:
                told_apart.append(f"{key} {guess}")
    assert not reached, "An outreach worker reached:\n" + "\n".join(reached)
    assert not leaked, leaked
    assert not told_apart, "404 pages that differ from a missing id's:\n" + "\n".join(told_apart)


def test_outreach_reaches_their_own_contact_and_referral_with_the_same_urls(db):
    """The guessing test is not vacuous: the same patterns work with the worker's own ids."""
    world = build_world()
    worker = world.users["outreach"]
    own = request_and_undo(worker, "GET", f"/outreach/contacts/{world.contact.pk}/")
    assert own.status_code == 200
    assert SECRETS["contact_alias"] in own.content.decode()
    colleague = request_and_undo(worker, "GET", f"/outreach/contacts/{world.other_contact.pk}/")
    assert colleague.status_code == 404
    assert SECRETS["other_contact_alias"] not in colleague.content.decode()
    referral = request_and_undo(worker, "GET", f"/outreach/referrals/{world.referral.pk}/")
    assert referral.status_code == 302  # to the contact's page: outreach never sees a case


def test_the_real_case_journal_and_application_are_404_for_outreach(db):
    """The real objects themselves, each with the method its page takes."""
    world = build_world()
    worker = world.users["outreach"]
    case, draft, signed = world.case.pk, world.draft_entry.pk, world.signed_entry.pk
    for method, url in [
        ("GET", f"/cases/{case}/"),
        ("POST", f"/cases/{case}/edit/"),
        ("GET", f"/cases/{case}/journal/{draft}/edit/"),
        ("POST", f"/cases/{case}/journal/{draft}/sign/"),
        ("POST", f"/cases/{case}/journal/{draft}/delete/"),
        ("GET", f"/cases/{case}/journal/{signed}/correct/"),
        ("GET", f"/individuals/{world.individual.pk}/"),
        ("GET", f"/reflection-period/{world.application.pk}/"),
        ("GET", f"/reflection-period/{world.application.pk}/ansokan-betanketid.pdf"),
        ("POST", f"/outreach/referrals/{world.other_referral.pk}/withdraw/"),
    ]:
        response = request_and_undo(worker, method, url)
        assert response.status_code == 404, url
        page = response.content.decode()
        assert SECRETS["journal"] not in page
        assert world.case.number not in page
    world.draft_entry.refresh_from_db()
    assert world.draft_entry.signed_at is None


def _reverse(key: str, kwargs: dict[str, int]) -> str:
    from django.urls import reverse

    return reverse(key, kwargs=kwargs)
