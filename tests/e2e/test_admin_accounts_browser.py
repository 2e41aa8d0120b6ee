"""A system administrator creates an account: the roles are checkboxes with their Swedish names,
no password is invented; the page after saving shows a one-time link, with which the new person
chooses a password and signs in. The link then no longer works. The list of staff members shows
whether each account is active and has two-factor sign-in, whole, on a 1366 px laptop screen."""

from __future__ import annotations

import re

import pytest

from accounts.models import AccessAction, AccessLogEntry, User
from accounts.roles import Role, user_roles
from tests.e2e.conftest import check_accessibility, shot, sign_in
from tests.factories import TEST_PASSWORD, UserFactory

LAPTOP = {"width": 1366, "height": 768}
NEW_PASSWORD = "ett-eget-langt-losenord-42"


def _column_inside_the_viewport(page, header: str) -> None:
    """The column headed `header`, its heading and every cell, is wholly visible: inside the
    window and inside every box around it that clips (the admin's table scrolls sideways in
    its own box, so a cut column is still inside the window)."""
    cells = page.evaluate(
        """(header) => {
            const table = document.querySelector("#result_list");
            const headers = Array.from(table.querySelectorAll("thead th"));
            const index = headers.findIndex((th) => th.textContent.trim() === header);
            if (index < 0) return null;
            const cells = [headers[index], ...Array.from(table.querySelectorAll("tbody tr"))
                .map((tr) => tr.children[index])];
            return cells.map((cell) => {
                const box = cell.getBoundingClientRect();
                let left = 0, right = document.documentElement.clientWidth;
                for (let box = cell.parentElement; box; box = box.parentElement) {
                    if (getComputedStyle(box).overflowX !== "visible") {
                        const clip = box.getBoundingClientRect();
                        left = Math.max(left, clip.left);
                        right = Math.min(right, clip.right);
                    }
                }
                return {left: box.left, right: box.right, visible: [left, right]};
            });
        }""",
        header,
    )
    assert cells, f"no column headed {header!r}"
    for cell in cells:
        left, right = cell["visible"]
        assert left - 0.5 <= cell["left"] < cell["right"] <= right + 0.5, (header, cell)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_administrator_creates_an_account_and_the_person_sets_a_password(
    live_server, browser, traced_context, artifacts, admin_user, manager, settings
):
    settings.LOTSA_BASE_URL = live_server.url
    for n in range(3):
        UserFactory.create(
            username=f"koordinator{n}",
            first_name="Anna-Karin",
            last_name="Lindqvist-Johansson",
            roles=[Role.COORDINATOR, Role.OUTREACH, Role.MANAGER],
        )
    traced_context.set_default_timeout(15_000)
    page = traced_context.new_page()
    page.set_viewport_size(LAPTOP)
    sign_in(page, live_server, "ali", TEST_PASSWORD)
    page.goto(f"{live_server.url}/admin/accounts/user/")

    # The list at 1366 px: whether each account is active and has two-factor sign-in, whole.
    page.locator("#result_list").wait_for()
    shot(page, artifacts, "01-list")
    _column_inside_the_viewport(page, "Aktiv")
    _column_inside_the_viewport(page, "Tvåsteg")

    # The form: the roles are checkboxes named in Swedish; no password fields.
    page.goto(f"{live_server.url}/admin/accounts/user/add/")
    page.get_by_label("Användarnamn").fill("nyanstalld")
    page.get_by_label("Förnamn").fill("Nora")
    page.get_by_label("Efternamn").fill("Ny")
    page.get_by_label("E-postadress").fill("nora@lotsa.invalid")
    assert page.locator("input[type=password]").count() == 0
    assert page.locator("select[multiple]").count() == 0
    page.get_by_role("checkbox", name="Regionkoordinator").check()
    page.get_by_role("checkbox", name="Uppsökare").check()
    shot(page, artifacts, "02-add")
    page.get_by_role("button", name="Spara").click()

    # The link, shown once.
    link = page.locator("#password-link").inner_text().strip()
    assert link.startswith(f"{live_server.url}/accounts/password/")
    shot(page, artifacts, "03-link")
    created = User.objects.get(username="nyanstalld")
    assert not created.has_usable_password()
    assert user_roles(created) == {Role.COORDINATOR, Role.OUTREACH}
    # The roles given are logged, as every role change is.
    assert AccessLogEntry.objects.filter(
        action=AccessAction.ROLES, user=admin_user, object_id=str(created.pk)
    ).exists()

    # The new person, in a browser of their own: opens the link, chooses a password, signs in.
    newcomer = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    try:
        person = newcomer.new_page()
        person.goto(link)
        person.get_by_role("heading", name="Välj ditt lösenord").wait_for()
        person.locator("input[name=new_password1]").wait_for()
        check_accessibility(person, artifacts, "password")
        # The labels end in the required field's asterisk ("Nytt lösenord*").
        person.get_by_label(re.compile(r"^\s*Nytt lösenord")).fill(NEW_PASSWORD)
        person.get_by_label(re.compile(r"^\s*Bekräfta nytt lösenord")).fill(NEW_PASSWORD)
        shot(person, artifacts, "04-password")
        person.get_by_role("button", name="Spara lösenordet").click()
        person.get_by_text("Ditt lösenord är sparat.").wait_for()
        sign_in(person, live_server, "nyanstalld", NEW_PASSWORD)
        person.get_by_role("button", name="Logga ut").wait_for()
        shot(person, artifacts, "05-signed-in")
        created.refresh_from_db()
        assert created.check_password(NEW_PASSWORD)

        # Used once: the same link no longer works.
        person.goto(link)
        person.get_by_text("Länken fungerar inte").wait_for()
        assert person.locator("input[type=password]").count() == 0
        shot(person, artifacts, "06-link-used")
    finally:
        newcomer.close()
