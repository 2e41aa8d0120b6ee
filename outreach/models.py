"""Outreach: contacts the PoM team makes in the field, and their referrals to the coordinators."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from accounts.staff import StaffQuerySet
from casework.models import Case, Language, Sex
from core.countries import SwedishCountries
from core.dates import (
    EARLIEST_WORK_MOMENT,
    LATEST_MOMENT,
    plausible_dates,
    validate_work_moment,
)

# The code-defined lists below are the keys the statistics count: never rename a key, only its
# label. Multi-valued ones (indicators, offered support) are child rows, one per value.


class Environment(models.TextChoices):
    """Where the contact took place."""

    STREET = "street", _("Street")
    INDOOR = "indoor", _("Indoors / apartment")
    HOTEL = "hotel", _("Hotel")
    ONLINE = "online", _("Online advertisement")
    MASSAGE_PARLOUR = "massage_parlour", _("Massage parlour")
    OTHER = "other", pgettext_lazy("environment", "Other")


class AgeGroup(models.TextChoices):
    """The person's age as the outreach worker judges it."""

    UNDER_18 = "under_18", _("Under 18")
    FROM_18_TO_25 = "18_25", _("18–25")
    FROM_26_TO_35 = "26_35", _("26–35")
    FROM_36_TO_50 = "36_50", _("36–50")
    OVER_50 = "over_50", _("Over 50")
    UNKNOWN = "unknown", _("Unknown age")


# The age a group's estimated birth year assumes: about the middle of the group, so that a
# person registered from a contact gets the case category (minor or adult) the group says.
AGE_GROUP_TYPICAL_AGE = {
    AgeGroup.UNDER_18: 16,
    AgeGroup.FROM_18_TO_25: 21,
    AgeGroup.FROM_26_TO_35: 30,
    AgeGroup.FROM_36_TO_50: 43,
    AgeGroup.OVER_50: 55,
}


def estimated_birth_year(age_group: str, year: int) -> int | None:
    """The birth year a person of `age_group` seen in `year` is estimated to have (None for an
    unknown age)."""
    age = AGE_GROUP_TYPICAL_AGE.get(AgeGroup(age_group)) if age_group else None
    return year - age if age is not None else None


class Indicator(models.TextChoices):
    """Signs of trafficking or exploitation noticed during the contact."""

    CONTROLLED = "controlled", _("Controlled by others")
    NO_DOCUMENTS = "no_documents", _("No access to own documents")
    DEBT = "debt", _("Debt")
    UNKNOWN_ADDRESS = "unknown_address", _("Does not know the address")
    VIOLENCE = "violence", _("Signs of violence")
    RESTRICTED_MOVEMENT = "restricted_movement", _("Restricted movement")
    MINOR = "minor", _("Minor")
    OTHER = "other", pgettext_lazy("indicator", "Other")


class Offer(models.TextChoices):
    """What the outreach worker offered the person."""

    RIGHTS_INFORMATION = "rights_information", _("Information about rights")
    HEALTH_CARE = "health_care", _("Health care / Mika-mottagningen")
    PROTECTED_HOUSING = "protected_housing", _("Protected housing")
    INTERPRETER = "interpreter", _("Interpreter")
    CIVIL_SOCIETY = "civil_society", _("Contact with civil society")
    OTHER = "other", pgettext_lazy("offer", "Other")


class ReferralConsent(models.TextChoices):
    """Whether the person agreed to be referred to a coordinator."""

    YES = "yes", pgettext_lazy("consent", "Yes")
    NO = "no", pgettext_lazy("consent", "No")
    NOT_ASKED = "not_asked", _("Not asked")


class District(models.Model):
    """A district of Stockholm (stadsdelsområde), or "outside Stockholm" (reference data)."""

    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("A stable key for statistics.")
    )
    name = models.CharField(_("name"), max_length=80, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class OutreachContact(models.Model):
    """A contact outreach staff made with a person in the field; anonymous by default."""

    contacted_at = models.DateTimeField(_("when"), validators=[validate_work_moment])
    environment = models.CharField(_("environment"), max_length=20, choices=Environment.choices)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="outreach_contacts",
        verbose_name=_("staff present"),
    )
    alias = models.CharField(
        _("alias"),
        max_length=100,
        blank=True,
        help_text=_("What the person calls themselves or is called. Never a full name."),
    )
    description = models.CharField(
        _("description"),
        max_length=200,
        blank=True,
        help_text=_("A few words to recognise the person by, if there is no alias."),
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    age_group = models.CharField(
        _("age group"), max_length=10, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN
    )
    language = models.ForeignKey(
        Language,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("language"),
    )
    # django-countries types blank_label as str; a lazy translation works and is needed here.
    presumed_nationality = CountryField(  # type: ignore[call-overload]
        _("presumed nationality"),
        blank=True,
        blank_label=_("Not known"),
        countries=SwedishCountries,
    )
    consent = models.CharField(
        _("consent to be referred"),
        max_length=10,
        choices=ReferralConsent.choices,
        default=ReferralConsent.NOT_ASKED,
    )
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("logged by"),
    )
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Who changed what, when, old -> new (shown on the object's page; culled with it).
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("outreach contact")
        verbose_name_plural = _("outreach contacts")
        ordering = ["-contacted_at", "-pk"]
        constraints = [
            plausible_dates(
                "outreach_contact_time_plausible",
                "contacted_at",
                earliest=EARLIEST_WORK_MOMENT,
                latest=LATEST_MOMENT,
                message=_("The time must lie between 1 January 2000 and 31 December 2100."),
            ),
            models.CheckConstraint(
                name="outreach_contact_district_unless_online",
                condition=Q(district__isnull=False) | Q(environment=Environment.ONLINE),
                violation_error_message=_(
                    "Choose the district where the contact took place (only online contacts "
                    "may be without one)."
                ),
            ),
        ]
        indexes = [
            # Statistics and the manager's list: contacts logged in a period, newest first.
            models.Index(fields=["-contacted_at"], name="outreach_contact_when_idx"),
        ]

    def __str__(self) -> str:
        # Never the alias: objects are named by what cannot identify the person.
        return f"#{self.pk} {self.contacted_at:%Y-%m-%d}"

    @property
    def label(self) -> str:
        """How pages name the person: the alias, else the description."""
        return self.alias or self.description

    @property
    def is_presumed_minor(self) -> bool:
        return self.age_group == AgeGroup.UNDER_18


class StaffContact(models.Model):
    """What an outreach worker's count of their own contacts reads on PostgreSQL: one row per
    contact and staff member whose contact it is (who logged it, and each one present), with
    what the contact list filters by. Written only by database triggers (migration outreach
    0007) whenever a contact or the staff present at one change.

    "Present or logged by me" is a condition on two tables, and counting it read every contact
    of the unit (200,000 at national scale: 40–80 ms of SQL for each new count, about three
    times that at three times the scale; bench/RESULTS.md). Here one user's rows are one range
    of one index. Only counts read it: the page's rows and what may be seen are decided on the
    contacts themselves (outreach.selectors). On SQLite (the demo) the table stays empty and the
    count reads the contacts.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    contact = models.ForeignKey(
        OutreachContact,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    contacted_at = models.DateTimeField()
    environment = models.CharField(max_length=20)
    district = models.ForeignKey(
        District,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    age_group = models.CharField(max_length=10)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["contact", "user"], name="outreach_staffcontact_once")
        ]
        indexes = [
            # A count reads one user's rows from this index alone: the year as a range, the
            # other filters from the included columns.
            models.Index(
                fields=["user", "contacted_at"],
                include=["environment", "district", "age_group"],
                name="outreach_staffcontact_count",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.contact_id}"


class ContactIndicator(models.Model):
    """One trafficking indicator noticed in a contact."""

    contact = models.ForeignKey(
        OutreachContact, on_delete=models.CASCADE, related_name="indicators"
    )
    indicator = models.CharField(_("indicator"), max_length=25, choices=Indicator.choices)

    class Meta:
        verbose_name = _("trafficking indicator")
        verbose_name_plural = _("trafficking indicators")
        ordering = ["indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "indicator"],
                name="outreach_indicator_unique",
                violation_error_message=_("This indicator is already recorded for the contact."),
            )
        ]

    def __str__(self) -> str:
        return str(self.get_indicator_display())


class ContactOffer(models.Model):
    """One kind of support offered in a contact."""

    contact = models.ForeignKey(OutreachContact, on_delete=models.CASCADE, related_name="offers")
    offer = models.CharField(_("offered"), max_length=25, choices=Offer.choices)

    class Meta:
        verbose_name = _("offered support")
        verbose_name_plural = _("offered support")
        ordering = ["offer"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "offer"],
                name="outreach_offer_unique",
                violation_error_message=_("This offer is already recorded for the contact."),
            )
        ]

    def __str__(self) -> str:
        return str(self.get_offer_display())


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Referral(models.Model):
    """Outreach hands a contact to the coordinators (the unit's queue or one coordinator).

    pending → accepted (into a case) / declined (with a reason) / withdrawn (by outreach). Each
    transition stores when and by whom; the statistics count on those timestamps.
    """

    contact = models.ForeignKey(
        OutreachContact,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("contact"),
    )
    to_coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to coordinator"),
        help_text=_("Empty: to the unit's coordinators (the common inbox)."),
    )
    note = models.TextField(_("message to the coordinator"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReferralStatus.choices,
        default=ReferralStatus.PENDING,
    )
    # Snapshots of the contact when it was referred: the consent rule is checked on these.
    consent_given = models.BooleanField(_("consent recorded"), default=False)
    presumed_minor = models.BooleanField(_("presumed under 18"), default=False)
    referred_at = models.DateTimeField(_("referred"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred by"),
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("case"),
    )
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declined by"),
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    # Who changed what, when, old -> new (shown on the object's page; culled with it).
    objects = StaffQuerySet["Referral"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="referral_needs_consent_unless_minor",
                condition=Q(consent_given=True) | Q(presumed_minor=True),
                violation_error_message=_(
                    "The person has not agreed to be referred. A referral needs their consent, "
                    "unless they are presumed to be under 18."
                ),
            ),
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(status__in=["pending", "accepted"]),
                name="referral_one_open_per_contact",
                violation_error_message=_(
                    "This contact has already been referred (waiting or accepted)."
                ),
            ),
            models.CheckConstraint(
                name="referral_accepted_has_case",
                condition=~Q(status="accepted")
                | Q(accepted_at__isnull=False, accepted_by__isnull=False, case__isnull=False),
                violation_error_message=_("An accepted referral needs its case, who and when."),
            ),
            models.CheckConstraint(
                name="referral_declined_has_reason",
                condition=~Q(status="declined")
                | (Q(declined_at__isnull=False, declined_by__isnull=False) & ~Q(decline_reason="")),
                violation_error_message=_("Say why the referral is declined."),
            ),
            models.CheckConstraint(
                name="referral_withdrawn_has_when",
                condition=~Q(status="withdrawn")
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                violation_error_message=_("A withdrawn referral needs who and when."),
            ),
            models.CheckConstraint(
                name="referral_transitions_after_referral",
                condition=(Q(accepted_at__isnull=True) | Q(accepted_at__gte=F("referred_at")))
                & (Q(declined_at__isnull=True) | Q(declined_at__gte=F("referred_at")))
                & (Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("referred_at"))),
                violation_error_message=_("A referral cannot be handled before it was made."),
            ),
        ]
        indexes = [
            # The inbox and its count in the navigation: pending referrals, oldest first.
            models.Index(fields=["status", "referred_at"], name="referral_inbox_idx"),
            # Statistics: referrals made, accepted and declined in a period.
            models.Index(fields=["referred_at"], name="referral_referred_idx"),
            models.Index(fields=["accepted_at"], name="referral_accepted_idx"),
            models.Index(fields=["declined_at"], name="referral_declined_idx"),
        ]

    def __str__(self) -> str:
        return f"R{self.pk} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == ReferralStatus.PENDING

    @property
    def handled_at(self) -> datetime | None:
        """When the referral left "waiting", whichever way."""
        return self.accepted_at or self.declined_at or self.withdrawn_at
