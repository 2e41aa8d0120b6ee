"""Indexes for a national installation (100,000 individuals, 120,000 cases): see bench/RESULTS.md.

- Trigram (pg_trgm) GIN indexes for the case search, which matches parts of the case number and
  of the individual's reference, alias, given and family name, case-insensitively (Django's
  `icontains`: `UPPER(column) LIKE UPPER('%text%')`, hence indexes on `UPPER(column)`).
  PostgreSQL only, and outside the model state: SQLite (the demo) has neither the extension nor
  GIN, and a GIN index in Meta.indexes would be recreated, and fail, whenever a migration
  rebuilds the table on SQLite. On SQLite every operation here but the two B-tree indexes is a
  no-op.
- B-tree indexes in Meta.indexes: open cases by number (the list's default view and its count)
  and cases by last activity (the list's sort); purposes by purpose (the list's filter).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

TRIGRAM_INDEXES = [
    ("casework_case_number_trgm", "casework_case", "number"),
    ("casework_individual_reference_trgm", "casework_individual", "reference"),
    ("casework_individual_alias_trgm", "casework_individual", "alias"),
    ("casework_individual_given_name_trgm", "casework_individual", "given_name"),
    ("casework_individual_family_name_trgm", "casework_individual", "family_name"),
]


class TrigramExtensionOnPostgres(TrigramExtension):
    """pg_trgm on PostgreSQL; nothing on SQLite (Django guards only the forward step). Going
    back leaves the extension installed: harmless, and other indexes may come to use it."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("casework", "0003_history"),
    ]

    operations = [
        TrigramExtensionOnPostgres(),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("closed_on__isnull", True)),
                fields=["-year", "-sequence"],
                name="case_open_number_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["-last_activity_at", "-id"], name="case_activity_idx"),
        ),
        migrations.AddIndex(
            model_name="casepurpose",
            index=models.Index(fields=["purpose", "case"], name="case_purpose_filter_idx"),
        ),
    ]
