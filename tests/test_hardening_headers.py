"""Security headers on every response, pages that the Content-Security-Policy does not break (no
inline script or style anywhere), and the production settings that protect the transport."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from tests.hardening_helpers import (
    ALLOWED,
    SECRETS,
    all_routes,
    build_world,
    expectation_for,
    request_and_undo,
)
from tests.helpers import PRODUCTION, ROOT, run_python

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@pytest.fixture
def static_client(settings):
    """A client whose WhiteNoise serves static files from the source folders (as in DEBUG)."""
    from django.test import Client

    settings.WHITENOISE_USE_FINDERS = True
    return Client()


def test_every_kind_of_response_carries_the_security_headers(
    client, static_client, coordinator, manager
):
    static = static_client.get("/static/js/lotsa.js")
    assert static.status_code == 200
    world_free = {
        "sign-in page": client.get(reverse("accounts:login")),
        "not found": client.get("/no-such-page/"),
        "static file": static,
        "health check": client.get(reverse("healthz")),
    }
    client.force_login(coordinator)
    signed_in = {
        "start page": client.get(reverse("home:start_coordinator")),
        "case list (htmx)": client.post(
            reverse("casework:case_list"), {"q": "x"}, HTTP_HX_REQUEST="true"
        ),
        "csv": client.post(reverse("casework:case_export"), {"status": ""}),
        "forbidden": client.get(reverse("reporting:report")),
    }
    for name, response in {**world_free, **signed_in}.items():
        for header, value in SECURITY_HEADERS.items():
            if header == "X-Frame-Options" and name == "static file":
                continue  # a script is not framed; WhiteNoise answers before Django's middleware
            assert response.get(header) == value, (name, header, response.get(header))
        assert "camera=()" in response["Permissions-Policy"], name
        assert "geolocation=()" in response["Permissions-Policy"], name


def test_pages_are_never_kept_in_the_browser_cache_static_files_are(
    client, static_client, coordinator
):
    client.force_login(coordinator)
    for url in [reverse("home:start_coordinator"), reverse("casework:case_list")]:
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control
        assert "private" in cache_control
    static = static_client.get("/static/js/lotsa.js")
    assert static.status_code == 200
    assert "no-store" not in static["Cache-Control"]


def test_htmx_is_configured_for_the_policy_and_keeps_no_page_copies(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("home:start_coordinator")).content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page)
    assert match, "htmx-config meta missing"
    config = json.loads(match.group(1))
    assert config["includeIndicatorStyles"] is False  # htmx would inject a <style>
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["historyCacheSize"] == 0  # no copies of pages in the browser's storage
    assert page.index("htmx-config") < page.index("htmx-2")  # read before htmx starts


class _Inline(HTMLParser):
    """Finds what the policy forbids: inline scripts, event handler and style attributes,
    <style> elements, javascript: links, scripts from elsewhere; and collects the <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.title = ""
        self._in_title = False
        self._script_without_src = False
        self._form_method = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...>")
            if name in ("href", "hx-get") and re.search(r"[?&]q=", value or ""):
                self.problems.append(f"search text in an address: <{tag} {name}={value}>")
        if tag == "style":
            self.problems.append("<style>")
        if tag == "script":
            src = names.get("src") or ""
            if not src:
                self._script_without_src = True
            elif not src.startswith("/") or src.startswith("//"):
                self.problems.append(f"<script src={src}>")
        if tag == "form":
            self._form_method = (names.get("method") or "get").lower()
        if tag == "input" and names.get("name") == "q" and self._form_method == "get":
            self.problems.append("search text in a form sent with GET")
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._script_without_src and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]}")
        self._script_without_src = False
        if self._in_title:
            self.title += data


@pytest.mark.parametrize("role", ["coordinator", "outreach", "manager", "admin"])
def test_no_page_has_inline_script_or_style_or_names_in_its_title(db, role):
    """Every page the role may open (every GET URL pattern, as in the audit), rendered."""
    world = build_world()
    user = world.users[role]
    checked, problems = 0, []
    for route in all_routes():
        expected = expectation_for(route)
        assert expected is not None
        if expected.method != "GET" or expected.outcomes[role] != ALLOWED:
            continue
        url = expected.url(route.key, world)
        response = request_and_undo(user, "GET", url, follow=True)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        parser = _Inline()
        parser.feed(response.content.decode())
        checked += 1
        found = parser.problems
        if url.startswith("/admin/"):
            # The admin's search (staff, reference data) holds no data about the people the
            # unit works with: Django's GET search stays.
            found = [problem for problem in found if "search text" not in problem]
        problems += [f"{url}: {problem}" for problem in found]
        # A page's title stays in the browser's history: never a name.
        problems += [
            f"{url}: title names {key}" for key, text in SECRETS.items() if text in parser.title
        ]
    assert checked >= 10
    assert not problems, "\n".join(problems)


def test_no_template_has_inline_script_or_style():
    """The templates themselves (also those no test renders), except the PDF templates, which
    WeasyPrint reads and no browser ever gets."""
    templates = [
        path
        for folder in [ROOT / "templates", *ROOT.glob("*/templates")]
        for path in Path(folder).rglob("*.html")
        if "/pdf/" not in str(path)
    ]
    assert len(templates) > 50
    problems = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern, what in [
            (r"<script(?![^>]*\ssrc=)[^>]*>", "inline <script>"),
            (r"\son[a-z]+\s*=", "event handler attribute"),
            (r"\sstyle\s*=", "style attribute"),
            (r"<style", "<style> element"),
            (r"javascript:", "javascript: URL"),
            (r"hx-on", "hx-on (needs eval)"),
        ]:
            if re.search(pattern, text):
                problems.append(f"{path.relative_to(ROOT)}: {what}")
    assert not problems, "\n".join(problems)


SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'ssl': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, "
    "'sub': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, 'preload': s.SECURE_HSTS_PRELOAD, "
    "'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE, "
    "'csrf_httponly': s.CSRF_COOKIE_HTTPONLY, 'session_httponly': s.SESSION_COOKIE_HTTPONLY, "
    "'frame': s.X_FRAME_OPTIONS, 'csp': s.LOTSA_CONTENT_SECURITY_POLICY, "
    "'cache': s.CACHES['default']['BACKEND'], 'search': s.LOTSA_SEARCH_RATE_LIMIT, "
    "'login': s.LOTSA_LOGIN_RATE_LIMIT, "
    "'middleware': s.MIDDLEWARE}))"
)


def _production(**env: str) -> dict:
    result = run_python(SHOW, **PRODUCTION, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_protect_the_transport_and_cookies():
    values = _production()
    assert values["ssl"] is True
    assert values["hsts"] == 31_536_000
    assert values["sub"] is True
    assert values["preload"] is True
    assert values["session_secure"] is True
    assert values["csrf_secure"] is True
    assert values["csrf_httponly"] is True
    assert values["session_httponly"] is True
    assert values["frame"] == "DENY"
    assert values["csp"] == CSP
    middleware = values["middleware"]
    assert middleware[0] == "django.middleware.security.SecurityMiddleware"
    assert middleware[1] == "core.middleware.SecurityHeadersMiddleware"
    assert middleware[-1] == "axes.middleware.AxesMiddleware"


def test_the_cache_and_the_limits_come_from_the_environment():
    defaults = _production()
    assert defaults["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert (defaults["search"], defaults["login"]) == (30, 30)
    configured = _production(
        CACHE_URL="redis://redis:6379/1", LOTSA_SEARCH_RATE_LIMIT="10", LOTSA_LOGIN_RATE_LIMIT="0"
    )
    assert configured["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert (configured["search"], configured["login"]) == (10, 0)
    assert (
        "report-uri https://csp.example.se/r"
        in _production(LOTSA_CSP_REPORT_URI="https://csp.example.se/r")["csp"]
    )


def test_a_negative_limit_refuses_to_start():
    result = run_python("import django; django.setup()", **PRODUCTION, LOTSA_SEARCH_RATE_LIMIT="-1")
    assert result.returncode != 0
    assert "LOTSA_SEARCH_RATE_LIMIT" in result.stderr
