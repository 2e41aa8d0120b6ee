"""Fill the database with invented demo data. Safe to run again: it adds only what is missing.

Never on a production database: the demo adds invented people and cases among the real ones and
staff accounts with printed passwords for every role. It runs only with DEBUG on (the demo,
`make run`) or with `--i-know-this-is-not-production` (a test or training installation that runs
with production settings).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings

from accounts import demo as accounts_demo
from casework import demo as casework_demo
from outreach import demo as outreach_demo
from reflection_period import demo as reflection_period_demo
from reporting import demo as reporting_demo


class Command(BaseCommand):
    help = "Create demo staff accounts (one per role) and demo data. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give the demo accounts new passwords and print them.",
        )
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="Add the demo data although DEBUG is off (never on a production database).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["not_production"]:
            raise CommandError(
                "Refusing to add demo data: DEBUG is off, so this may be a production database "
                "(demo data adds invented people and accounts with known passwords). Run it "
                "with DEBUG=true, or add --i-know-this-is-not-production if this database is "
                "a test or training copy. Nothing was changed."
            )
        # The demo's notifications (a referral waiting, a reminder due) appear in the bell; their
        # e-mails would only flood the console of `make run`.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            credentials = accounts_demo.seed(reset_passwords=options["reset_passwords"])
            cases = casework_demo.seed()
            applications = reflection_period_demo.seed()
            contacts = outreach_demo.seed()
            trainings = reporting_demo.seed()
        if credentials:
            self.stdout.write(self.style.SUCCESS("Demo accounts (shown only this once):"))
            for username, password, role in credentials:
                self.stdout.write(f"  {role:<24} user: {username:<14} password: {password}")
            self.stdout.write(
                "Lost them? Run `python manage.py seed_demo --reset-passwords` for new ones."
            )
        else:
            self.stdout.write("Demo accounts already exist (use --reset-passwords for new ones).")
        if cases:
            self.stdout.write(f"Demo cases created: {cases}")
        if contacts:
            self.stdout.write(f"Demo outreach contacts created: {contacts}")
        if trainings:
            self.stdout.write(f"Demo trainings created: {trainings}")
        if applications:
            self.stdout.write(f"Demo reflection-period applications created: {applications}")
