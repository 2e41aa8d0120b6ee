"""The case search's own table (casework.models.CaseSearch), kept by triggers on PostgreSQL.

- Triggers on casework_case (insert, update, delete) and casework_individual (a change of
  reference, alias, names or protection) write the case's row. They are the only writers: every
  way a case or a person changes (forms, services, QuerySet.update() in anonymisation, COPY in
  the benchmark's generator) passes through them. A protected person's names are written blank.
- Trigram (pg_trgm) GIN indexes on what a search matches, as migration 0004 has on the cases
  and individuals.
- The rows of existing cases are written once here.

PostgreSQL only. On SQLite (the demo) the table stays empty and the search reads the cases: a
trigger there would be dropped silently whenever a later migration rebuilds casework_case.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SEARCH_COLUMNS = ["number", "reference", "alias", "given_name", "family_name"]



def _visible(person: str, column: str) -> str:
    """The person's `column` (a name), blank if they are protected: the one place of the rule.
    'none' is Protection.NONE's value."""
    return f"CASE WHEN {person}.protection = 'none' THEN {person}.{column} ELSE '' END"


CASE_ROW = f"""
    SELECT c.id, c.number, c.year, c.sequence, c.category, c.opened_on, c.closed_on,
           c.last_activity_at, c.coordinator_id, i.reference, i.alias,
           {_visible("i", "given_name")}, {_visible("i", "family_name")}
    FROM casework_case c JOIN casework_individual i ON i.id = c.individual_id
"""
INSERT = """
    INSERT INTO casework_casesearch (case_id, number, year, sequence, category, opened_on,
        closed_on, last_activity_at, coordinator_id, reference, alias, given_name, family_name)
"""

# Room on each page for a row's new version: an update that changes no indexed column (a case's
# last activity, its closing, its coordinator) then stays on its page without new index entries
# (a HOT update). Without it every such update added entries to the five trigram indexes'
# pending lists, which every search reads until the next VACUUM.
CREATE = f"""
ALTER TABLE casework_casesearch SET (fillfactor = 90);

CREATE FUNCTION casework_casesearch_from_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM casework_casesearch WHERE case_id = OLD.id;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.individual_id = NEW.individual_id THEN
        -- The person's columns belong to the individual's trigger. Written here, from this
        -- statement's snapshot, they could put back names that a concurrent transaction has
        -- just blanked (protection set) once it commits.
        UPDATE casework_casesearch SET
            number = NEW.number, year = NEW.year, sequence = NEW.sequence,
            category = NEW.category, opened_on = NEW.opened_on, closed_on = NEW.closed_on,
            last_activity_at = NEW.last_activity_at, coordinator_id = NEW.coordinator_id
        WHERE case_id = NEW.id;
        RETURN NULL;
    END IF;
    -- A new case, or a case moved to another person: their row is read under a share lock.
    -- A concurrent change of their names or protection has then either committed (the next
    -- statement sees it) or waits for this transaction (and its trigger then sees this case).
    PERFORM 1 FROM casework_individual WHERE id = NEW.individual_id FOR SHARE;
    {INSERT} {CASE_ROW} WHERE c.id = NEW.id
    ON CONFLICT (case_id) DO UPDATE SET
        number = EXCLUDED.number, year = EXCLUDED.year, sequence = EXCLUDED.sequence,
        category = EXCLUDED.category, opened_on = EXCLUDED.opened_on,
        closed_on = EXCLUDED.closed_on, last_activity_at = EXCLUDED.last_activity_at,
        coordinator_id = EXCLUDED.coordinator_id, reference = EXCLUDED.reference,
        alias = EXCLUDED.alias, given_name = EXCLUDED.given_name,
        family_name = EXCLUDED.family_name;
    RETURN NULL;
END $$;

CREATE TRIGGER casework_casesearch_from_case
    AFTER INSERT OR DELETE OR UPDATE OF number, year, sequence, individual_id, category,
        opened_on, closed_on, last_activity_at, coordinator_id
    ON casework_case FOR EACH ROW EXECUTE FUNCTION casework_casesearch_from_case();

CREATE FUNCTION casework_casesearch_from_individual() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE casework_casesearch s SET
        reference = NEW.reference,
        alias = NEW.alias,
        given_name = {_visible("NEW", "given_name")},
        family_name = {_visible("NEW", "family_name")}
    FROM casework_case c
    WHERE c.individual_id = NEW.id AND s.case_id = c.id;
    RETURN NULL;
END $$;

CREATE TRIGGER casework_casesearch_from_individual
    AFTER UPDATE OF reference, alias, given_name, family_name, protection
    ON casework_individual FOR EACH ROW
    WHEN ((OLD.reference, OLD.alias, OLD.given_name, OLD.family_name, OLD.protection)
          IS DISTINCT FROM
          (NEW.reference, NEW.alias, NEW.given_name, NEW.family_name, NEW.protection))
    EXECUTE FUNCTION casework_casesearch_from_individual();

{INSERT} {CASE_ROW};
"""

DROP = """
DROP TRIGGER IF EXISTS casework_casesearch_from_individual ON casework_individual;
DROP FUNCTION IF EXISTS casework_casesearch_from_individual();
DROP TRIGGER IF EXISTS casework_casesearch_from_case ON casework_case;
DROP FUNCTION IF EXISTS casework_casesearch_from_case();
"""


def create_triggers_and_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE)
    for column in SEARCH_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX "casework_casesearch_{column}_trgm" ON "casework_casesearch" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop_triggers(apps, schema_editor):
    # The indexes go with the table (the migration's CreateModel, reversed after this).
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0007_open_cases_by_activity_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseSearch",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="casework.case",
                    ),
                ),
                ("number", models.CharField(max_length=12)),
                ("year", models.PositiveSmallIntegerField()),
                ("sequence", models.PositiveIntegerField()),
                ("category", models.CharField(max_length=10)),
                ("opened_on", models.DateField()),
                ("closed_on", models.DateField(null=True)),
                ("last_activity_at", models.DateTimeField()),
                ("reference", models.CharField(max_length=12)),
                ("alias", models.CharField(max_length=100)),
                (
                    "given_name",
                    models.CharField(
                        max_length=100
                    ),
                ),
                (
                    "family_name",
                    models.CharField(
                        max_length=100
                    ),
                ),
                (
                    "coordinator",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-year", "-sequence"],
                "default_permissions": (),
            },
        ),
        migrations.RunPython(create_triggers_and_indexes, drop_triggers, elidable=False),
    ]
