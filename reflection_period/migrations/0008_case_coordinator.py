"""The case's coordinator on each application (ReflectionPeriodApplication.case_coordinator),
kept by triggers on PostgreSQL, for the deadline board's "my deadlines".

- Before an application is inserted or updated, a trigger writes its case's coordinator into
  the row (whatever the statement wrote there). A new row (or one moved to another case) is
  not yet seen by a change of coordinator running at the same time, so the trigger reads the
  case under a share lock: that change has then either committed (the trigger reads the new
  coordinator) or waits for this transaction (and its own trigger then updates this row too).
  An update of an existing row needs no lock: a change of coordinator running at the same time
  updates the same row, after this transaction or before it (the trigger then reads its new
  coordinator), and no lock is held that two changes to applications of one case, each then
  touching the case, could wait for crosswise.
- After a case changes coordinator, a trigger writes the new one into the case's applications.
- The column of existing applications is written once here, before the triggers exist.

PostgreSQL only. On SQLite (the demo) the column stays empty and the board filters through the
cases: a trigger there would be dropped silently whenever a later migration rebuilds the table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

APPLICATION = "reflection_period_reflectionperiodapplication"

CREATE = f"""
UPDATE {APPLICATION} a SET case_coordinator_id = c.coordinator_id
FROM casework_case c WHERE c.id = a.case_id;

CREATE FUNCTION rp_application_case_coordinator() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.case_id IS DISTINCT FROM OLD.case_id THEN
        SELECT coordinator_id INTO NEW.case_coordinator_id
        FROM casework_case WHERE id = NEW.case_id FOR SHARE;
    ELSE
        SELECT coordinator_id INTO NEW.case_coordinator_id
        FROM casework_case WHERE id = NEW.case_id;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER rp_application_case_coordinator
    BEFORE INSERT OR UPDATE ON {APPLICATION}
    FOR EACH ROW EXECUTE FUNCTION rp_application_case_coordinator();

CREATE FUNCTION rp_case_coordinator_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {APPLICATION} SET case_coordinator_id = NEW.coordinator_id WHERE case_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER rp_case_coordinator_changed
    AFTER UPDATE OF coordinator_id ON casework_case
    FOR EACH ROW WHEN (OLD.coordinator_id IS DISTINCT FROM NEW.coordinator_id)
    EXECUTE FUNCTION rp_case_coordinator_changed();
"""

DROP = f"""
DROP TRIGGER IF EXISTS rp_case_coordinator_changed ON casework_case;
DROP FUNCTION IF EXISTS rp_case_coordinator_changed();
DROP TRIGGER IF EXISTS rp_application_case_coordinator ON {APPLICATION};
DROP FUNCTION IF EXISTS rp_application_case_coordinator();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0015_reassignment_facts"),
        ("reflection_period", "0007_permit_dates_on_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="reflectionperiodapplication",
            name="case_coordinator",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
        migrations.AddIndex(
            model_name="reflectionperiodapplication",
            index=models.Index(
                condition=models.Q(("due_kind", ""), _negated=True),
                fields=["case_coordinator", "due_on", "id"],
                name="rp_board_mine_idx",
            ),
        ),
    ]
