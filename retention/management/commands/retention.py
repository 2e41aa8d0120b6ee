"""`python manage.py retention`: the dry run, proposals and confirmation from the command line."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from retention import services
from retention.models import RetentionRun
from retention.selectors import find_candidates


class Command(BaseCommand):
    help = (
        "Retention (gallring). Without options: a dry run that prints what is due and changes "
        "nothing. --propose makes a proposal for the managers; --list shows the runs; "
        "--confirm RUN_ID --user NAME culls a proposal as that manager."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--propose", action="store_true", help="Make a proposal.")
        group.add_argument("--list", action="store_true", help="List the runs.")
        group.add_argument("--confirm", type=int, metavar="RUN_ID", help="Cull a proposal.")
        parser.add_argument("--user", help="The confirming manager's user name (--confirm).")
        parser.add_argument(
            "--today", type=date.fromisoformat, help="Compute as on this day (YYYY-MM-DD)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today: date = options["today"] or timezone.localdate()
        try:
            if options["propose"]:
                run = services.run_propose(by=None, today=today)
                self.stdout.write(
                    f"Proposal {run.pk} (cutoff {run.cutoff}): {run.individuals_count} "
                    f"individuals in {run.cases_count} cases to cull, {run.kept_count} kept "
                    "for research. Nothing is culled before a manager confirms it."
                )
            elif options["list"]:
                for run in RetentionRun.objects.order_by("-proposed_at", "-pk"):
                    self.stdout.write(
                        f"{run.pk}\t{run.status}\t{run.today}\tcutoff {run.cutoff}\t"
                        f"{run.individuals_count} to cull\t{run.kept_count} kept\t"
                        f"{run.culled_individuals} culled"
                    )
            elif options["confirm"] is not None:
                self._confirm(options["confirm"], options["user"])
            else:
                self._dry_run(today)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

    def _dry_run(self, today: date) -> None:
        candidates = find_candidates(today=today)
        self.stdout.write(f"Dry run on {today}, cutoff {candidates.cutoff} (nothing changed):")
        for candidate in candidates.cull:
            self.stdout.write(
                f"  {candidate.reference}\t{', '.join(candidate.case_numbers)}\t"
                f"last activity {candidate.last_activity}"
            )
        cases = sum(len(c.case_numbers) for c in candidates.cull)
        self.stdout.write(
            f"{len(candidates.cull)} individuals in {cases} cases due; "
            f"{len(candidates.keep)} kept for research."
        )

    def _confirm(self, run_id: int, username: str | None) -> None:
        if not username:
            raise CommandError("--confirm needs --user with a manager's user name.")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        run = RetentionRun.objects.filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"No retention run {run_id}.")
        try:
            run = services.run_confirm(run=run, by=user)
        except PermissionDenied as error:
            raise CommandError("Only a manager can confirm a retention run.") from error
        self.stdout.write(
            f"Run {run.pk} confirmed: {run.culled_individuals} individuals culled, "
            f"{run.culled_journal_entries} journal entries, {run.skipped_count} no longer due."
        )
