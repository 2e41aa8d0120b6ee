"""Casework: the people the unit works with, their cases, journals, support and partners."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from casework.codes import (
    RELATION_INVERSE,
    Industry,
    RelationKind,
    StatusDecidedBy,
    TraffickerRelationship,
    TraffickingStatus,
)
from casework.personal_number import format_personal_number
from core.countries import SwedishCountries
from core.dates import (
    EARLIEST_BIRTH_DATE,
    plausible_dates,
    validate_birth_date,
    validate_birth_year,
    validate_past_work_date,
    validate_planned_work_date,
)

# The change reason (django-simple-history) of the versions an import of past records wrote:
# the change history shows them as imported (audit.history).
IMPORTED_CHANGE_REASON = "imported"


class Sex(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Protection(models.TextChoices):
    """Protected personal data (skyddade personuppgifter), weakest to strongest."""

    NONE = "none", _("None")
    CONFIDENTIALITY_MARK = "confidentiality_mark", _("Confidentiality mark (sekretessmarkering)")
    PROTECTED_REGISTRATION = (
        "protected_registration",
        _("Protected population registration (skyddad folkbokföring)"),
    )
    FICTITIOUS_IDENTITY = (
        "fictitious_identity",
        _("Fictitious identity (fingerade personuppgifter)"),
    )


class Offence(models.TextChoices):
    TRAFFICKING = "trafficking", _("Trafficking in human beings (BrB 4:1 a)")
    EXPLOITATION = "exploitation", _("Exploitation of human beings (BrB 4:1 b)")
    UNCLEAR = "unclear", _("Unclear")


class Purpose(models.TextChoices):
    """The purposes of exploitation (ändamål) named in BrB 4:1 a and 4:1 b."""

    SEXUAL = "sexual", _("Sexual purposes")
    LABOUR = "labour", _("Forced labour or work on unreasonable terms")
    BEGGING = "begging", _("Begging")
    CRIMINALITY = "criminality", _("Criminal activity")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    ORGAN_REMOVAL = "organ_removal", _("Removal of organs")
    MILITARY_SERVICE = "military_service", _("Military service")
    OTHER = "other", pgettext_lazy("purpose", "Other")


class InterpreterGender(models.TextChoices):
    """The interpreter the person would rather have (tolkbehov)."""

    ANY = "any", _("No preference")
    FEMALE = "female", _("A female interpreter")
    MALE = "male", _("A male interpreter")


class Language(models.Model):
    """A language a person speaks (reference data, editable by administrators)."""

    code = models.CharField(_("code"), max_length=12, unique=True, help_text=_("ISO 639 code."))
    name_sv = models.CharField(_("name in Swedish"), max_length=80)
    name_en = models.CharField(_("name in English"), max_length=80)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["name_sv"]

    def __str__(self) -> str:
        return self.name_en if (get_language() or "sv").startswith("en") else self.name_sv


class Individual(models.Model):
    """A person the unit works with. Often without a Swedish ID number, often without a name."""

    reference = models.CharField(_("reference"), max_length=12, unique=True, editable=False)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    alias = models.CharField(
        _("alias"),
        max_length=100,
        blank=True,
        help_text=_("What the person is called in the unit's work, if not the real name."),
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    date_of_birth = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[validate_birth_date]
    )
    birth_year = models.PositiveSmallIntegerField(
        _("estimated birth year"),
        null=True,
        blank=True,
        validators=[validate_birth_year],
        help_text=_("Only when the date of birth is not known."),
    )
    # django-countries types blank_label as str; a lazy translation works and is needed here.
    citizenship = CountryField(  # type: ignore[call-overload]
        _("citizenship"), blank=True, blank_label=_("Not recorded"), countries=SwedishCountries
    )
    languages = models.ManyToManyField(
        Language, verbose_name=_("languages"), blank=True, related_name="+"
    )
    personal_number = models.CharField(
        _("personal identity or coordination number"),
        max_length=12,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Swedish personnummer or samordningsnummer, if the person has one."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    protection = models.CharField(
        _("protected personal data"),
        max_length=30,
        choices=Protection.choices,
        default=Protection.NONE,
    )
    notes = models.TextField(_("notes"), blank=True)
    # Interpreter needs (tolkbehov): optional, shown on the person's cases.
    interpreter_needed = models.BooleanField(_("needs an interpreter"), null=True, blank=True)
    interpreter_language = models.ForeignKey(
        Language,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("interpreter language"),
    )
    interpreter_dialect = models.CharField(_("dialect"), max_length=100, blank=True)
    interpreter_gender = models.CharField(
        _("interpreter's gender"), max_length=10, choices=InterpreterGender.choices, blank=True
    )
    interpreter_note = models.TextField(
        _("note on the interpreter"),
        blank=True,
        help_text=_(
            "For example an interpreter the person must not meet, or a community the "
            "interpreter should not come from."
        ),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Who changed what, when, old -> new (shown on the object's page; culled with it).
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("individual")
        verbose_name_plural = _("individuals")
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                name="individual_birth_date_or_year",
                condition=Q(date_of_birth__isnull=True) | Q(birth_year__isnull=True),
                violation_error_message=_(
                    "Give either the date of birth or an estimated birth year, not both."
                ),
            ),
            models.CheckConstraint(
                name="individual_birth_year_plausible",
                condition=Q(birth_year__isnull=True)
                | Q(birth_year__gte=1900, birth_year__lte=2100),
                violation_error_message=_("The birth year must be between 1900 and 2100."),
            ),
            # [0-9], not \d: PostgreSQL's \d and Python's match other scripts' digits too.
            models.CheckConstraint(
                name="individual_personal_number_digits",
                condition=Q(personal_number__isnull=True)
                | Q(personal_number__regex=r"^[0-9]{12}$"),
                violation_error_message=_(
                    "A personal identity or coordination number is stored as twelve digits 0-9."
                ),
            ),
            plausible_dates(
                "individual_date_of_birth_plausible",
                "date_of_birth",
                earliest=EARLIEST_BIRTH_DATE,
                message=_(
                    "The date of birth must lie between 1 January 1900 and 31 December 2100."
                ),
            ),
        ]

    def __str__(self) -> str:
        # Never a name: objects are named by their reference wherever they are printed or logged.
        return self.reference

    @property
    def is_protected(self) -> bool:
        return self.protection != Protection.NONE

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    @property
    def personal_number_display(self) -> str:
        return format_personal_number(self.personal_number) if self.personal_number else ""

    def age_on(self, day: date) -> int | None:
        """Age in whole years on `day`; from the estimated birth year when that is all we know."""
        if self.date_of_birth:
            born = self.date_of_birth
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if self.birth_year:
            return day.year - self.birth_year
        return None


class Category(models.TextChoices):
    ADULT = "adult", _("Adult victim")
    MINOR = "minor", _("Minor victim")
    RELATIVE = "relative", _("Relative of a victim")


class Origin(models.TextChoices):
    """How the case came to the unit."""

    OUTREACH_REFERRAL = "outreach_referral", _("Referral from outreach")
    POLICE = "police", _("Police")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    MIGRATION_AGENCY = "migration_agency", _("Swedish Migration Agency")
    OTHER_MUNICIPALITY = "other_municipality", _("Other municipality")
    HEALTH_CARE = "health_care", _("Health care")
    SELF = "self", _("The person themselves")
    OTHER = "other", pgettext_lazy("origin", "Other")


class ClosingReason(models.TextChoices):
    COMPLETED = "completed", _("Support completed")
    SAFE_RETURN = "safe_return", _("Safe return to the home country")
    LEFT_COUNTRY = "left_country", _("Left Sweden")
    TRANSFERRED = "transferred", _("Transferred to another municipality or authority")
    NO_CONTACT = "no_contact", _("No further contact")
    DECLINED = "declined", _("The person declined further support")
    OTHER = "other", pgettext_lazy("closing reason", "Other")


class Case(models.Model):
    """The unit's file (ärende) on one individual."""

    number = models.CharField(_("case number"), max_length=12, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("sequence number"), editable=False)
    individual = models.ForeignKey(
        Individual, on_delete=models.PROTECT, related_name="cases", verbose_name=_("individual")
    )
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    opened_on = models.DateField(_("opened on"), validators=[validate_past_work_date])
    closed_on = models.DateField(
        _("closed on"), null=True, blank=True, validators=[validate_past_work_date]
    )
    closing_reason = models.CharField(
        _("closing reason"), max_length=20, choices=ClosingReason.choices, blank=True
    )
    closing_note = models.TextField(_("note on closing"), blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("responsible coordinator"),
        db_index=False,  # case_coordinator_ids_idx and case_mine_idx start with it
    )
    offence = models.CharField(
        _("suspected offence"), max_length=15, choices=Offence.choices, default=Offence.UNCLEAR
    )
    origin = models.CharField(_("came in through"), max_length=20, choices=Origin.choices)
    # Facts for national reporting (NSPM, HTCDS): all optional.
    suspicion_on = models.DateField(
        _("suspicion established on"),
        null=True,
        blank=True,
        validators=[validate_past_work_date],
        help_text=_(
            "The day the suspicion of trafficking or exploitation was formed. Empty: the opening date."
        ),
    )
    industry = models.CharField(
        _("industry (labour exploitation)"), max_length=15, choices=Industry.choices, blank=True
    )
    # Lists of codes (MeansOfControl, Recruitment): facts, not sentences; in the history as is.
    means_of_control = models.JSONField(_("means of control"), default=list, blank=True)
    recruitment = models.JSONField(_("method of recruitment"), default=list, blank=True)
    trafficker_relationship = models.CharField(
        _("relationship to the trafficker"),
        max_length=15,
        choices=TraffickerRelationship.choices,
        blank=True,
    )
    exploitation_country = CountryField(  # type: ignore[call-overload]
        _("country of exploitation"),
        blank=True,
        blank_label=_("Not recorded"),
        countries=SwedishCountries,
    )
    trafficking_status = models.CharField(
        _("trafficking status"), max_length=15, choices=TraffickingStatus.choices, blank=True
    )
    status_decided_by = models.CharField(
        _("status decided by"), max_length=25, choices=StatusDecidedBy.choices, blank=True
    )
    # Written by the retention cull, which keeps only the birth year: the age on the suspicion
    # date as the date of birth gave it, so the national figures of past years do not change.
    age_at_suspicion = models.PositiveSmallIntegerField(
        _("age on the suspicion date (kept when the date of birth is culled)"),
        null=True,
        blank=True,
        editable=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    last_activity_at = models.DateTimeField(_("last activity"), auto_now_add=True)

    # Who changed what, when, old -> new (shown on the object's page; culled with it).
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-year", "-sequence"]
        constraints = [
            plausible_dates("case_dates_plausible", "opened_on", "closed_on"),
            plausible_dates("case_suspicion_on_plausible", "suspicion_on"),
            models.UniqueConstraint(
                fields=["year", "sequence"],
                name="case_number_unique_per_year",
                violation_error_message=_("This case number is already taken."),
            ),
            models.CheckConstraint(
                name="case_closed_after_opened",
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                violation_error_message=_("A case cannot be closed before it was opened."),
            ),
            models.CheckConstraint(
                name="case_closing_reason_iff_closed",
                condition=(Q(closed_on__isnull=True) & Q(closing_reason=""))
                | (Q(closed_on__isnull=False) & ~Q(closing_reason="")),
                violation_error_message=_(
                    "A closed case needs a closing reason, an open one none."
                ),
            ),
            models.UniqueConstraint(
                fields=["individual", "category"],
                condition=Q(closed_on__isnull=True),
                name="case_one_open_per_individual_and_category",
                violation_error_message=_(
                    "This individual already has an open case in this category."
                ),
            ),
        ]
        indexes = [
            # The list's "my cases": a coordinator's cases, open or closed.
            # "My cases" on the deadline board: the ids of a coordinator's cases, read from the
            # index alone (an index-only scan instead of one heap page per case).
            models.Index(fields=["coordinator", "id"], name="case_coordinator_ids_idx"),
            models.Index(
                fields=["coordinator", "closed_on", "-last_activity_at"], name="case_mine_idx"
            ),
            # The coordinator's start page: their open cases, latest activity first. In
            # case_mine_idx "closed_on IS NULL" does not count as fixing that column, so
            # PostgreSQL walked every case by activity instead (bench/RESULTS.md).
            models.Index(
                fields=["coordinator", "-last_activity_at"],
                condition=Q(closed_on__isnull=True),
                name="case_open_mine_activity_idx",
            ),
            # Statistics: cases active in a period (opened before its end, not closed before start).
            models.Index(fields=["opened_on", "closed_on"], name="case_active_period_idx"),
            # The case list's default view (open cases, newest number first) and its count.
            models.Index(
                fields=["-year", "-sequence"],
                condition=Q(closed_on__isnull=True),
                name="case_open_number_idx",
            ),
            # The case list sorted by last activity.
            models.Index(fields=["-last_activity_at", "-id"], name="case_activity_idx"),
        ]
        # Searching (case number, and the individual's reference, alias and names) uses trigram
        # indexes on PostgreSQL, created by migration 0004 outside the model state: a GIN index
        # in Meta.indexes would break SQLite (the demo) whenever a migration rebuilds the table.

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def age_at_opening(self) -> int | None:
        return self.individual.age_on(self.opened_on)

    @property
    def suspicion_date(self) -> date:
        """When the suspicion was established: the recorded day, else the opening date."""
        return self.suspicion_on or self.opened_on

    @property
    def suspicion_age(self) -> int | None:
        """The person's age on the suspicion date (kept on the case once the date of birth is
        culled)."""
        if self.age_at_suspicion is not None:
            return self.age_at_suspicion
        return self.individual.age_on(self.suspicion_date)


class IdentityAuthorisation(models.Model):
    """An authorisation to see one person's protected identity (skyddade personuppgifter):
    who holds it, who granted it, when and why; revoked, never deleted.

    Managers see every protected identity without one; everyone else, the responsible
    coordinator included, needs one (casework.selectors.identity_access). Opening a case,
    accepting a referral or reassigning a case never grants it.
    """

    class Basis(models.TextChoices):
        GRANTED = "granted", _("Granted by a manager")
        REGISTERED = "registered", _("Responsible coordinator when the person was registered")
        PROTECTION_SET = (
            "protection_set",
            _("Responsible coordinator of an open case when the protection was recorded"),
        )
        INTRODUCED = (
            "introduced",
            _("Responsible coordinator of one of the person's cases when authorisations began"),
        )

    individual = models.ForeignKey(
        Individual,
        on_delete=models.PROTECT,
        related_name="identity_authorisations",
        verbose_name=_("individual"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="identity_authorisations",
        verbose_name=_("authorised staff member"),
    )
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    reason = models.TextField(_("reason"), blank=True)
    granted_at = models.DateTimeField(_("granted"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    # Shown in the person's change history (casework.history.individual_history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("authorisation to see a protected identity")
        verbose_name_plural = _("authorisations to see protected identities")
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["individual", "user"],
                condition=Q(revoked_at__isnull=True),
                name="identity_authorisation_one_in_force",
                violation_error_message=_(
                    "This staff member is already authorised to see the person's identity."
                ),
            ),
            models.CheckConstraint(
                name="identity_authorisation_granted_needs_reason",
                condition=~Q(basis="granted") | (Q(granted_by__isnull=False) & ~Q(reason="")),
                violation_error_message=_(
                    "An authorisation a manager grants needs the manager and a reason."
                ),
            ),
            models.CheckConstraint(
                name="identity_authorisation_revoked_with_reason",
                condition=Q(revoked_at__isnull=True)
                | (Q(revoked_by__isnull=False) & ~Q(revoke_reason="")),
                violation_error_message=_("A revoked authorisation needs who revoked it and why."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.individual_id} → {self.user_id}"

    @property
    def in_force(self) -> bool:
        return self.revoked_at is None


class CaseSearch(models.Model):
    """What the case search reads on PostgreSQL: one narrow row per case, with what the list
    filters and sorts by and what a search matches, written only by database triggers
    (migration casework 0008) whenever a case or its individual changes.

    A family name shared by 2,300 people used to cost a search two steps of SQL: reading
    those people's rows, then one index descent per person to find their cases. Here the
    matches, their filters and their order come from one small table (bench/RESULTS.md).

    A protected person's names are never copied here (blank instead): those matches still come
    from the individuals, for those who may see them (casework.selectors.case_search_filter).
    On SQLite (the demo) the table stays empty and the search reads the cases themselves.
    """

    case = models.OneToOneField(
        Case, on_delete=models.DO_NOTHING, primary_key=True, related_name="+"
    )
    number = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    category = models.CharField(max_length=10)  # a Category; shown from the case, not here
    opened_on = models.DateField()
    closed_on = models.DateField(null=True)
    last_activity_at = models.DateTimeField()
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    reference = models.CharField(max_length=12)
    alias = models.CharField(max_length=100)
    given_name = models.CharField(max_length=100)  # blank when the person is protected
    family_name = models.CharField(max_length=100)  # blank when the person is protected

    class Meta:
        ordering = ["-year", "-sequence"]
        default_permissions = ()

    def __str__(self) -> str:
        return self.number


class IndividualRelation(models.Model):
    """Two individuals who belong together: `individual` is `kind` `related` (e.g. a child of).

    One row per pair, shown on both persons (the other way round with RELATION_INVERSE).
    """

    individual = models.ForeignKey(
        Individual, on_delete=models.CASCADE, related_name="relations_from"
    )
    related = models.ForeignKey(Individual, on_delete=models.CASCADE, related_name="relations_to")
    kind = models.CharField(_("relation"), max_length=25, choices=RelationKind.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("related person")
        verbose_name_plural = _("related persons")
        constraints = [
            models.CheckConstraint(
                name="relation_not_to_oneself",
                condition=~Q(individual=F("related")),
                violation_error_message=_("A person cannot be related to themselves."),
            ),
            models.UniqueConstraint(
                fields=["individual", "related"],
                name="relation_unique_pair",
                violation_error_message=_("These two persons are already linked."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.individual} {self.kind} {self.related}"

    def kind_from(self, individual: Individual) -> str:
        """The relation read from `individual`'s side (their page says "<kind> <other>")."""
        if individual.pk == self.individual_id:
            return str(RelationKind(self.kind).label)
        return str(RelationKind(RELATION_INVERSE[RelationKind(self.kind)]).label)

    def other(self, individual: Individual) -> Individual:
        return self.related if individual.pk == self.individual_id else self.individual


class CasePurpose(models.Model):
    """One purpose of exploitation suspected in a case (a case can have several)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="purposes")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)

    class Meta:
        verbose_name = _("purpose of exploitation")
        verbose_name_plural = _("purposes of exploitation")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "purpose"],
                name="case_purpose_unique",
                violation_error_message=_("This purpose is already recorded for the case."),
            )
        ]
        indexes = [
            # The case list's purpose filter (and its count) reads only this index.
            models.Index(fields=["purpose", "case"], name="case_purpose_filter_idx"),
        ]

    def __str__(self) -> str:
        return str(self.get_purpose_display())


class JournalKind(models.TextChoices):
    CONTACT = "contact", _("Contact")
    MEETING = "meeting", _("Meeting")
    PHONE = "phone", _("Phone call")
    DECISION = "decision", _("Decision")
    REFERRAL = "referral", _("Referral")
    OTHER = "other", pgettext_lazy("journal kind", "Other")


class JournalEntry(models.Model):
    """A dated journal entry; a draft until signed, never changed after. Corrections are new
    entries that point to the entry they correct."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="journal_entries", verbose_name=_("case")
    )
    entry_date = models.DateField(_("date"), validators=[validate_past_work_date])
    kind = models.CharField(_("kind"), max_length=10, choices=JournalKind.choices)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Who changed what, when, old -> new (shown on the object's page; culled with it).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["-entry_date", "-created_at"]
        constraints = [
            plausible_dates("journal_entry_date_plausible", "entry_date"),
            models.CheckConstraint(
                name="journal_signed_with_signer",
                condition=Q(signed_at__isnull=True, signed_by__isnull=True)
                | Q(signed_at__isnull=False, signed_by__isnull=False),
                violation_error_message=_("A signed entry needs both who signed and when."),
            ),
            models.CheckConstraint(
                name="journal_does_not_correct_itself",
                condition=~Q(corrects=F("id")),
                violation_error_message=_("An entry cannot correct itself."),
            ),
        ]
        indexes = [
            # Retention: the last journal entry per case.
            models.Index(fields=["case", "-entry_date"], name="journal_case_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.entry_date:%Y-%m-%d}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class SupportType(models.TextChoices):
    PROTECTED_HOUSING = "protected_housing", _("Protected housing")
    COUNSELLING = "counselling", _("Counselling")
    HEALTH_CARE = "health_care", _("Health care")
    INTERPRETER = "interpreter", _("Interpreter")
    LEGAL_ADVICE = "legal_advice", _("Legal advice")
    FINANCIAL_ASSISTANCE = "financial_assistance", _("Financial assistance")
    RIGHTS_INFORMATION = "rights_information", _("Information about rights")
    CIVIL_SOCIETY_CONTACT = "civil_society_contact", _("Contact with civil society")
    POLICE_REPORT = "police_report", _("Police report filed")
    SAFE_RETURN = "safe_return", _("Safe return via IOM")
    OTHER = "other", pgettext_lazy("support", "Other")


class OrganisationKind(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    IOM = "iom", _("IOM")
    POLICE = "police", _("Police")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    MIGRATION_AGENCY = "migration_agency", _("Swedish Migration Agency")
    MUNICIPALITY = "municipality", _("Municipality")
    HEALTH_CARE = "health_care", _("Health care")
    OTHER = "other", pgettext_lazy("organisation kind", "Other")


class Organisation(models.Model):
    """A partner: an association, IOM, the police, Migrationsverket, another municipality..."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    receives_grant = models.BooleanField(
        _("receives a grant from the committee"),
        default=False,
        help_text=_("Föreningsbidrag from the social welfare committee."),
    )
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.TextField(_("address"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SupportMeasure(models.Model):
    """Support given in a case (bistånd, insatser). Feeds the "rights activated" statistics."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="support_measures", verbose_name=_("case")
    )
    type = models.CharField(_("type"), max_length=25, choices=SupportType.choices)
    started_on = models.DateField(_("started on"), validators=[validate_planned_work_date])
    ended_on = models.DateField(
        _("ended on"), null=True, blank=True, validators=[validate_planned_work_date]
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("support measure")
        verbose_name_plural = _("support measures")
        ordering = ["-started_on"]
        constraints = [
            plausible_dates("support_dates_plausible", "started_on", "ended_on"),
            models.CheckConstraint(
                name="support_ended_after_started",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                violation_error_message=_("A support measure cannot end before it started."),
            ),
        ]
        indexes = [
            # Statistics: support measures started in a period, by type.
            models.Index(fields=["started_on", "type"], name="support_started_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.started_on:%Y-%m-%d})"


class CaseOrganisation(models.Model):
    """A case's contact with an organisation: when, and what for."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="organisation_links", verbose_name=_("case")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    linked_on = models.DateField(_("date"), validators=[validate_planned_work_date])
    purpose = models.CharField(_("purpose"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation link")
        verbose_name_plural = _("organisation links")
        ordering = ["-linked_on"]
        constraints = [plausible_dates("case_organisation_linked_on_plausible", "linked_on")]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.linked_on:%Y-%m-%d})"


class Consent(models.Model):
    """The person's consent to share information with a named organisation."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="consents", verbose_name=_("case")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    given_on = models.DateField(_("given on"), validators=[validate_past_work_date])
    withdrawn_on = models.DateField(
        _("withdrawn on"), null=True, blank=True, validators=[validate_past_work_date]
    )
    notes = models.CharField(_("scope and notes"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent to share information")
        verbose_name_plural = _("consents to share information")
        ordering = ["-given_on"]
        constraints = [
            plausible_dates("consent_dates_plausible", "given_on", "withdrawn_on"),
            models.CheckConstraint(
                name="consent_withdrawn_after_given",
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("given_on")),
                violation_error_message=_("A consent cannot be withdrawn before it was given."),
            ),
            models.UniqueConstraint(
                fields=["case", "organisation"],
                condition=Q(withdrawn_on__isnull=True),
                name="consent_one_active_per_organisation",
                violation_error_message=_(
                    "A consent for this organisation is already in force in this case."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.given_on:%Y-%m-%d})"


class NumberSequence(models.Model):
    """The last number handed out in a series (individual references, case numbers per year).

    Locked row by row, so two coordinators opening cases at the same moment get different
    numbers and no number is skipped.
    """

    key = models.CharField(max_length=40, primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    CLOSED = "closed", _("Case closed")
    REOPENED = "reopened", _("Case reopened")
    REASSIGNED = "reassigned", _("Coordinator changed")


class CaseEvent(models.Model):
    """A change in a case's life (opened, closed, reopened, reassigned), shown on its timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=CaseEventKind.choices)
    on = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    # A reassignment's coordinators (facts, not a sentence: the page names them in the reader's
    # language).
    from_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous coordinator"),
    )
    to_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new coordinator"),
    )

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.kind}"
