import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """The time of an access-log row from a default instead of auto_now_add, so that the rows of
    one list read keep the time they were given (bulk_create's auto_now_add gave each its own).
    Set in Python either way, so the table does not change (on SQLite, altering the field would
    copy the whole log into a new table)."""

    dependencies = [
        ("accounts", "0011_accesslog_listed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="accesslogentry",
                    name="at",
                    field=models.DateTimeField(
                        db_index=True,
                        default=django.utils.timezone.now,
                        editable=False,
                        verbose_name="when",
                    ),
                ),
            ],
        ),
    ]
