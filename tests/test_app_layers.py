"""The apps import only from the layers below them (pyproject.toml [tool.importlinter], docs
DESIGN §5), and an import inside a function says why it is not at the top of its module."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.helpers import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _apps() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return list(config["tool"]["importlinter"]["root_packages"])


def test_every_app_is_in_the_contract():
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "bench", "scripts"}
    }
    assert packages == set(_apps())


def test_the_layers_contract_is_kept():
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _commented(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or above it or above the block of imports it is in."""
    if "#" in lines[lineno - 1]:
        return True
    for text in (line.strip() for line in reversed(lines[: lineno - 1])):
        if text.startswith("#"):
            return True
        code = text.split("#")[0].strip()
        if not (code.startswith(("from ", "import ", ")")) or code.endswith((",", "("))):
            return False
    return False


def _function_level_imports(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[int] = []
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            found += [
                node.lineno
                for node in ast.walk(function)
                if isinstance(node, ast.Import | ast.ImportFrom)
            ]
    return sorted(set(found))


def test_an_import_inside_a_function_says_why():
    silent = []
    for app in _apps():
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            lines = path.read_text().splitlines()
            silent += [
                f"{path.relative_to(ROOT)}:{lineno}"
                for lineno in _function_level_imports(path)
                if not _commented(lines, lineno)
            ]
    assert not silent, "Import at the top of the module, or comment why not:\n" + "\n".join(silent)


def test_the_checks_find_what_they_look_for(tmp_path):
    """The import check itself: a silent import inside a function is found, a commented one
    and one at the top of the module are not."""
    module = tmp_path / "example.py"
    module.write_text(
        "import os\n\n\ndef silent():\n    import json\n\n\n"
        "def explained():\n    # weasyprint is slow to load\n    import weasyprint\n"
    )
    lines = module.read_text().splitlines()
    flagged = [n for n in _function_level_imports(module) if not _commented(lines, n)]
    assert flagged == [5]
