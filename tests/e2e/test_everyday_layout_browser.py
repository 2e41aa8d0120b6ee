"""What a coordinator and a manager meet every day, in a real browser (issue 21, items 5, 6, 8
and 9): the navigation bar on one line at 1366 px, identifiers that never break across lines on
a 360 px phone, countries in Swedish order and sort options in the reader's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from tests.e2e.conftest import PHONE, check_accessibility, shot, sign_in
from tests.factories import TEST_PASSWORD, UserFactory
from tests.reflection_period_helpers import granted, open_case

LAPTOP = {"width": 1366, "height": 768}

# The lines the bar's items stand on (their distinct vertical centres, rounded): one line is one
# value. The bar's own height is measured too: a second line makes it about 40 px taller.
NAV_LINES = """() => {
  const nav = document.querySelector('#main-nav');
  const items = [...nav.querySelectorAll(':scope > .navbar-nav > li, :scope > div > *')]
    .filter((el) => el.getBoundingClientRect().width > 0);
  const centres = new Set(items.map((el) => {
    const r = el.getBoundingClientRect();
    return Math.round((r.top + r.bottom) / 2 / 8);
  }));
  return {lines: centres.size, items: items.length,
          height: document.querySelector('header nav').getBoundingClientRect().height};
}"""

# Every case number, reference and date in the page's text, with the number of lines it is
# laid out on (a Range's client rectangles on distinct lines). Found by their text, not by a
# class, so the measure holds whatever the markup.
IDENTIFIER_LINES = r"""() => {
  const pattern = /\b(?:\d{4}-\d{4}|IND-\d{6}|\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?)\b/g;
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const found = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || parent.closest('option, script, [hidden], .d-none') ||
        parent.getClientRects().length === 0) continue;
    for (const match of node.data.matchAll(pattern)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0)
        .map((r) => Math.round(r.top)));
      found.push({text: match[0], lines: tops.size});
    }
  }
  return found;
}"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "roles",
    [
        pytest.param([Role.MANAGER], id="manager"),
        pytest.param([Role.COORDINATOR, Role.OUTREACH, Role.MANAGER, Role.ADMIN], id="all-roles"),
    ],
)
def test_the_navigation_bar_is_one_line_at_1366_px(
    live_server, browser, artifacts, roles: list[Role]
):
    user = UserFactory.create(
        username="nav-" + "-".join(roles), first_name="Kristina", last_name="Lindqvist-Öhman",
        roles=roles,
    )  # fmt: skip
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    sign_in(page, live_server, user.username, TEST_PASSWORD)
    page.wait_for_load_state()
    measured = page.evaluate(NAV_LINES)
    shot(page, artifacts, "01-start-1366")
    assert measured["items"] >= 5
    assert measured["lines"] == 1, measured
    assert measured["height"] < 70, measured

    # The grouped pages are one click away, and the bar says where one is.
    nav = page.locator("nav")
    nav.get_by_role("button", name="Rapporter").click()
    nav.get_by_role("link", name="Statistik", exact=True).click()
    page.wait_for_url("**/reports/annual/")
    assert page.evaluate(NAV_LINES)["lines"] == 1
    nav.get_by_role("button", name="Granskning").click()
    shot(page, artifacts, "02-review-menu-open")
    check_accessibility(page, artifacts, "review-menu-open")
    nav.get_by_role("link", name="Logguppföljning").click()
    page.wait_for_url("**/accounts/log/")
    assert "active" in (nav.get_by_role("button", name="Granskning").get_attribute("class") or "")
    nav.get_by_role("button", name=str(user)).click()
    nav.get_by_role("link", name="Tvåstegsverifiering").click()
    page.wait_for_url("**/two-factor/**")
    context.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_identifiers_stay_on_one_line_on_a_phone(
    live_server, traced_phone_context, artifacts, coordinator
):
    today = timezone.localdate()
    cases = [
        open_case(
            coordinator,
            alias=f"Människoexploateringsärendet{n}",
            given_name="Maximiliana-Konstantina",
            family_name="Vasilopoulou-Andersson",
            opened_on=today - timedelta(days=40 + n),
        )
        for n in range(3)
    ]
    granted(
        cases[0],
        submitted_on=today - timedelta(days=30),
        valid_from=today - timedelta(days=25),
    )
    page = traced_phone_context.new_page()
    assert page.viewport_size == PHONE
    sign_in(page, live_server, coordinator.username, TEST_PASSWORD)
    for name, path in [
        ("01-case-list", "/cases/"),
        ("02-case-page", f"/cases/{cases[0].pk}/"),
        ("03-deadlines", "/reflection-period/deadlines/"),
        ("04-start", "/accounts/start/coordinator/"),
        ("05-referrals", "/outreach/referrals/"),
    ]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state()
        shot(page, artifacts, name)
        # Nothing kept on one line may push the page wider than the phone.
        wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wider <= 0, (name, wider)
        identifiers = page.evaluate(IDENTIFIER_LINES)
        assert len(identifiers) >= 2 or name == "05-referrals", (name, identifiers)
        broken = [found for found in identifiers if found["lines"] != 1]
        assert not broken, (name, broken)
    # Long words break at a syllable, with a hyphen, in Swedish.
    assert page.evaluate("document.documentElement.lang") == "sv"
    assert page.evaluate("getComputedStyle(document.body).hyphens") == "auto"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_countries_and_sort_options_read_in_the_readers_language(
    live_server, traced_context, artifacts, coordinator
):
    open_case(coordinator)
    page = traced_context.new_page()
    sign_in(page, live_server, coordinator.username, TEST_PASSWORD)

    page.goto(f"{live_server.url}/cases/new/")
    citizenship = page.get_by_label("Medborgarskap")
    options = citizenship.locator("option").all_inner_texts()
    shot(page, artifacts, "01-new-case")
    assert not any("──" in option for option in options)
    assert options[0] == "Ej angivet"  # the one empty choice says what it means
    assert options[1:3] == ["Okänt medborgarskap", "Statslös"]
    assert options[-3:] == ["Åland", "Österrike", "Östtimor"]
    assert options.index("Zimbabwe") < options.index("Åland")
    for swedish in ("Filippinerna", "Egypten", "Kanada", "Palestina", "Nordmakedonien"):
        assert swedish in options
    citizenship.select_option(label="Filippinerna")
    shot(page, artifacts, "02-citizenship-chosen")

    page.goto(f"{live_server.url}/cases/")
    sort = page.get_by_label("Sortera efter")
    swedish = sort.locator("option").all_inner_texts()
    assert "Senaste aktivitet" in swedish
    assert "Ärendenummer, fallande" in swedish
    assert not any("descending" in o or "Activity" in o for o in swedish)
    sort.select_option(label="Ärendenummer, fallande")
    shot(page, artifacts, "03-case-list-sort-swedish")

    page.get_by_role("button", name="English").click()
    # The language form posts and redirects; wait for the English page itself,
    # not the Swedish one still on screen while the answer is on its way.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    english = page.get_by_label("Sort by").locator("option").all_inner_texts()
    assert "Last activity" in english
    assert "Case number, descending" in english
    assert not any("Ärende" in o or "fallande" in o for o in english)
    shot(page, artifacts, "04-case-list-sort-english")
    page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    swedish_again = page.get_by_label("Sortera efter").locator("option").all_inner_texts()
    assert "Senaste aktivitet" in swedish_again
