"""Reads in a list told apart from openings of one record (`listed`), for the log review.

Rows written before get theirs here from the page that wrote them: the pages whose reads
`accounts.audit.access_log_write_many` writes (lists, start pages, searches, exports). The log
is append-only: on PostgreSQL its trigger (migration audit 0001) refuses every UPDATE, so the
trigger is switched off for each statement, inside its transaction, as in accounts 0007 (only
the table's owner, who runs migrations, may do that).

Not one transaction: ALTER TABLE locks the log against every INSERT until its transaction ends,
and every page a user opens writes the log. So the column is added and committed at once (a
constant default: no rewrite), and the old rows are marked BATCH ids at a time, each batch its
own short transaction (10 million rows: about 7 million marked).
"""

from django.db import migrations, models, transaction

TRIGGER = "access_log_append_only"  # audit/migrations/0001_access_log_append_only.py

# The pages that log only lists of objects (one row each). The pages that show one record and
# a list beside it (the case page's related persons, the referral page's candidate cases) keep
# `listed` false on their old rows: counted as openings of a record, the stricter reading.
LIST_PAGES = [
    "home:start_coordinator",
    "home:start_outreach",
    "home:start_manager",
    "accounts:start_coordinator",
    "accounts:start_outreach",
    "accounts:start_manager",
    "casework:case_list",
    "casework:case_export",
    "casework:case_create",
    "outreach:contact_list",
    "outreach:referral_list",
    "reflection_period:deadline_board",
    "national:htcds_download",
    "retention:run_detail",
]


BATCH = 200_000


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    table = schema_editor.quote_name("accounts_accesslogentry")
    postgresql = connection.vendor == "postgresql"
    placeholders = ", ".join(["%s"] * len(LIST_PAGES))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        (last,) = cursor.fetchone()
    for start in range(0, last, BATCH):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if postgresql:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {TRIGGER}")
            cursor.execute(
                f"UPDATE {table} SET listed = TRUE"  # noqa: S608
                f" WHERE id > %s AND id <= %s AND view_name IN ({placeholders})",
                [start, start + BATCH, *LIST_PAGES],
            )
            if postgresql:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("accounts", "0010_accesslog_import_action"),
        ("audit", "0001_access_log_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="accesslogentry",
            name="listed",
            field=models.BooleanField(db_default=False, default=False, verbose_name="read in a list"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        # After the backfill: one index build instead of an update per row.
        migrations.AddIndex(
            model_name="accesslogentry",
            index=models.Index(
                condition=models.Q(("flagged", True), ("listed", False)),
                fields=["-at"],
                name="accesslog_flagged_record_idx",
            ),
        ),
    ]
