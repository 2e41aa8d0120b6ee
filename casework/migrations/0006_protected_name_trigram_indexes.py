"""Trigram indexes on the names of protected people only (PostgreSQL; nothing on SQLite).

A coordinator's search looks for protected people's names separately (only their own cases
may match, casework.selectors.case_search_filter). Through the indexes on every name,
PostgreSQL found the 46 protected people called Horvath by reading all 2,328 Horvaths' rows
(bench/RESULTS.md). These partial indexes hold only protected people (2 %).
Outside the model state, like the other trigram indexes (migration 0004 says why).
"""

from django.db import migrations

PROTECTED_NAME_INDEXES = [
    ("casework_individual_protected_given_name_trgm", "given_name"),
    ("casework_individual_protected_family_name_trgm", "family_name"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in PROTECTED_NAME_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "casework_individual" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops) '
            "WHERE \"protection\" <> 'none'"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in PROTECTED_NAME_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0005_case_coordinator_ids_index"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
