"""Reset a staff member's two-factor sign-in from the command line and print their one-time
enrolment link: for the system administrator who lost their own phone (nobody else can reset
them in the admin). The link is printed once; give it to the person out of band."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from twofactor import services


class Command(BaseCommand):
    help = "Reset a staff member's two-factor sign-in and print their one-time enrolment link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No staff member has the user name {options['username']!r}.")
        reset = services.two_factor_reset(user=user, by=None)
        link = settings.LOTSA_BASE_URL.rstrip("/") + reverse(
            "twofactor:enrol_link", args=[reset.token]
        )
        until = timezone.localtime(reset.link_expires_at).strftime("%Y-%m-%d %H:%M")
        self.stdout.write(f"Removed {reset.devices_removed} device(s) of user id {user.pk}.")
        self.stdout.write(f"Enrolment link (works once, until {until}):\n{link}")
