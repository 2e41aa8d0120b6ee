"""Queries per row of an import, by kind and by the code that asked (bench/RESULTS.md,
"Import of past records"): not part of the test suite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lotsa_bench \
        .venv/bin/python -m pytest bench/test_import_queries.py -s -p no:cacheprovider
"""

from __future__ import annotations

import re
import traceback
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import connection

from accounts.roles import Role
from bench.test_import_volume import volume_rows
from importing.reading import read_rows
from importing.services import import_records
from tests.factories import UserFactory
from tests.import_helpers import csv_bytes, table

ROWS = 100


def _shape(sql: str) -> str:
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r'"s\d+_x\d+"', "sN", sql)
    sql = re.sub(r"\b\d+\b", "N", sql)
    return sql[:140]


def _caller(sql: str) -> str:
    """The innermost frames of Lotsa's own code that led to the query, and its kind."""
    kind = "savepoint" if "SAVEPOINT" in sql else "check" if '"_check"' in sql else sql[:6]
    frames = [
        f"{frame.filename.split('/')[-2]}/{frame.name}"
        for frame in traceback.extract_stack()
        if "/work/" in frame.filename
        and "/.venv/" not in frame.filename
        and "bench/" not in frame.filename
    ]
    return f"{kind:9s} {' > '.join(frames[-3:])}"


def _counter(shapes: Counter[str], callers: Counter[str]) -> Callable[..., Any]:
    def count(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        shapes[_shape(sql)] += 1
        callers[_caller(sql)] += 1
        return execute(sql, *args)

    return count


def test_queries_per_row(db: None) -> None:
    manager = UserFactory.create(username="maria", roles=[Role.MANAGER])
    UserFactory.create(username="karin", roles=[Role.COORDINATOR])
    rows = read_rows("volume.csv", csv_bytes(table(volume_rows(ROWS))))
    for commit in (False, True):
        shapes: Counter[str] = Counter()
        callers: Counter[str] = Counter()
        with connection.execute_wrapper(_counter(shapes, callers)):
            report = import_records(rows=rows, by=manager, commit=commit, file_sha256="3" * 64)
        assert not report.has_errors
        total = sum(shapes.values())
        print(f"\ncommit={commit}: {total} queries, {total / ROWS:.1f} per row")
        for shape, number in shapes.most_common(40):
            print(f"{number:6d}  {shape}")
        print("by the project's code that asked:")
        for caller, number in callers.most_common(40):
            print(f"{number:6d}  {caller}")
