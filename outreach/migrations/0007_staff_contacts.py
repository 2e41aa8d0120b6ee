"""The outreach workers' own contacts (outreach.models.StaffContact), kept by triggers on
PostgreSQL, for counting them.

- Triggers on outreach_outreachcontact (insert, update, delete) and on the staff present
  (outreach_outreachcontact_staff: insert, update, delete) write the rows: one per contact and
  staff member who logged it or was present, with what the contact list filters by. They are the
  only writers: every way a contact changes (forms, QuerySet.update(), the retention cull, COPY
  in the benchmark's generator) passes through them.
- The rows of existing contacts are written once here.

PostgreSQL only. On SQLite (the demo) the table stays empty and counts read the contacts: a
trigger there would be dropped silently whenever a later migration rebuilds the contact table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

COLUMNS = "contact_id, user_id, contacted_at, environment, district_id, age_group"
# The contact's columns for one staff member: `contact` is a row of outreach_outreachcontact.
VALUES = "{contact}.id, {user}, {contact}.contacted_at, {contact}.environment, "
VALUES += "{contact}.district_id, {contact}.age_group"

CREATE = f"""
CREATE FUNCTION outreach_staffcontact_from_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM outreach_staffcontact WHERE contact_id = OLD.id;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        UPDATE outreach_staffcontact SET
            contacted_at = NEW.contacted_at, environment = NEW.environment,
            district_id = NEW.district_id, age_group = NEW.age_group
        WHERE contact_id = NEW.id;
        IF OLD.created_by_id IS NOT DISTINCT FROM NEW.created_by_id THEN
            RETURN NULL;
        END IF;
        -- Another worker logged it: the one before keeps their row only if present.
        DELETE FROM outreach_staffcontact
        WHERE contact_id = OLD.id AND user_id = OLD.created_by_id
          AND NOT EXISTS (SELECT 1 FROM outreach_outreachcontact_staff
                          WHERE outreachcontact_id = OLD.id AND user_id = OLD.created_by_id);
    END IF;
    INSERT INTO outreach_staffcontact ({COLUMNS})
    VALUES ({VALUES.format(contact="NEW", user="NEW.created_by_id")})
    ON CONFLICT (contact_id, user_id) DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER outreach_staffcontact_from_contact
    AFTER INSERT OR DELETE OR UPDATE OF contacted_at, environment, district_id, age_group,
        created_by_id
    ON outreach_outreachcontact FOR EACH ROW EXECUTE FUNCTION outreach_staffcontact_from_contact();

CREATE FUNCTION outreach_staffcontact_from_staff() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        -- The one who logged the contact keeps their row.
        DELETE FROM outreach_staffcontact s
        WHERE s.contact_id = OLD.outreachcontact_id AND s.user_id = OLD.user_id
          AND NOT EXISTS (SELECT 1 FROM outreach_outreachcontact c
                          WHERE c.id = OLD.outreachcontact_id AND c.created_by_id = OLD.user_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        -- The contact is read under a share lock: a concurrent change of its columns has then
        -- either committed (the next statement sees it) or waits for this transaction (and its
        -- trigger then updates this row too).
        PERFORM 1 FROM outreach_outreachcontact WHERE id = NEW.outreachcontact_id FOR SHARE;
        INSERT INTO outreach_staffcontact ({COLUMNS})
        SELECT {VALUES.format(contact="c", user="NEW.user_id")}
        FROM outreach_outreachcontact c WHERE c.id = NEW.outreachcontact_id
        ON CONFLICT (contact_id, user_id) DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER outreach_staffcontact_from_staff
    AFTER INSERT OR DELETE OR UPDATE ON outreach_outreachcontact_staff
    FOR EACH ROW EXECUTE FUNCTION outreach_staffcontact_from_staff();

INSERT INTO outreach_staffcontact ({COLUMNS})
SELECT {VALUES.format(contact="c", user="c.created_by_id")} FROM outreach_outreachcontact c
UNION
SELECT {VALUES.format(contact="c", user="s.user_id")}
FROM outreach_outreachcontact_staff s JOIN outreach_outreachcontact c ON c.id = s.outreachcontact_id;
"""

DROP = """
DROP TRIGGER IF EXISTS outreach_staffcontact_from_staff ON outreach_outreachcontact_staff;
DROP FUNCTION IF EXISTS outreach_staffcontact_from_staff();
DROP TRIGGER IF EXISTS outreach_staffcontact_from_contact ON outreach_outreachcontact;
DROP FUNCTION IF EXISTS outreach_staffcontact_from_contact();
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
        ("outreach", "0006_countries_in_swedish_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StaffContact",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("contacted_at", models.DateTimeField()),
                ("environment", models.CharField(max_length=20)),
                ("age_group", models.CharField(max_length=10)),
                (
                    "contact",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="outreach.outreachcontact",
                    ),
                ),
                (
                    "district",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="outreach.district",
                    ),
                ),
                (
                    "user",
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
                "default_permissions": (),
                "indexes": [
                    models.Index(
                        fields=["user", "contacted_at"],
                        include=("environment", "district", "age_group"),
                        name="outreach_staffcontact_count",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("contact", "user"), name="outreach_staffcontact_once"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
