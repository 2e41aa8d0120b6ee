"""The managers' retention and data-subject export pages in a real browser: reachable from the
menu and the individual's page, working, and without serious accessibility issues on a desktop
or a phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accounts.models import AccessAction, AccessLogEntry
from retention.models import RetentionRun
from tests.e2e.conftest import check_everywhere, shot, sign_in
from tests.factories import TEST_PASSWORD
from tests.reflection_period_helpers import open_case


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_proposes_retention_and_exports_a_persons_data(
    live_server, traced_context, artifacts, manager, coordinator
):
    case = open_case(coordinator, given_name="Ana", alias="Rosa")
    page = traced_context.new_page()
    sign_in(page, live_server, manager.username, TEST_PASSWORD)

    page.locator("nav").get_by_role("button", name="Granskning").click()
    page.get_by_role("link", name="Gallring").first.click()
    page.get_by_role("button", name="Gör ett nytt förslag").wait_for()
    check_everywhere(page, artifacts, "retention-list")
    shot(page, artifacts, "01-retention-list")
    page.get_by_role("button", name="Gör ett nytt förslag").click()
    # The proposal's own page, once the POST that made it has answered.
    page.wait_for_url(re.compile(r".*/retention/\d+/$"))
    run = RetentionRun.objects.get()
    assert page.url.endswith(f"/retention/{run.pk}/")
    check_everywhere(page, artifacts, "retention-run")
    shot(page, artifacts, "02-retention-run")

    page.goto(f"{live_server.url}/individuals/{case.individual_id}/")
    page.get_by_role("link", name="Registerutdrag (GDPR art. 15)").click()
    page.get_by_label("Skäl eller referens för begäran").wait_for()
    check_everywhere(page, artifacts, "subject-export")
    # Without the reference nothing is made, and the page says what is missing.
    page.get_by_role("button", name="Skapa filen").click()
    page.locator(".invalid-feedback, .is-invalid").first.wait_for()
    check_everywhere(page, artifacts, "subject-export-error")
    shot(page, artifacts, "03-subject-export-error")
    page.get_by_label("Skäl eller referens för begäran").fill("Dnr 2026-123")
    # Made in the background (here in process: no broker), then downloaded from its page.
    page.get_by_role("button", name="Skapa filen").click()
    page.get_by_role("heading", name="Registerutdrag").wait_for()
    check_everywhere(page, artifacts, "subject-export-ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ned").click()
    path = Path(download.value.path())
    assert download.value.suggested_filename.startswith(
        f"registerutdrag-{case.individual.reference}-"
    )
    assert path.read_bytes().startswith(b"%PDF")
    assert AccessLogEntry.objects.filter(
        user=manager, action=AccessAction.EXPORT, individual_id=case.individual_id
    ).exists()
