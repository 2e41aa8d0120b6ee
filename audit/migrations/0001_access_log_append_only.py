"""The access log is append-only in the database too: on PostgreSQL a trigger refuses every
UPDATE and DELETE of a row of accounts_accesslogentry, whoever sends it (the ORM, raw SQL, a
psql session with the application's role). SQLite (the zero-install demo) gets no trigger.

TRUNCATE is not refused: a row trigger does not see it, and Django's test runner empties the
tables with TRUNCATE between transactional tests. In production the application's database
role should not own the table (an owner can drop the trigger); see docs/operations.md.
"""

from django.db import migrations

FUNCTION = "lotsa_access_log_append_only"
TRIGGER = "access_log_append_only"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("accounts", "AccessLogEntry")._meta.db_table)
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the access log is append-only: % refused on %', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$;
        """,
        params=None,  # no placeholders: the % in RAISE is PL/pgSQL's own
    )
    schema_editor.execute(
        f"""
        CREATE TRIGGER {TRIGGER}
            BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
        """
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("accounts", "AccessLogEntry")._meta.db_table)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table};")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}();")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_longer_object_type"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
