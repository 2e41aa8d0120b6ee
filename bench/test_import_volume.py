"""Time and queries to dry-run and to import 5,000 rows (bench/RESULTS.md, "Import of past
records"): not part of the test suite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lotsa_bench \
        .venv/bin/python -m pytest bench/test_import_volume.py -s -p no:cacheprovider

LOTSA_BENCH_IMPORT_ROWS sets the number of rows (default 5,000).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from django.db import connection

from accounts.roles import Role
from casework.models import Case
from importing.reading import read_rows
from importing.services import import_records
from tests.factories import UserFactory
from tests.import_helpers import csv_bytes, table

ROWS = int(os.environ.get("LOTSA_BENCH_IMPORT_ROWS", "5000"))


def volume_rows(count: int = ROWS) -> list[dict[str, object]]:
    """Rows as a unit's old records would give them: one case in ten with a granted
    application."""
    rows: list[dict[str, object]] = []
    for n in range(count):
        row: dict[str, object] = {
            "external_reference": f"VOL-{n:05d}",
            "alias": f"Person {n}",
            "birth_year": 1960 + n % 40,
            "sex": "Kvinna" if n % 3 else "Man",
            "category": "Vuxet brottsoffer",
            "opened_on": f"{2021 + n % 4}-{1 + n % 12:02d}-{1 + n % 27:02d}",
            "coordinator": "karin",
            "origin": "Polisen",
            "offence": "Människohandel",
            "purposes": "Sexuella ändamål",
            "support": "Information om rättigheter",
        }
        if n % 10 == 0:  # one case in ten with a granted application
            year, month, day = str(row["opened_on"]).split("-")
            row.update(
                submitted_on=f"{year}-{month}-{int(day) + 1:02d}",
                decision="Beviljad",
                decided_on=f"{year}-{month}-{int(day) + 1:02d}",
                valid_from=f"{year}-{month}-{int(day) + 1:02d}",
            )
        rows.append(row)
    return rows


def _load() -> str:
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


def test_dry_run_and_import_of_5000_rows(db: None) -> None:
    manager = UserFactory.create(username="maria", roles=[Role.MANAGER])
    UserFactory.create(username="karin", roles=[Role.COORDINATOR])
    data = csv_bytes(table(volume_rows()))
    started = time.perf_counter()
    rows = read_rows("volume.csv", data)
    read = time.perf_counter() - started
    queries = 0

    def count(execute: Callable[..., Any], *args: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(*args)

    timings: dict[str, tuple[float, int, str]] = {}
    for step, commit in (("dry run", False), ("import", True)):
        queries = 0
        load_before = _load()
        started = time.perf_counter()
        with connection.execute_wrapper(count):
            report = import_records(rows=rows, by=manager, commit=commit, file_sha256="2" * 64)
        timings[step] = (time.perf_counter() - started, queries, f"{load_before} → {_load()}")
        assert not report.has_errors, [r for r in report.rows if r.errors][:2]
        assert Case.objects.count() == (ROWS if commit else 0)
    print(f"\n{ROWS} rows ({len(data) / 1e6:.1f} MB CSV): read {read:.1f} s")
    for step, (seconds, asked, load) in timings.items():
        print(
            f"{step}: {seconds:.1f} s ({seconds / ROWS * 1000:.0f} ms/row), "
            f"{asked} queries ({asked / ROWS:.1f}/row), load average {load}"
        )
