"""Authorisations to see a protected identity (IdentityAuthorisation), and the ones in force
from the start.

Until now the coordinator of any of a protected person's cases saw their identity. From now on
seeing it takes an authorisation (managers excepted). So that nobody loses sight of a person
they work with without being told, every coordinator of one of a protected person's cases,
open or closed, gets an authorisation here (basis "introduced"): the people who could see the
identity before still can, and a manager reviews them on the person's page and revokes what is
no longer needed. Each gets a "created" version in the change history, by Lotsa (no user), so
the person's history shows it. Reversing deletes the table, and with it every authorisation.
"""

import django.db.models.deletion
from django.db.models import Q
from django.utils import timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def grant_current_coordinators(apps, schema_editor):
    Case = apps.get_model("casework", "Case")
    IdentityAuthorisation = apps.get_model("casework", "IdentityAuthorisation")
    HistoricalIdentityAuthorisation = apps.get_model(
        "casework", "HistoricalIdentityAuthorisation"
    )
    now = timezone.now()
    pairs = (
        Case.objects.filter(~Q(individual__protection="none"))
        .values_list("individual_id", "coordinator_id")
        .distinct()
        .order_by("individual_id", "coordinator_id")
    )
    created = IdentityAuthorisation.objects.bulk_create(
        IdentityAuthorisation(
            individual_id=individual_id,
            user_id=user_id,
            basis="introduced",
            granted_at=now,
        )
        for individual_id, user_id in pairs
    )
    HistoricalIdentityAuthorisation.objects.bulk_create(
        HistoricalIdentityAuthorisation(
            id=authorisation.pk,
            individual_id=authorisation.individual_id,
            user_id=authorisation.user_id,
            basis="introduced",
            reason="",
            granted_at=now,
            revoke_reason="",
            history_date=now,
            history_type="+",
        )
        for authorisation in created
    )


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0008_case_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalIdentityAuthorisation',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('basis', models.CharField(choices=[('granted', 'Granted by a manager'), ('registered', 'Responsible coordinator when the person was registered'), ('protection_set', 'Responsible coordinator of an open case when the protection was recorded'), ('introduced', "Responsible coordinator of one of the person's cases when authorisations began")], max_length=20, verbose_name='basis')),
                ('reason', models.TextField(blank=True, verbose_name='reason')),
                ('granted_at', models.DateTimeField(verbose_name='granted')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                ('revoke_reason', models.TextField(blank=True, verbose_name='reason for revoking')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('granted_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='granted by')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('individual', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='casework.individual', verbose_name='individual')),
                ('revoked_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='revoked by')),
                ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='authorised staff member')),
            ],
            options={
                'verbose_name': 'historical authorisation to see a protected identity',
                'verbose_name_plural': 'historical authorisations to see protected identities',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='IdentityAuthorisation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('basis', models.CharField(choices=[('granted', 'Granted by a manager'), ('registered', 'Responsible coordinator when the person was registered'), ('protection_set', 'Responsible coordinator of an open case when the protection was recorded'), ('introduced', "Responsible coordinator of one of the person's cases when authorisations began")], max_length=20, verbose_name='basis')),
                ('reason', models.TextField(blank=True, verbose_name='reason')),
                ('granted_at', models.DateTimeField(verbose_name='granted')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                ('revoke_reason', models.TextField(blank=True, verbose_name='reason for revoking')),
                ('granted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='granted by')),
                ('individual', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='identity_authorisations', to='casework.individual', verbose_name='individual')),
                ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='revoked by')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='identity_authorisations', to=settings.AUTH_USER_MODEL, verbose_name='authorised staff member')),
            ],
            options={
                'verbose_name': 'authorisation to see a protected identity',
                'verbose_name_plural': 'authorisations to see protected identities',
                'ordering': ['-granted_at'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('individual', 'user'), name='identity_authorisation_one_in_force', violation_error_message="This staff member is already authorised to see the person's identity."), models.CheckConstraint(condition=models.Q(models.Q(('basis', 'granted'), _negated=True), models.Q(('granted_by__isnull', False), models.Q(('reason', ''), _negated=True)), _connector='OR'), name='identity_authorisation_granted_needs_reason', violation_error_message='An authorisation a manager grants needs the manager and a reason.'), models.CheckConstraint(condition=models.Q(('revoked_at__isnull', True), models.Q(('revoked_by__isnull', False), models.Q(('revoke_reason', ''), _negated=True)), _connector='OR'), name='identity_authorisation_revoked_with_reason', violation_error_message='A revoked authorisation needs who revoked it and why.')],
            },
        ),
        migrations.RunPython(grant_current_coordinators, migrations.RunPython.noop, elidable=False),
    ]
