"""Writes of the retention app: propose a run, cancel it, confirm it (which culls).

Culling is the one place where Lotsa changes other apps' tables without going through their
services, on purpose: their services refuse exactly what culling must do (a signed journal entry
is never edited, `journal_entry_update` refuses it). There is no database guard on those tables
(only the access log has a trigger), so the cull writes with `QuerySet.update()`, which neither
calls `save()` nor writes change history, in one transaction with the run's record. It bumps
the `version` of every versioned row it touches, so an edit form opened before the cull is
refused instead of writing the old data back.

What is removed: names, alias, ID number, phone, notes and the date of birth (kept as the birth
year) of the individual; journal texts (replaced by a marker with the date); free-text notes of
cases, case events, support measures, consents, organisation links, reflection-period
applications and their events (with Migrationsverket's case number and the applicant's contact);
alias, description and notes of the outreach contacts referred into the cases, and the texts of
their referrals. The cases' documents lose their title and their wrapped key in the cull's
transaction (no one can decrypt the file from then on), and their stored files are deleted, and
verified gone, as soon as it commits (`manage.py documents_sweep` retries any that failed). The
same fields are blanked in django-simple-history's tables, which hold a copy
of every earlier version. What the statistics count stays: sex, birth year, citizenship,
languages, categories, every date and status, offences, purposes, support types, organisations,
the snapshots of sex and age on applications. The access log is not touched: it holds ids only.
"""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import notify
from accounts.roles import Role, has_role
from casework import services as casework_services
from documents import services as document_services
from outreach import services as outreach_services
from reflection_period import services as reflection_services
from retention.models import RetentionItem, RetentionRun
from retention.notifications import RUN_PROPOSED
from retention.selectors import Candidates, find_candidates

logger = logging.getLogger(__name__)


def _require_manager(user: User) -> None:
    if not has_role(user, Role.MANAGER):
        raise PermissionDenied


@transaction.atomic
def run_propose(
    *, by: User | None, today: date | None = None, notify_managers: bool = True
) -> RetentionRun:
    """Make a new proposal (a dry-run list) for `today`; culls nothing.

    `by` None is Lotsa's monthly run. A proposal still waiting is replaced (cancelled), so the
    managers only ever confirm the latest list. Managers are notified when the list is not empty.
    """
    if by is not None:
        _require_manager(by)
    today = today or timezone.localdate()
    now = timezone.now()
    # Two proposals at once (the monthly task and a manager): the lock makes the second wait,
    # then replace the first; the unique constraint catches the case where none existed before.
    RetentionRun.objects.select_for_update().filter(status=RetentionRun.Status.PROPOSED).update(
        status=RetentionRun.Status.CANCELLED, cancelled_at=now
    )
    candidates = find_candidates(today=today)
    run = RetentionRun(
        proposed_by=by,
        today=today,
        cutoff=candidates.cutoff,
        retention_years=candidates.years,
        keep_birth_days=",".join(str(day) for day in candidates.keep_birth_days),
        individuals_count=len(candidates.cull),
        cases_count=sum(len(c.case_numbers) for c in candidates.cull),
        kept_count=len(candidates.keep),
    )
    run.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError as error:
        raise ValidationError(
            _("Another retention proposal was made at the same moment.")
        ) from error
    _save_items(run, candidates)
    logger.info(
        "retention run %s proposed: %s to cull, %s kept, cutoff %s",
        run.pk,
        run.individuals_count,
        run.kept_count,
        run.cutoff,
    )
    if notify_managers and run.individuals_count:
        notify(
            recipients=User.objects.filter(groups__name=Role.MANAGER, is_active=True),
            key=f"retention-run-{run.pk}",
            kind=RUN_PROPOSED,
            params={"count": run.individuals_count},
            url=reverse("retention:run_detail", kwargs={"pk": run.pk}),
        )
    return run


def _save_items(run: RetentionRun, candidates: Candidates) -> None:
    listed = [(RetentionItem.Decision.CULL, c) for c in candidates.cull]
    listed += [(RetentionItem.Decision.KEEP, c) for c in candidates.keep]
    RetentionItem.objects.bulk_create(
        RetentionItem(
            run=run,
            individual_id=candidate.individual_id,
            reference=candidate.reference,
            case_numbers=", ".join(candidate.case_numbers)[:500],
            last_activity=candidate.last_activity,
            decision=decision,
        )
        for decision, candidate in listed
    )


def _lock_proposed(run: RetentionRun) -> RetentionRun:
    # Two managers confirming (or one confirming, one cancelling) the same run at once: the
    # second waits for the first and then finds the run no longer proposed.
    locked = RetentionRun.objects.select_for_update().get(pk=run.pk)
    if not locked.is_proposed:
        raise ValidationError(
            _("This retention run is no longer waiting for confirmation."), code="not_proposed"
        )
    return locked


@transaction.atomic
def run_cancel(*, run: RetentionRun, by: User) -> RetentionRun:
    """Cancel a proposal: nothing is culled."""
    _require_manager(by)
    locked = _lock_proposed(run)
    locked.status = RetentionRun.Status.CANCELLED
    locked.cancelled_by = by
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["status", "cancelled_by", "cancelled_at"])
    logger.info("retention run %s cancelled by user %s", locked.pk, by.pk)
    return locked


@transaction.atomic
def run_confirm(*, run: RetentionRun, by: User) -> RetentionRun:
    """A manager confirms a proposal: cull the listed individuals that are still due.

    An individual is culled only if still due under the run's cutoff now (a case reopened or
    a journal entry written since the proposal takes them off the list: "skipped").
    """
    _require_manager(by)
    locked = _lock_proposed(run)
    still_due = {
        c.individual_id
        for c in find_candidates(
            today=locked.today,
            years=locked.retention_years,
            keep_birth_days=_days(locked.keep_birth_days),
        ).cull
    }
    listed = set(
        locked.items.filter(decision=RetentionItem.Decision.CULL).values_list(
            "individual_id", flat=True
        )
    )
    to_cull = sorted(listed & still_due)
    skipped = listed - still_due
    now = timezone.now()
    entries = individuals_cull(individual_ids=to_cull, on=timezone.localdate())
    locked.items.filter(individual_id__in=to_cull).update(decision=RetentionItem.Decision.CULLED)
    locked.items.filter(individual_id__in=skipped).update(decision=RetentionItem.Decision.SKIPPED)
    locked.status = RetentionRun.Status.DONE
    locked.confirmed_by = by
    locked.confirmed_at = now
    locked.culled_individuals = len(to_cull)
    locked.culled_journal_entries = entries
    locked.skipped_count = len(skipped)
    locked.save(
        update_fields=[
            "status",
            "confirmed_by",
            "confirmed_at",
            "culled_individuals",
            "culled_journal_entries",
            "skipped_count",
        ]
    )
    logger.info(
        "retention run %s confirmed by user %s: %s individuals culled, %s skipped",
        locked.pk,
        by.pk,
        len(to_cull),
        len(skipped),
    )
    return locked


def _days(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def culled_marker(on: date) -> str:
    """What a culled text reads, in the installation's language: "[Gallrad 2026-11-28]"."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("[Culled %(date)s]") % {"date": on.isoformat()}


def individuals_cull(*, individual_ids: list[int], on: date) -> int:
    """Remove the personal data of these individuals, their cases and the outreach contacts
    referred into them, in the live tables and in the change history. Returns the number of
    journal entries culled. Call inside a transaction (run_confirm)."""
    if not individual_ids:
        return 0
    marker = culled_marker(on)
    now = timezone.now()
    case_ids, entries = casework_services.personal_data_cull(
        individual_ids=individual_ids, marker=marker, now=now
    )
    reflection_services.application_texts_cull(case_ids=case_ids, now=now)
    outreach_services.referred_contacts_cull(case_ids=case_ids, now=now)
    # The cases' documents: titles and keys now, the stored files once this commits.
    document_services.documents_cull(case_ids=case_ids, now=now, marker=marker)
    return entries
