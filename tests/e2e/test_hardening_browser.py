"""Hardening in a real browser: every role's pages under the Content-Security-Policy (the
`traced_context` fixture fails a journey on any violation Chromium reports), a search that never
reaches the address bar, the rate limit's message where the results would be, and nothing left
to see with the back button after signing out."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from accounts.roles import Role
from tests.e2e.conftest import check_accessibility, shot, sign_in
from tests.factories import TEST_PASSWORD, CaseFactory, IndividualFactory, UserFactory

NAMES = ["Ylva Ekorrsdotter", "Yngve Ekorrsson"]


def _cases(coordinator) -> None:
    for number in range(28):
        CaseFactory.create(coordinator=coordinator, individual__alias=f"Alias {number:02d}")
    for name in NAMES:
        given, family = name.split()
        CaseFactory.create(
            coordinator=coordinator,
            individual=IndividualFactory.create(given_name=given, family_name=family),
        )


def _list_post(live_server):
    return lambda response: (
        response.url.startswith(f"{live_server.url}/cases/") and response.request.method == "POST"
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_search_for_a_name_never_reaches_the_address(
    live_server, traced_context, artifacts, coordinator
):
    _cases(coordinator)
    page = traced_context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, live_server, "karin", TEST_PASSWORD)
    page.get_by_role("link", name="Ärenden").first.click()
    page.get_by_role("heading", name="Ärenden").wait_for()
    # Every open case shows before the filter changes too: wait for the list's answer itself.
    with page.expect_response(_list_post(live_server)):
        page.get_by_label("Status").select_option("")
    page.get_by_text("30 ärenden").wait_for()
    with page.expect_response(_list_post(live_server)):
        page.get_by_role("button", name="Nästa").click()  # paging posts the filter form
    page.get_by_text("Sida 2 av 2").wait_for()
    assert page.url.endswith("page=2")
    page.get_by_label("Sök").press_sequentially("Ekorrs", delay=30)
    page.get_by_text("2 ärenden").wait_for()
    for name in NAMES:
        page.get_by_text(name).wait_for()
    shot(page, artifacts, "01-search")
    check_accessibility(page, artifacts, "search")
    assert "Ekorrs" not in page.url
    assert "page=" not in page.url  # the pushed address has the filters, not the old page
    assert not [url for url in requests if "Ekorrs" in url]
    assert page.evaluate("JSON.stringify(sessionStorage)").count("Ekorrs") == 0

    with page.expect_download() as download:
        page.get_by_role("button", name="Exportera CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert sorted(row[3] for row in rows[1:]) == sorted(NAMES)
    assert not [url for url in requests if "Ekorrs" in url]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_too_many_searches_show_the_limit_where_the_results_go(
    live_server, traced_context, artifacts, coordinator, settings
):
    settings.LOTSA_SEARCH_RATE_LIMIT = 2
    from django.core.cache import caches

    caches["default"].clear()
    _cases(coordinator)
    page = traced_context.new_page()
    sign_in(page, live_server, "karin", TEST_PASSWORD)
    page.goto(f"{live_server.url}/cases/")
    search = page.get_by_label("Sök")
    for text in ("Ekorrs", "Alias 0", "Alias 1"):
        search.fill("")
        search.press_sequentially(text, delay=10)
        search.press("Enter")
        page.wait_for_timeout(600)
    page.get_by_text("Du har sökt väldigt ofta på kort tid.").wait_for()
    shot(page, artifacts, "01-limited")
    caches["default"].clear()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_signing_out_leaves_nothing_behind_the_back_button(
    live_server, traced_context, coordinator
):
    _cases(coordinator)
    page = traced_context.new_page()
    sign_in(page, live_server, "karin", TEST_PASSWORD)
    page.goto(f"{live_server.url}/cases/?status=")
    page.get_by_text(NAMES[0]).wait_for()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    page.go_back()
    page.wait_for_load_state()
    assert NAMES[0] not in page.content()
    assert "/accounts/login/" in page.url


PAGES = {
    Role.MANAGER: [
        "/accounts/start/manager/",
        "/cases/?status=",
        "/reflection-period/deadlines/",
        "/outreach/contacts/",
        "/outreach/referrals/",
        "/reports/annual/",
        "/reports/trainings/",
        "/notifications/",
    ],
    Role.OUTREACH: ["/accounts/start/outreach/", "/outreach/contacts/", "/outreach/contacts/new/"],
    Role.ADMIN: [
        "/accounts/start/admin/",
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/casework/organisation/",
        "/admin/outreach/district/",
    ],
}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_roles_pages_run_under_the_policy(live_server, traced_context, coordinator):
    """Managers', outreach workers' and system administrators' pages, the admin included:
    the fixture fails the test on any Content-Security-Policy violation."""
    _cases(coordinator)
    for role, urls in PAGES.items():
        UserFactory.create(username=f"u-{role}", roles=[role])
        traced_context.clear_cookies()  # signed out: the next role signs in
        page = traced_context.new_page()
        sign_in(page, live_server, f"u-{role}", TEST_PASSWORD)
        page.wait_for_load_state()
        for url in urls:
            response = page.goto(live_server.url + url)
            assert response is not None
            assert response.status == 200, url
            page.wait_for_load_state("networkidle")
        page.close()
    user_page = traced_context.new_page()
    user_page.goto(live_server.url + "/admin/accounts/user/")
    # Bootstrap's and the admin's scripts ran (a blocked script would leave these undefined).
    assert user_page.evaluate("typeof window.django") != "undefined"
