"""Reads in a list told apart from openings of one record (`listed`), for the log review.

Rows written before get theirs here from the page that wrote them: the pages whose reads
`accounts.audit.access_log_write_many` writes (lists, start pages, searches, exports). The log
is append-only: on PostgreSQL its trigger (migration audit 0001) refuses every UPDATE, so the
trigger is switched off for this one statement, inside the migration's transaction, as in
accounts 0007 (only the table's owner, who runs migrations, may do that).
"""

from django.db import migrations, models

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


def backfill(apps, schema_editor):
    table = schema_editor.quote_name("accounts_accesslogentry")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {TRIGGER}")
    placeholders = ", ".join(["%s"] * len(LIST_PAGES))
    schema_editor.execute(
        f"UPDATE {table} SET listed = TRUE WHERE view_name IN ({placeholders})",  # noqa: S608
        params=LIST_PAGES,
    )
    if postgresql:
        schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
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
