"""INSTALLED_APPS and MIDDLEWARE are each written once, as one literal list in order: the file
shows the order Django uses (no appends or inserts elsewhere that only a test could add up)."""

from __future__ import annotations

import ast

from django.conf import settings

from tests.helpers import ROOT

LISTS = ("INSTALLED_APPS", "MIDDLEWARE")


def _writes(path: str) -> dict[str, list[ast.AST]]:
    """Every statement of a settings module that assigns, extends or changes one of LISTS."""
    tree = ast.parse((ROOT / path).read_text())
    found: dict[str, list[ast.AST]] = {name: [] for name in LISTS}
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            targets = [node.func.value]
        for target in targets:
            if isinstance(target, ast.Name) and target.id in LISTS:
                found[target.id].append(node)
    return found


def test_each_list_is_one_literal_in_the_settings():
    writes = _writes("config/settings.py")
    for name in LISTS:
        assert len(writes[name]) == 1, f"{name} is changed after it is written"
        (only,) = writes[name]
        assert isinstance(only, ast.Assign)
        assert isinstance(only.value, ast.List)
        assert all(isinstance(item, ast.Constant) for item in only.value.elts)


def test_the_test_settings_keep_the_lists():
    writes = _writes("config/test_settings.py")
    assert writes == {name: [] for name in LISTS}


def test_the_literal_is_what_django_uses():
    tree = ast.parse((ROOT / "config/settings.py").read_text())
    literal = {
        node.targets[0].id: [item.value for item in node.value.elts]  # type: ignore[attr-defined]
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id in LISTS
    }
    assert literal["INSTALLED_APPS"] == settings.INSTALLED_APPS
    assert literal["MIDDLEWARE"] == settings.MIDDLEWARE
