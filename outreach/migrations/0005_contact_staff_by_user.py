from django.db import migrations

# An outreach worker's contacts are found by the staff present at them: the list's condition
# reads the (user, contact) pairs of one user. With an index on the user alone PostgreSQL read
# each pair's table row too (2,545 pages, 20-50 ms per page of the list at national scale); on
# (user, contact) it reads the index only. The many-to-many table is Django's own, so the index
# is created here rather than in a model's Meta.
INDEX = "outreach_contact_staff_user_contact_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0004_plausible_dates"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON outreach_outreachcontact_staff (user_id, outreachcontact_id)",
            f"DROP INDEX {INDEX}",
        ),
    ]
