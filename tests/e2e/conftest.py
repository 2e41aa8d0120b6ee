"""Browser journeys: Playwright driving Debian's Chromium against a live Lotsa server.

Screenshots of the key pages go to test-artifacts/<test>/; a failing journey keeps its trace
(test-artifacts/<test>/trace.zip, open with `playwright show-trace`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from tests.conftest import DB_SNAPSHOTS
from tests.helpers import ROOT

# Playwright keeps an event loop in the main thread; Django's ORM must still run there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def playwright(playwright):  # extends pytest-playwright's fixture of the same name
    """Start Playwright, then hand the test-database snapshot to the new connection objects.

    Django's connections are context-local, and starting Playwright's sync API switches to a new
    context: from then on the ORM uses new connection objects that lack the snapshot of the
    migrated test database. Without it, transactional tests would start on an empty database
    (no roles, no reference data) once a browser test has run.
    """
    from django.db import connections

    for alias, contents in DB_SNAPSHOTS.items():
        # Django's test runner keeps the snapshot on this private attribute.
        connections[alias]._test_serialized_contents = contents  # type: ignore[attr-defined]
    return playwright


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    folder = ARTIFACTS / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def _traced(
    browser, artifacts: Path, request: pytest.FixtureRequest, name: str, **options: object
) -> Iterator:
    """A browser context that records a trace (test-artifacts/<test>/<name>.zip, kept only when
    the test failed) and fails the test on any Content-Security-Policy violation."""
    context = browser.new_context(locale="sv-SE", **options)
    context.tracing.start(screenshots=True, snapshots=True, sources=False)
    csp_violations: list[str] = []
    context.on(
        "console",
        lambda message: (
            csp_violations.append(f"{message.page.url if message.page else '?'}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield context
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        context.tracing.stop(path=str(artifacts / f"{name}.zip"))
    else:
        context.tracing.stop()
    context.close()
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)


@pytest.fixture
def traced_context(browser, artifacts: Path, request: pytest.FixtureRequest) -> Iterator:
    """A desktop browser context that records a trace; kept only when the test failed.

    Every Content-Security-Policy violation the browser reports on the pages a journey visits
    (Chromium writes each to the console) fails the journey.
    """
    yield from _traced(
        browser, artifacts, request, "trace", viewport={"width": 1280, "height": 900}
    )


@pytest.fixture
def traced_phone_context(browser, artifacts: Path, request: pytest.FixtureRequest) -> Iterator:
    """Like traced_context, on a 360 × 740 px touch phone (trace: phone-trace.zip)."""
    yield from _traced(
        browser, artifacts, request, "phone-trace", viewport=PHONE, is_mobile=True, has_touch=True
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def sign_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    # Playwright's click does not wait for the navigation it starts: without this, the
    # caller's next step (a goto, reading the page) could race the sign-in's own POST.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def check_accessibility(page, artifacts: Path, name: str) -> None:
    """Run axe-core in the page: no "serious" or "critical" WCAG 2.1 AA violation.

    axe is evaluated through the DevTools protocol: a <script> tag added to the page would be
    refused by Lotsa's Content-Security-Policy (no inline scripts).
    """
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    # Colours measured in the middle of a CSS transition (Bootstrap's buttons fade for 0.15 s
    # after a tap) are neither the old nor the new state: let every running transition end first.
    page.evaluate(
        "async () => { await Promise.all("
        "document.getAnimations().map((a) => a.finished.catch(() => null))); }"
    )
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        })"""
    )
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    (artifacts / f"axe-{name}.json").write_text(json.dumps(serious, indent=1, ensure_ascii=False))
    assert not serious, f"{name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in serious
    )


DESKTOP = {"width": 1280, "height": 900}


def check_everywhere(page, artifacts: Path, name: str) -> None:
    """axe on the page as it is shown now, then on the other kind of screen (a 360 px phone for
    a desktop page, a desktop for a phone page), then back: every page a journey visits is
    checked on both."""
    check_accessibility(page, artifacts, name)
    shown = page.viewport_size
    other = DESKTOP if shown and shown["width"] <= PHONE["width"] else PHONE
    page.set_viewport_size(other)
    try:
        check_accessibility(page, artifacts, f"{name}-{'desktop' if other is DESKTOP else 'phone'}")
    finally:
        page.set_viewport_size(shown)


def shot(page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
