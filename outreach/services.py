"""Writes to outreach: logging contacts, referring them, and every transition of a referral.

Each function is keyword-only, runs in one transaction, validates with `full_clean()` (the
database constraints carry their Swedish messages) and raises ValidationError for anything a
user can get wrong. A referral's transitions lock its row first, so two coordinators (or a
coordinator and the outreach worker) acting at the same moment are served one after the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import AccessSource
from accounts.models import User
from accounts.notifications import notifications_retire, notify
from accounts.roles import Role, has_role, require_role
from casework import services as casework_services
from casework.codes import MeansOfControl
from casework.models import Case, Individual, Language, Origin, Sex
from casework.selectors import coordinators
from core.history import authored_by
from outreach import notifications as kinds
from outreach.models import (
    AgeGroup,
    ContactIndicator,
    ContactOffer,
    District,
    Environment,
    Indicator,
    Offer,
    OutreachContact,
    Referral,
    ReferralConsent,
    ReferralStatus,
    estimated_birth_year,
)

# A phone's clock may run a little ahead of the server's; more than this is a typing error.
CLOCK_SKEW = timedelta(minutes=10)

# What a user is told who lacks the role a service needs (accounts.roles.require_role).
OUTREACH_ONLY = gettext_lazy("Only outreach staff can log contacts and refer them.")
COORDINATORS_ONLY = gettext_lazy("Only regional coordinators can handle referrals.")


class ReferralAlreadyHandled(ValidationError):
    """Someone else accepted, declined or withdrew the referral first; nothing was saved."""


# --- Who may do what ------------------------------------------------------------------------------


def is_own_contact(contact: OutreachContact, user: User) -> bool:
    """The outreach worker logged the contact or was there."""
    return contact.created_by_id == user.pk or contact.staff.filter(pk=user.pk).exists()


# --- Contacts -------------------------------------------------------------------------------------


def _choices(values: Iterable[str], choices: type[Indicator] | type[Offer], field: str) -> set[str]:
    try:
        return {str(choices(value)) for value in values}
    except ValueError:
        raise ValidationError({field: _("Choose from the list.")}) from None


def _check_contact(contact: OutreachContact, staff: list[User], indicators: set[str]) -> None:
    """The rules a contact must follow beyond what its columns can check alone."""
    errors: dict[str, str] = {}
    if not staff:
        errors["staff"] = _("Choose who was there.")
    elif any(not (person.is_active and has_role(person, Role.OUTREACH)) for person in staff):
        errors["staff"] = _("Only active outreach staff can be recorded as present.")
    if contact.contacted_at and contact.contacted_at > timezone.now() + CLOCK_SKEW:
        errors["contacted_at"] = _("A contact cannot be logged for a time in the future.")
    if contact.district_id is None and contact.environment != Environment.ONLINE:
        errors["district"] = _(
            "Choose the district where the contact took place (only online contacts may be "
            "without one)."
        )
    if Indicator.MINOR in indicators and contact.age_group != AgeGroup.UNDER_18:
        errors["age_group"] = _(
            'You ticked the indicator "minor": choose the age group "under 18" as well.'
        )
    if errors:
        raise ValidationError(errors)
    contact.full_clean()


def _set_children(
    contact: OutreachContact, indicators: set[str], offers: set[str], *, new: bool = False
) -> None:
    if new:
        ContactIndicator.objects.bulk_create(
            ContactIndicator(contact=contact, indicator=value) for value in sorted(indicators)
        )
        ContactOffer.objects.bulk_create(
            ContactOffer(contact=contact, offer=value) for value in sorted(offers)
        )
        return
    contact.indicators.exclude(indicator__in=indicators).delete()
    have = set(contact.indicators.values_list("indicator", flat=True))
    ContactIndicator.objects.bulk_create(
        ContactIndicator(contact=contact, indicator=value) for value in sorted(indicators - have)
    )
    contact.offers.exclude(offer__in=offers).delete()
    have = set(contact.offers.values_list("offer", flat=True))
    ContactOffer.objects.bulk_create(
        ContactOffer(contact=contact, offer=value) for value in sorted(offers - have)
    )


@transaction.atomic
def contact_create(
    *,
    by: User,
    contacted_at: datetime,
    environment: Environment | str,
    district: District | None,
    staff: Iterable[User],
    alias: str = "",
    description: str = "",
    sex: Sex | str = Sex.UNKNOWN,
    age_group: AgeGroup | str = AgeGroup.UNKNOWN,
    language: Language | None = None,
    presumed_nationality: str = "",
    indicators: Iterable[str] = (),
    offers: Iterable[str] = (),
    consent: ReferralConsent | str = ReferralConsent.NOT_ASKED,
    notes: str = "",
) -> OutreachContact:
    """Log a contact made in the field. Anonymous unless an alias or description is given."""
    require_role(by, Role.OUTREACH, OUTREACH_ONLY)
    present = list(staff)
    wanted_indicators = _choices(indicators, Indicator, "indicators")
    wanted_offers = _choices(offers, Offer, "offers")
    contact = OutreachContact(
        contacted_at=contacted_at,
        environment=environment,
        district=district,
        alias=alias.strip(),
        description=description.strip(),
        sex=sex,
        age_group=age_group,
        language=language,
        presumed_nationality=presumed_nationality,
        consent=consent,
        notes=notes,
        created_by=by,
    )
    _check_contact(contact, present, wanted_indicators)
    authored_by(contact, by).save()
    contact.staff.add(*present)
    _set_children(contact, wanted_indicators, wanted_offers, new=True)
    return contact


CONTACT_EDIT_FIELDS = (
    "contacted_at",
    "environment",
    "district",
    "alias",
    "description",
    "sex",
    "age_group",
    "language",
    "presumed_nationality",
    "consent",
    "notes",
)


@transaction.atomic
def contact_update(
    *,
    contact: OutreachContact,
    by: User,
    expected_version: int | None,
    data: Mapping[str, Any],
    staff: Iterable[User],
    indicators: Iterable[str],
    offers: Iterable[str],
) -> OutreachContact:
    """Correct a contact. Not while a coordinator has it (waiting or accepted referral).

    Race: the two staff who were there correct the contact at the same time. The row lock
    serialises the saves; the version tells the second that the form is stale.
    """
    require_role(by, Role.OUTREACH, OUTREACH_ONLY)
    locked = OutreachContact.objects.select_for_update().get(pk=contact.pk)
    if not is_own_contact(locked, by):
        raise ValidationError(_("Only the staff who made the contact can change it."))
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError(
            _(
                "Someone else saved changes after you opened this form. Your changes were not "
                "saved, so nothing of theirs was overwritten. Open the page again to see the "
                "latest version, then make your changes once more."
            ),
            code="stale",
        )
    if locked.referrals.filter(
        status__in=[ReferralStatus.PENDING, ReferralStatus.ACCEPTED]
    ).exists():
        raise ValidationError(
            _(
                "The contact is with the coordinators now and cannot be changed. Withdraw a "
                "waiting referral first if something must be corrected."
            ),
            code="referred",
        )
    changed = [name for name in CONTACT_EDIT_FIELDS if name in data]
    for name in changed:
        value = data[name]
        setattr(locked, name, value.strip() if name in ("alias", "description") else value)
    present = list(staff)
    wanted_indicators = _choices(indicators, Indicator, "indicators")
    _check_contact(locked, present, wanted_indicators)
    locked.version += 1
    authored_by(locked, by).save(update_fields=[*changed, "version", "updated_at"])
    locked.staff.set(present)
    _set_children(locked, wanted_indicators, _choices(offers, Offer, "offers"))
    return locked


# --- Referring ------------------------------------------------------------------------------------


def consent_allows_referral(contact: OutreachContact) -> bool:
    """A referral needs the person's consent, unless they are presumed to be under 18."""
    return contact.consent == ReferralConsent.YES or contact.is_presumed_minor


def _moment(at: datetime | None) -> datetime:
    """When a transition happens: now, or `at` when importing history (the demo data, records
    kept on paper before Lotsa). A historical transition never lies in the future."""
    now = timezone.now()
    if at is None:
        return now
    if at > now + CLOCK_SKEW:
        raise ValidationError(_("A referral cannot be recorded for a time in the future."))
    return at


def _save_unique(obj: Referral, **kwargs: Any) -> None:
    """Save, turning a constraint violation from a concurrent writer into a ValidationError."""
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError:
        obj.validate_constraints()
        raise


@transaction.atomic
def referral_create(
    *,
    contact: OutreachContact,
    by: User,
    to_coordinator: User | None = None,
    note: str = "",
    at: datetime | None = None,
    send_notifications: bool = True,
) -> Referral:
    """Refer a contact to the unit's coordinators (the common inbox) or to one coordinator.

    Race: the two staff who were there refer the same contact at once. The contact's row lock
    makes the second wait and then find the first referral. `at` and `send_notifications=False`
    are for importing history (the demo data): see `_moment`.
    """
    require_role(by, Role.OUTREACH, OUTREACH_ONLY)
    moment = _moment(at)
    locked = OutreachContact.objects.select_for_update().get(pk=contact.pk)
    if at is not None and moment < locked.contacted_at:  # now: a phone clock may run ahead
        raise ValidationError(_("A contact cannot be referred before it was made."))
    if not is_own_contact(locked, by):
        raise ValidationError(_("Only the staff who made the contact can refer it."))
    if locked.referrals.filter(
        status__in=[ReferralStatus.PENDING, ReferralStatus.ACCEPTED]
    ).exists():
        raise ValidationError(
            _("This contact has already been referred (waiting or accepted)."), code="referred"
        )
    if not consent_allows_referral(locked):
        raise ValidationError(
            _(
                "The person has not agreed to be referred. A referral needs their consent, "
                "unless they are presumed to be under 18. Record the consent on the contact "
                "first."
            ),
            code="consent",
        )
    if to_coordinator is not None and not (
        to_coordinator.is_active and has_role(to_coordinator, Role.COORDINATOR)
    ):
        raise ValidationError({"to_coordinator": _("Choose an active regional coordinator.")})
    referral = Referral(
        contact=locked,
        to_coordinator=to_coordinator,
        note=note.strip(),
        consent_given=locked.consent == ReferralConsent.YES,
        presumed_minor=locked.is_presumed_minor,
        referred_at=moment,
        referred_by=by,
    )
    referral.full_clean()
    _save_unique(authored_by(referral, by))
    if send_notifications:
        _notify_coordinators(referral)
    return referral


def _notify_coordinators(referral: Referral) -> None:
    """The named coordinator, or every active coordinator for the common inbox."""
    if referral.to_coordinator is not None:
        recipients: list[User] = [referral.to_coordinator]
        kind = kinds.REFERRAL_NEW_PERSONAL
    else:
        recipients = list(coordinators())
        kind = kinds.REFERRAL_NEW
    if referral.presumed_minor:
        kind = kinds.REFERRAL_NEW_MINOR
    notify(
        recipients=recipients,
        key=_new_referral_key(referral),
        kind=kind,
        url=reverse("outreach:referral_detail", args=[referral.pk]),
    )


def _new_referral_key(referral: Referral) -> str:
    return f"outreach.referral.{referral.pk}.new"


def _notify_referrer(referral: Referral, kind: str, event: str) -> None:
    notify(
        recipients=[referral.referred_by],
        key=f"outreach.referral.{referral.pk}.{event}",
        kind=kind,
        params={"date": f"{timezone.localtime(referral.referred_at):%Y-%m-%d}"},
        url=reverse("outreach:contact_detail", args=[referral.contact_id]),
    )


# --- Handling a referral ---------------------------------------------------------------------------


def _when(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def _lock_pending(referral: Referral) -> Referral:
    """Re-read the referral under a row lock; refuse unless it is still waiting.

    Race: two coordinators accept the same referral at the same moment (or one declines while
    the outreach worker withdraws). The lock makes the second wait until the first commits; it
    then finds the referral handled and gets a clear message, before anything is created.
    """
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.status == ReferralStatus.ACCEPTED:
        message = _(
            "%(name)s accepted this referral at %(when)s, before you. Nothing was saved for you."
        ) % {"name": locked.accepted_by, "when": _when(locked.accepted_at)}
    elif locked.status == ReferralStatus.DECLINED:
        message = _(
            "%(name)s declined this referral at %(when)s, before you. Nothing was saved for you."
        ) % {"name": locked.declined_by, "when": _when(locked.declined_at)}
    elif locked.status == ReferralStatus.WITHDRAWN:
        message = _("Outreach withdrew this referral at %(when)s. Nothing was saved for you.") % {
            "when": _when(locked.withdrawn_at)
        }
    else:
        return locked
    raise ReferralAlreadyHandled(message, code="handled")


def _accept(
    referral: Referral, *, by: User, case: Case, at: datetime | None, send_notifications: bool
) -> Referral:
    referral.status = ReferralStatus.ACCEPTED
    referral.accepted_at = _moment(at)
    referral.accepted_by = by
    referral.case = case
    referral.full_clean()
    authored_by(referral, by).save(update_fields=["status", "accepted_at", "accepted_by", "case"])
    if at is None:  # history does not make a case look active today
        casework_services.case_touch(case=case)
    notifications_retire(key=_new_referral_key(referral))
    if send_notifications:
        _notify_referrer(referral, kinds.REFERRAL_ACCEPTED, "accepted")
    return referral


def referral_accept_into_case(
    *,
    referral: Referral,
    by: User,
    case: Case,
    at: datetime | None = None,
    send_notifications: bool = True,
    source: AccessSource | None = None,
) -> Referral:
    """Accept by linking the referral to an open case the unit already has. Into a case of a
    person with a protected identity only someone authorised to see it may (a refusal is
    recorded and the managers told before anything else happens)."""
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    casework_services.identity_access_require(
        individual=case.individual, by=by, action=casework_services.ACCEPT, source=source
    )
    return _accept_into_case(
        referral=referral, by=by, case=case, at=at, send_notifications=send_notifications
    )


@transaction.atomic
def _accept_into_case(
    *, referral: Referral, by: User, case: Case, at: datetime | None, send_notifications: bool
) -> Referral:
    locked = _lock_pending(referral)
    current = Case.objects.get(pk=case.pk)  # its state now, not when the page was read
    if at is None:
        was_open = current.is_open
    else:  # history: the case was open on that day
        day = timezone.localdate(_moment(at))
        was_open = current.opened_on <= day and (
            current.closed_on is None or current.closed_on >= day
        )
    if not was_open:
        raise ValidationError(
            _("Case %(number)s is closed. Reopen it first, or open a new case for the person.")
            % {"number": current.number},
            code="closed",
        )
    return _accept(locked, by=by, case=current, at=at, send_notifications=send_notifications)


def referral_accept_with_new_case(
    *,
    referral: Referral,
    by: User,
    individual: Individual,
    at: datetime | None = None,
    send_notifications: bool = True,
    source: AccessSource | None = None,
    **case_fields: Any,
) -> Referral:
    """Accept by opening a new case (origin: outreach referral) for a registered person. For a
    person with a protected identity only someone authorised to see it may (see above)."""
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    casework_services.identity_access_require(
        individual=individual, by=by, action=casework_services.ACCEPT, source=source
    )
    return _accept_with_new_case(
        referral=referral,
        by=by,
        individual=individual,
        at=at,
        send_notifications=send_notifications,
        **case_fields,
    )


# What outreach noticed, read as the means of control the case records (prefilled on a new case
# opened from the referral; the coordinator corrects them on the case).
INDICATOR_MEANS_OF_CONTROL: dict[str, MeansOfControl] = {
    Indicator.NO_DOCUMENTS: MeansOfControl.WITHHOLDS_DOCUMENTS,
    Indicator.DEBT: MeansOfControl.DEBT_BONDAGE,
    Indicator.VIOLENCE: MeansOfControl.PHYSICAL_ABUSE,
    Indicator.RESTRICTED_MOVEMENT: MeansOfControl.RESTRICTS_MOVEMENT,
}


def _means_of_control(referral: Referral) -> list[str]:
    """The contact's indicators that name a means of control, in the code list's order."""
    noticed = set(referral.contact.indicators.values_list("indicator", flat=True))
    found = {INDICATOR_MEANS_OF_CONTROL[i] for i in noticed if i in INDICATOR_MEANS_OF_CONTROL}
    return [str(means) for means in MeansOfControl if means in found]


@transaction.atomic
def _accept_with_new_case(
    *,
    referral: Referral,
    by: User,
    individual: Individual,
    at: datetime | None,
    send_notifications: bool,
    **case_fields: Any,
) -> Referral:
    locked = _lock_pending(referral)
    case_fields.setdefault("means_of_control", _means_of_control(locked))
    case = casework_services.case_open(
        individual=individual, by=by, origin=Origin.OUTREACH_REFERRAL, **case_fields
    )
    return _accept(locked, by=by, case=case, at=at, send_notifications=send_notifications)


@transaction.atomic
def referral_accept_with_new_individual(
    *,
    referral: Referral,
    by: User,
    individual_fields: Mapping[str, Any],
    languages: Iterable[Language] = (),
    at: datetime | None = None,
    send_notifications: bool = True,
    **case_fields: Any,
) -> Referral:
    """Accept by registering the person and opening their case: all three, or none. Without a
    date of birth or a birth year, the person's birth year is estimated from the contact's age
    group, so that the case's category and the statistics' age agree."""
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    locked = _lock_pending(referral)
    case_fields.setdefault("means_of_control", _means_of_control(locked))
    fields = dict(individual_fields)
    if not fields.get("date_of_birth") and not fields.get("birth_year"):
        contact = locked.contact
        estimate = estimated_birth_year(
            contact.age_group, timezone.localdate(contact.contacted_at).year
        )
        if estimate is not None:
            fields["birth_year"] = estimate
    case = casework_services.case_open_with_new_individual(
        by=by,
        individual_fields=fields,
        languages=languages,
        origin=Origin.OUTREACH_REFERRAL,
        **case_fields,
    )
    return _accept(locked, by=by, case=case, at=at, send_notifications=send_notifications)


@transaction.atomic
def referral_decline(
    *,
    referral: Referral,
    by: User,
    reason: str,
    at: datetime | None = None,
    send_notifications: bool = True,
) -> Referral:
    """Decline with a reason; the outreach worker who referred sees the reason."""
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the referral is declined.")})
    locked = _lock_pending(referral)
    locked.status = ReferralStatus.DECLINED
    locked.declined_at = _moment(at)
    locked.declined_by = by
    locked.decline_reason = reason.strip()
    locked.full_clean()
    authored_by(locked, by).save(
        update_fields=["status", "declined_at", "declined_by", "decline_reason"]
    )
    notifications_retire(key=_new_referral_key(locked))
    if send_notifications:
        _notify_referrer(locked, kinds.REFERRAL_DECLINED, "declined")
    return locked


@transaction.atomic
def referral_withdraw(*, referral: Referral, by: User, at: datetime | None = None) -> Referral:
    """Outreach takes back a referral no coordinator has handled yet."""
    require_role(by, Role.OUTREACH, OUTREACH_ONLY)
    locked = _lock_pending(referral)
    if not is_own_contact(locked.contact, by):
        raise ValidationError(_("Only the staff who made the contact can withdraw the referral."))
    locked.status = ReferralStatus.WITHDRAWN
    locked.withdrawn_at = _moment(at)
    locked.withdrawn_by = by
    locked.full_clean()
    authored_by(locked, by).save(update_fields=["status", "withdrawn_at", "withdrawn_by"])
    notifications_retire(key=_new_referral_key(locked))
    return locked


def referred_contacts_cull(*, case_ids: list[int], now: datetime) -> None:
    """Retention: blank the free texts of the outreach contacts referred into these cases and of
    their referrals (live tables and change history); sex, age group, place and time stay for
    the statistics. Call inside a transaction (retention.services.run_confirm)."""
    contact_ids = list(
        Referral.objects.filter(case_id__in=case_ids).values_list("contact_id", flat=True)
    )
    contact_texts = {"alias": "", "description": "", "notes": ""}
    OutreachContact.objects.filter(pk__in=contact_ids).update(
        **contact_texts, version=F("version") + 1, updated_at=now
    )
    OutreachContact.history.filter(id__in=contact_ids).update(**contact_texts)
    referral_texts = {"note": "", "decline_reason": ""}
    Referral.objects.filter(contact_id__in=contact_ids).update(**referral_texts)
    Referral.history.filter(contact_id__in=contact_ids).update(**referral_texts)
