"""Reflection period: applications to Migrationsverket for a temporary residence permit under
5 kap. 15 § utlänningslagen (2005:716), their decisions, permit periods, next steps, the
deadlines they create and the reminders sent about them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from casework.models import Case, Offence, Purpose, Sex
from core.dates import plausible_dates, validate_past_work_date, validate_planned_work_date

# The dates a user enters on an application (each within core.dates' bounds).
APPLICATION_DATES = (
    "submitted_on",
    "decided_on",
    "withdrawn_on",
    "valid_from",
    "valid_to",
    "cost_responsibility_on",
    "next_step_on",
)

# The 30-day permit: valid_to defaults to valid_from + 29 days (both days included).
PERMIT_DAYS = 30


class Applicant(models.TextChoices):
    """Who applies. Since 1 August 2022 the social welfare committee may apply (through the
    unit's coordinators) without any criminal investigation having started."""

    SOCIAL_SERVICES = "social_services", _("Social welfare committee (through a coordinator)")
    POLICE = "police", _("Police (head of the preliminary investigation)")
    PROSECUTOR = "prosecutor", _("Prosecutor (head of the preliminary investigation)")


class LegalBasis(models.TextChoices):
    REFLECTION_PERIOD = "ch5_s15_p2", _("30-day reflection period (5 kap. 15 § andra stycket UtlL)")
    LONG_TERM = "ch5_s15_p1", _("Permit of at least six months (5 kap. 15 § första stycket UtlL)")
    EXTENSION = "extension", _("Extension of the 30-day permit")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting decision")
    GRANTED = "granted", _("Granted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


DECIDED = [Status.GRANTED, Status.REJECTED]
OPEN = [Status.DRAFT, Status.SUBMITTED]


class NextStep(models.TextChoices):
    """What happens after the reflection period."""

    POLICE_REPORT = "police_report", _("Police report filed")
    LONG_TERM_PERMIT = "long_term_permit", _("Permit of at least six months applied for")
    EXTENSION = "extension", _("Extension applied for")
    SAFE_RETURN = "safe_return", _("Safe return via IOM")
    LEFT_COUNTRY = "left_country", _("Left the country")
    OTHER = "other", pgettext_lazy("next step", "Other")
    UNKNOWN = "unknown", _("Unknown")


class DueKind(models.TextChoices):
    """What an application is waiting for; empty when nothing is due."""

    SUBMIT = "submit", _("Send the application")
    DECISION = "decision", _("Decision from Migrationsverket")
    NEXT_STEP = "next_step", _("Next step before the permit ends")


APPLICATION_OFFENCES = [Offence.TRAFFICKING, Offence.EXPLOITATION]


class ReflectionPeriodApplication(models.Model):
    """An application for a reflection-period (or longer) permit for the individual of a case."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="reflection_period_applications",
        verbose_name=_("case"),
    )
    applicant = models.CharField(
        _("applicant"), max_length=20, choices=Applicant.choices, default=Applicant.SOCIAL_SERVICES
    )
    applicant_contact = models.CharField(
        _("applicant's contact"),
        max_length=200,
        blank=True,
        help_text=_("For the police or a prosecutor: authority and head of investigation."),
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applying coordinator"),
    )
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=12,
        choices=LegalBasis.choices,
        default=LegalBasis.REFLECTION_PERIOD,
    )
    offence = models.CharField(
        _("suspected offence"),
        max_length=15,
        choices=[(value, value.label) for value in APPLICATION_OFFENCES],
    )
    circumstances = models.TextField(
        _("circumstances"),
        blank=True,
        help_text=_(
            "What the assessment rests on: how the person came to the unit, signs of "
            "trafficking or exploitation, why time for recovery is needed. Goes into the "
            "application to Migrationsverket."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_on = models.DateField(
        _("submitted on"), null=True, blank=True, validators=[validate_past_work_date]
    )
    # The person as they were when the application was sent, for the statistics: culling
    # personal data later (dates of birth become birth years) must not change a past report.
    person_sex = models.CharField(
        _("sex at submission"), max_length=10, choices=Sex.choices, blank=True, editable=False
    )
    person_age = models.PositiveSmallIntegerField(
        _("age at submission"), null=True, blank=True, editable=False
    )
    migration_agency_number = models.CharField(
        _("Migrationsverket's case number"), max_length=40, blank=True
    )
    decided_on = models.DateField(
        _("decided on"), null=True, blank=True, validators=[validate_past_work_date]
    )
    withdrawn_on = models.DateField(
        _("withdrawn on"), null=True, blank=True, validators=[validate_past_work_date]
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    valid_from = models.DateField(
        _("permit valid from"), null=True, blank=True, validators=[validate_planned_work_date]
    )
    valid_to = models.DateField(
        _("permit valid to"), null=True, blank=True, validators=[validate_planned_work_date]
    )
    cost_responsibility_on = models.DateField(
        _("cost responsibility passed to Migrationsverket on"),
        null=True,
        blank=True,
        validators=[validate_planned_work_date],
    )
    next_step = models.CharField(
        _("next step"), max_length=20, choices=NextStep.choices, blank=True
    )
    next_step_on = models.DateField(
        _("next step date"), null=True, blank=True, validators=[validate_past_work_date]
    )
    next_step_note = models.TextField(_("note on the next step"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Deadlines are data: recomputed by the services on every change, so any page (and the
    # reminder scan) finds what is due with one indexed query, with or without a worker.
    due_kind = models.CharField(_("due"), max_length=10, choices=DueKind.choices, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    overdue_on = models.DateField(_("overdue from"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The case's coordinator, for "my deadlines" on the board: written only by database
    # triggers on PostgreSQL (migration 0008), whenever an application is saved or a case
    # changes coordinator; what Django writes here is replaced. Through the cases, the board
    # hashed every case the coordinator ever had (13,000 for the busiest at national scale,
    # three times that at three times the scale) to find their few hundred open deadlines; by
    # this column they are one range of one index. On SQLite (the demo) it stays empty and
    # the board filters through the cases (reflection_period.selectors.board_queryset).
    case_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        editable=False,
        related_name="+",
    )

    # Who changed what, when, old -> new (shown on the object's page; culled with it).
    history = HistoricalRecords(excluded_fields=["version", "case_coordinator"])

    class Meta:
        verbose_name = _("reflection-period application")
        verbose_name_plural = _("reflection-period applications")
        ordering = ["-created_at"]
        constraints = [
            *(plausible_dates(f"rp_{field}_plausible", field) for field in APPLICATION_DATES),
            models.CheckConstraint(
                name="rp_decided_not_before_submitted",
                condition=Q(decided_on__isnull=True)
                | Q(submitted_on__isnull=True)
                | Q(decided_on__gte=F("submitted_on")),
                violation_error_message=_(
                    "The decision date cannot be before the application was submitted."
                ),
            ),
            models.CheckConstraint(
                name="rp_withdrawn_not_before_submitted",
                condition=Q(withdrawn_on__isnull=True)
                | Q(submitted_on__isnull=True)
                | Q(withdrawn_on__gte=F("submitted_on")),
                violation_error_message=_(
                    "An application cannot be withdrawn before it was submitted."
                ),
            ),
            models.CheckConstraint(
                name="rp_valid_to_not_before_valid_from",
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                violation_error_message=_("The permit cannot end before it starts."),
            ),
            models.CheckConstraint(
                name="rp_decision_has_date",
                condition=Q(status__in=DECIDED, decided_on__isnull=False)
                | (~Q(status__in=DECIDED) & Q(decided_on__isnull=True)),
                violation_error_message=_("A decision needs its date."),
            ),
            models.CheckConstraint(
                name="rp_submission_has_date",
                condition=Q(status=Status.DRAFT, submitted_on__isnull=True)
                | Q(status__in=[Status.SUBMITTED, *DECIDED], submitted_on__isnull=False)
                | Q(status=Status.WITHDRAWN),
                violation_error_message=_(
                    "A submitted application needs its submission date; a draft has none."
                ),
            ),
            models.CheckConstraint(
                name="rp_withdrawal_has_date",
                condition=Q(status=Status.WITHDRAWN, withdrawn_on__isnull=False)
                | (~Q(status=Status.WITHDRAWN) & Q(withdrawn_on__isnull=True)),
                violation_error_message=_("A withdrawal needs its date."),
            ),
            models.CheckConstraint(
                name="rp_permit_dates_when_granted",
                condition=Q(valid_from__isnull=True, valid_to__isnull=True)
                | Q(status=Status.GRANTED, valid_from__isnull=False, valid_to__isnull=False),
                violation_error_message=_(
                    "Permit dates belong to a granted application and need both the first and "
                    "the last day."
                ),
            ),
            models.CheckConstraint(
                name="rp_cost_responsibility_when_granted",
                condition=Q(cost_responsibility_on__isnull=True) | Q(status=Status.GRANTED),
                violation_error_message=_(
                    "Cost responsibility passes to Migrationsverket only with a granted permit."
                ),
            ),
            models.CheckConstraint(
                name="rp_next_step_has_date",
                condition=Q(next_step="", next_step_on__isnull=True)
                | (~Q(next_step="") & Q(next_step_on__isnull=False)),
                violation_error_message=_("A next step needs its date."),
            ),
            models.CheckConstraint(
                name="rp_next_step_after_decision",
                condition=Q(next_step="") | Q(status__in=DECIDED),
                violation_error_message=_(
                    "A next step is recorded once Migrationsverket has decided."
                ),
            ),
            models.CheckConstraint(
                name="rp_social_services_apply_for_30_days",
                condition=~Q(applicant=Applicant.SOCIAL_SERVICES)
                | Q(legal_basis=LegalBasis.REFLECTION_PERIOD),
                violation_error_message=_(
                    "The social welfare committee can only apply for the 30-day reflection "
                    "period. Longer permits and extensions are applied for by the head of the "
                    "preliminary investigation (police or prosecutor)."
                ),
            ),
            models.CheckConstraint(
                name="rp_offence_named",
                condition=Q(offence__in=APPLICATION_OFFENCES),
                violation_error_message=_(
                    "Choose the suspected offence: trafficking (BrB 4:1 a) or exploitation "
                    "(BrB 4:1 b)."
                ),
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=OPEN),
                name="rp_one_pending_per_case",
                violation_error_message=_(
                    "This case already has an application that is not yet decided or "
                    "withdrawn. Record its decision or withdraw it first."
                ),
            ),
        ]
        indexes = [
            # The reminder scan and the deadline board: what is due, by date.
            models.Index(fields=["due_kind", "due_on"], name="rp_due_idx"),
            # The deadline board: open deadlines soonest first (a small part of all applications),
            # with what "my deadlines" filters on, so neither the count nor the page reads the
            # table itself.
            models.Index(
                fields=["due_on", "id"],
                include=["case", "created_by", "status"],
                condition=~Q(due_kind=""),
                name="rp_board_idx",
            ),
            # The deadline board's "my deadlines": a coordinator's open deadlines, soonest first.
            models.Index(
                fields=["case_coordinator", "due_on", "id"],
                condition=~Q(due_kind=""),
                name="rp_board_mine_idx",
            ),
            # Managers' start page: overdue deadlines in the unit.
            models.Index(fields=["overdue_on"], name="rp_overdue_idx"),
            # Statistics: applications by applicant submitted in a period.
            models.Index(fields=["applicant", "submitted_on"], name="rp_submitted_idx"),
            # Statistics: granted applications decided in a period ("rights activated").
            models.Index(fields=["status", "decided_on"], name="rp_decided_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_legal_basis_display()} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_social_services(self) -> bool:
        return self.applicant == Applicant.SOCIAL_SERVICES


class ApplicationPurpose(models.Model):
    """A purpose of exploitation named in the application (statistics count by these)."""

    application = models.ForeignKey(
        ReflectionPeriodApplication, on_delete=models.CASCADE, related_name="purposes"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)

    class Meta:
        verbose_name = _("purpose in the application")
        verbose_name_plural = _("purposes in the application")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "purpose"],
                name="rp_purpose_unique",
                violation_error_message=_("This purpose is already in the application."),
            )
        ]
        indexes = [
            # Statistics: applications by purpose.
            models.Index(fields=["purpose", "application"], name="rp_purpose_idx"),
        ]

    def __str__(self) -> str:
        return str(self.get_purpose_display())


class EventKind(models.TextChoices):
    CREATED = "created", _("Application drafted")
    RECORDED = "recorded", _("Application recorded")
    EDITED = "edited", _("Application edited")
    SUBMITTED = "submitted", _("Application submitted to Migrationsverket")
    GRANTED = "granted", _("Permit granted")
    REJECTED = "rejected", _("Application rejected")
    PERMIT_CHANGED = "permit_changed", _("Permit dates recorded")
    NEXT_STEP = "next_step", _("Next step recorded")
    WITHDRAWN = "withdrawn", _("Application withdrawn")


class ApplicationEvent(models.Model):
    """What was done to an application, by whom and when: the case timeline shows these."""

    application = models.ForeignKey(
        ReflectionPeriodApplication, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=15, choices=EventKind.choices)
    on = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    # A granted permit's dates as they were at this event (facts, not a sentence: the page says
    # them in the reader's language).
    valid_from = models.DateField(_("permit valid from"), null=True, blank=True)
    valid_to = models.DateField(_("permit valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind} {self.on:%Y-%m-%d}"


class ReminderRule(models.TextChoices):
    DRAFT_FORGOTTEN = "draft_forgotten", _("Draft not sent")
    DECISION_PENDING = "decision_pending", _("No decision yet")
    DECISION_OVERDUE = "decision_overdue", _("Decision overdue")
    PERMIT_ENDING_FIRST = "permit_ending_first", _("Permit ending (first reminder)")
    PERMIT_ENDING_SECOND = "permit_ending_second", _("Permit ending (second reminder)")
    PERIOD_ENDED = "period_ended", _("Period ended without a next step")


# Reminders that also go to every manager.
ESCALATIONS = frozenset({ReminderRule.DECISION_OVERDUE, ReminderRule.PERIOD_ENDED})


class Reminder(models.Model):
    """One reminder about one rule of one application: created once, delivered once.

    The unique (application, rule) pair, also stored as `key`, is what makes the reminder scan
    exactly-once: a second scan, a second worker or a retry finds the row and does nothing.
    `key` is also the notification key, so delivering again never notifies twice.
    """

    application = models.ForeignKey(
        ReflectionPeriodApplication,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("application"),
    )
    rule = models.CharField(_("rule"), max_length=25, choices=ReminderRule.choices)
    key = models.CharField(_("key"), max_length=80, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reflection_period_reminders",
        verbose_name=_("recipient"),
    )
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "rule"],
                name="rp_reminder_once_per_rule",
                violation_error_message=_("This reminder was already created."),
            ),
            models.CheckConstraint(
                name="rp_reminder_acknowledged_after_sent",
                condition=Q(acknowledged_at__isnull=True) | Q(sent_at__isnull=False),
                violation_error_message=_("A reminder is acknowledged only after it was sent."),
            ),
        ]
        indexes = [
            # Delivery: reminders created but not yet sent (after a crash between the two).
            models.Index(
                fields=["created_at"], name="rp_reminder_unsent_idx", condition=Q(sent_at=None)
            ),
            # Start page: a person's unacknowledged reminders.
            models.Index(fields=["recipient", "acknowledged_at"], name="rp_reminder_inbox_idx"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def is_escalation(self) -> bool:
        return self.rule in ESCALATIONS

    @staticmethod
    def key_for(application_id: int, rule: str) -> str:
        return f"reflection_period:{application_id}:{rule}"
