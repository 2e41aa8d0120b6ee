"""The documentation stays inside the repository and its links lead somewhere.

README.md is short and points into docs/; every relative link in the README, docs/ and
bench/RESULTS.md must name a file of the repository (and, for `file.md#a-heading`, a heading that
file has); no link may leave the repository; and every docs/ file that code, configuration or
documentation names must exist.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.helpers import ROOT

DOCS = sorted([ROOT / "README.md", ROOT / "bench" / "RESULTS.md", *(ROOT / "docs").glob("*.md")])
# Links to Lotsa itself running locally (`make run`) are not links out of the repository.
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

_FENCE = re.compile(r"^```.*?^```", re.M | re.S)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_AUTOLINK = re.compile(r"<([a-z][a-z0-9+.-]*:[^>\s]+)>", re.I)


def _prose(text: str) -> str:
    """The text without code blocks and inline code, where brackets are not links."""
    return _CODE.sub("", _FENCE.sub("", text))


def links(text: str) -> list[str]:
    """The Markdown links and autolinks, and paths in inline code that climb out of the file's
    folder (`../shared/DESIGN.md` is a link a reader follows by hand)."""
    prose = _prose(text)
    climbing = re.findall(r"`(\.\./[^`\s]+)`", _FENCE.sub("", text))
    return _LINK.findall(prose) + _AUTOLINK.findall(prose) + climbing


def anchors(text: str) -> set[str]:
    """The fragment each heading gets on the repository's web view (GitHub's rule: lower case,
    punctuation dropped, spaces to hyphens, a repeated heading numbered)."""
    seen: dict[str, int] = {}
    found = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", _FENCE.sub("", text), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def broken_links(text: str, where: Path) -> list[str]:
    """What is wrong with each link of `text`, Markdown read from the file `where`."""
    problems = []
    for link in links(text):
        parts = urlsplit(link)
        if parts.scheme or link.startswith("//"):
            if parts.hostname not in LOCAL_HOSTS:
                problems.append(f"{link}: points outside the repository")
            continue
        target = (where.parent / unquote(parts.path)).resolve() if parts.path else where
        if not target.is_relative_to(ROOT.resolve()):
            problems.append(f"{link}: points outside the repository")
        elif not target.exists():
            problems.append(f"{link}: no such file")
        elif (
            parts.fragment
            and target.suffix == ".md"
            and unquote(parts.fragment) not in anchors(target.read_text(encoding="utf-8"))
        ):
            problems.append(f"{link}: no such heading in {target.name}")
    return problems


def test_the_documents_exist():
    names = {path.relative_to(ROOT).as_posix() for path in DOCS}
    for name in (
        "docs/user-guide.md",
        "docs/operations.md",
        "docs/development.md",
        "docs/design.md",
        "docs/style.md",
    ):
        assert name in names


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_link_leads_to_a_file_of_the_repository(path):
    assert broken_links(path.read_text(encoding="utf-8"), path) == []


def test_the_readme_is_short_and_points_into_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 60
    assert "make run" in readme
    assert "make test" in readme
    targets = {urlsplit(link).path for link in links(readme)}
    assert {"docs/user-guide.md", "docs/operations.md", "docs/development.md"} <= targets


def test_files_that_name_a_document_name_one_that_exists():
    named: dict[str, set[str]] = {}
    patterns = ("*.py", "*.md", "*.yml", "*.yaml", "*.toml", "*.sh", "Makefile", "Dockerfile")
    skip = {".venv", ".git", "var", "node_modules", "test-artifacts"}
    for pattern in patterns:
        for path in ROOT.rglob(pattern):
            if skip & set(path.relative_to(ROOT).parts):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for name in re.findall(r"\b(?:docs/[\w./-]+\.md|bench/RESULTS\.md)\b", text):
                named.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    assert "docs/operations.md" in named  # the search itself finds what it should
    missing = {name: sorted(by) for name, by in named.items() if not (ROOT / name).exists()}
    assert missing == {}


# The checks above must be able to fail: each kind of broken link is caught.


@pytest.mark.parametrize(
    ("markdown", "problem"),
    [
        ("[design](../../shared/DESIGN.md)", "points outside the repository"),
        ("[web](https://example.com/x)", "points outside the repository"),
        ("<https://example.com/>", "points outside the repository"),
        ("[gone](no-such-file.md)", "no such file"),
        ("[heading](operations.md#no-such-heading)", "no such heading"),
        ("See `../../shared/STYLE.md` for the style.", "points outside the repository"),
    ],
)
def test_a_broken_link_is_caught(markdown, problem):
    problems = broken_links(markdown, ROOT / "docs" / "probe.md")
    assert len(problems) == 1
    assert problem in problems[0]


def test_links_that_work_and_code_are_not_caught():
    text = (
        "[ok](operations.md#backup-and-restore) [top](../README.md) <http://127.0.0.1:8000>\n"
        "```\n[code](../x.md)\n```\n`[inline](../y.md)`\n"
    )
    assert broken_links(text, ROOT / "docs" / "probe.md") == []
