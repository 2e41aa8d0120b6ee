"""What an import asks the database per row (bench/RESULTS.md, "Import of past records"): the
services' constraints are checked by their saves, not by a query each beforehand, and what
the whole file needs is read once."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services as casework
from casework.models import Case, Category
from importing.reading import read_rows
from importing.services import import_records
from tests.import_helpers import csv_bytes, table

ROWS = 20
# Measured: 47 per row for these rows (a new person, a case, a support measure; one in five
# with a granted application); 150 before the constraints were left to the saves and the
# forms' model checks to the services (bench/RESULTS.md, "Import of past records").
MAX_QUERIES_PER_ROW = 50


def _rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for n in range(ROWS):
        row: dict[str, object] = {
            "external_reference": f"Q-{n:03d}",
            "alias": f"Person {n}",
            "birth_year": 1970 + n,
            "sex": "Kvinna",
            "category": "Vuxet brottsoffer",
            "opened_on": f"2023-{1 + n % 12:02d}-{1 + n:02d}",
            "coordinator": "karin",
            "origin": "Polisen",
            "offence": "Människohandel",
            "purposes": "Sexuella ändamål",
            "support": "Information om rättigheter",
        }
        if n % 5 == 0:
            opened = str(row["opened_on"])
            later = opened[:-2] + f"{int(opened[-2:]) + 1:02d}"
            row.update(submitted_on=later, decision="Beviljad", decided_on=later, valid_from=later)
        rows.append(row)
    return rows


@pytest.mark.parametrize("commit", [False, True], ids=["dry run", "import"])
def test_a_row_costs_a_few_dozen_queries(db, manager, coordinator, commit):
    rows = read_rows("q.csv", csv_bytes(table(_rows())))
    with CaptureQueriesContext(connection) as queries:
        report = import_records(rows=rows, by=manager, commit=commit, file_sha256="4" * 64)
    assert not report.has_errors, [r.errors for r in report.rows if r.errors][:2]
    assert len(queries) <= MAX_QUERIES_PER_ROW * ROWS, len(queries) / ROWS
    assert Case.objects.count() == (ROWS if commit else 0)


def test_a_constraint_refused_by_the_save_says_which_in_swedish(db, coordinator):
    """The one-open-case rule is checked by the database when the case is saved; the service
    still answers with the constraint's message, and nothing of the refused case is kept."""
    case = casework.case_open_with_new_individual(
        by=coordinator,
        individual_fields={"alias": "Ada"},
        coordinator=coordinator,
        opened_on=date(2024, 1, 2),
        origin="police",
        category=Category.ADULT,
    )
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as error:
        casework.case_open(
            individual=case.individual,
            coordinator=coordinator,
            opened_on=date(2024, 2, 1),
            origin="police",
            by=coordinator,
            category=Category.ADULT,
        )
    assert error.value.messages == ["Individen har redan ett öppet ärende i denna kategori."]
    assert any('INSERT INTO "casework_case"' in q["sql"] for q in queries.captured_queries)
    assert list(Case.objects.values_list("number", flat=True)) == [case.number]
    # The number the refused case drew went back with it: the next case gets 2024-0002.
    other = casework.case_open(
        individual=case.individual,
        coordinator=coordinator,
        opened_on=date(2024, 2, 1),
        origin="police",
        by=coordinator,
        category=Category.RELATIVE,
    )
    assert other.number == "2024-0002"
