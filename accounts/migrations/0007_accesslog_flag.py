"""The access log's flag ("not a responsible coordinator") stored on each row.

Until now the log review computed the flag on every view from the cases as they are now and
their change history, so a case opened or reassigned after a read could unflag it. From now on
the flag is decided when a row is written (accounts.audit). Rows written before get theirs here,
from the cases' change history as it stood at each read: the reader coordinated one of the
person's cases then (the latest version of that case recorded at or before the read names
them), or a case made before the read but without any version recorded at or before it (made
before the history was kept) has them as coordinator now. (The review used to count a case
made after the read too: that is how a later case unflagged an earlier read.)

The log is append-only: on PostgreSQL its trigger (migration audit 0001) refuses every UPDATE,
so the trigger is switched off for this one statement, inside the migration's transaction
(ALTER TABLE is transactional: a failure switches it back on with the rollback). Only the table's
owner, who runs migrations, may do that; the application's role may not.
"""

from django.db import migrations, models

TRIGGER = "access_log_append_only"  # audit/migrations/0001_access_log_append_only.py

# Reads by someone who was not a responsible coordinator then: every row concerning an
# individual whose reader fails both tests. Only those rows are written (the column's default
# is false), so an old log costs one pass and as many writes as it has flagged reads.
BACKFILL = """
UPDATE accounts_accesslogentry AS e SET flagged = TRUE
WHERE e.individual_id IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM casework_historicalcase AS h
    WHERE h.individual_id = e.individual_id
      AND h.coordinator_id = e.user_id
      AND h.history_date <= e.at
      AND h.history_type <> '-'
      AND NOT EXISTS (
        SELECT 1 FROM casework_historicalcase AS later
        WHERE later.id = h.id AND later.history_date > h.history_date
          AND later.history_date <= e.at
      )
  )
  AND NOT EXISTS (
    SELECT 1 FROM casework_case AS c
    WHERE c.individual_id = e.individual_id
      AND c.coordinator_id = e.user_id
      AND c.created_at <= e.at
      AND NOT EXISTS (
        SELECT 1 FROM casework_historicalcase AS recorded
        WHERE recorded.id = c.id AND recorded.history_date <= e.at
      )
  )
"""


def backfill(apps, schema_editor):
    table = schema_editor.quote_name("accounts_accesslogentry")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {TRIGGER}")
    schema_editor.execute(BACKFILL)
    if postgresql:
        schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_notification_email_delivery"),
        ("audit", "0001_access_log_append_only"),
        ("casework", "0003_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="accesslogentry",
            name="flagged",
            # A default in the database too: an INSERT that does not name the column (raw SQL,
            # a restore of an older dump) gets an unflagged row rather than an error.
            field=models.BooleanField(
                db_default=False,
                default=False,
                verbose_name="flagged: not a responsible coordinator",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        # After the backfill: one index build instead of an update per flagged row.
        migrations.AddIndex(
            model_name="accesslogentry",
            index=models.Index(
                condition=models.Q(("flagged", True)),
                fields=["-at"],
                name="accesslog_flagged_idx",
            ),
        ),
    ]
