"""Everything Lotsa holds about one individual, for a data-subject export (registerutdrag,
GDPR art. 15): the person, their cases with journals (signed entries and drafts), support,
consents and partner organisations, reflection-period applications, the outreach contacts and
referrals linked to their cases, the change history of all of these, and the access log's rows
about them (who read the data, and when: the recipients the person has a right to know).

`collect()` reads in a fixed number of queries whatever the number of cases, entries or log
rows. Its result holds Python values (dates, aware datetimes in Stockholm time); the JSON
file and the PDF are both made from it (`dsar.exports`). Every model field is included, so a
field added to a model later reaches the export without a change here; choices carry their
label, foreign keys a readable reference, never another person's data beyond staff names.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_countries.fields import Country, CountryField

from accounts.access_names import object_type_label, page_label
from accounts.models import AccessLogEntry, User
from accounts.roles import Role, user_roles
from casework.codes import MeansOfControl, Recruitment

# The change history is read exactly as the object pages show it (same labels, same old → new).
from casework.history import (
    CASE,
    INDIVIDUAL,
    JOURNAL_ENTRY,
    HistorySource,
    build_history,
    history_versions,
)
from casework.models import (
    Case,
    CaseEvent,
    CaseOrganisation,
    CasePurpose,
    Consent,
    Individual,
    IndividualRelation,
    JournalEntry,
    SupportMeasure,
)
from casework.personal_number import format_personal_number
from documents.models import CaseDocument
from outreach.history import CONTACT, REFERRAL
from outreach.models import ContactIndicator, ContactOffer, OutreachContact, Referral
from outreach.selectors import CONTACT_OBJECT_TYPE
from reflection_period.history import APPLICATION
from reflection_period.models import (
    ApplicationEvent,
    ApplicationPurpose,
    ReflectionPeriodApplication,
)

CASE_OBJECT_TYPE = "casework.case"
# Bookkeeping of optimistic locking: not information about anyone.
_NEVER = frozenset({"version"})
# A document's storage bookkeeping: its random name and its wrapped key say nothing about anyone.
DOCUMENT_INTERNAL = ("case", "storage_name", "key_id", "wrapped_key")

FORMAT = "lotsa-registerutdrag/1"


# --- One record: every field, readable -----------------------------------------------------------


def _fields(model: type[models.Model], skip: Iterable[str] = ()) -> list[models.Field[Any, Any]]:
    skipped = _NEVER | set(skip)
    return [f for f in model._meta.concrete_fields if f.name not in skipped]


def _relations(model: type[models.Model], skip: Iterable[str] = ()) -> list[str]:
    """The foreign keys to join, so that naming them costs no query."""
    return [f.name for f in _fields(model, skip) if f.is_relation]


def user_ref(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": str(user)}


def _ref(related: models.Model) -> Any:
    """How a record names an object it points to: enough to read it, nothing more."""
    if isinstance(related, User):
        return user_ref(related)
    if isinstance(related, Case):
        return {"id": related.pk, "number": related.number}
    if isinstance(related, Individual):
        return {"id": related.pk, "reference": related.reference}
    if isinstance(related, JournalEntry):
        return {"id": related.pk, "entry_date": related.entry_date}
    if isinstance(related, OutreachContact):
        return {"id": related.pk}
    return {"id": related.pk, "name": str(related)}


def _value(obj: models.Model, field: models.Field[Any, Any]) -> Any:
    raw = obj.__dict__.get(field.attname)
    if raw is None or raw == "":
        return raw  # not recorded (a blank choice too: no label to give)
    if field.is_relation:
        return _ref(getattr(obj, field.name))  # joined by the queryset (see _relations)
    if field.name == "personal_number":
        return format_personal_number(raw)
    if isinstance(field, CountryField):
        code = raw.code if isinstance(raw, Country) else str(raw)
        return {"value": code, "label": str(Country(code).name)} if code else ""
    if field.choices:
        return {"value": raw, "label": str(dict(field.flatchoices).get(raw, raw))}
    if isinstance(raw, datetime):
        return timezone.localtime(raw)
    return raw


def _record(obj: models.Model, skip: Iterable[str] = ()) -> dict[str, Any]:
    return {f.name: _value(obj, f) for f in _fields(type(obj), skip)}


def _fallback_labels() -> dict[str, str]:
    """Names for the few fields declared without a verbose name (Django would print the
    attribute's name, in English)."""
    return {"created_by": _("created by"), "recorded_by": _("recorded by"), "by": _("recorded by")}


def _labels(model: type[models.Model], skip: Iterable[str] = (), **extra: str) -> dict[str, str]:
    fallback = _fallback_labels()
    labels = {}
    for f in _fields(model, skip):
        named = str(f.verbose_name) != f.name.replace("_", " ")
        labels[f.name] = capfirst(str(f.verbose_name) if named else fallback.get(f.name, f.name))
    labels["id"] = _("Id")
    return labels | extra


def _choice(value: str, label: Any) -> dict[str, str]:
    return {"value": value, "label": str(label)}


# --- Reading --------------------------------------------------------------------------------------


def _cases(individual: Individual) -> list[Case]:
    def rows(model: type[models.Model], *order: str, skip: Iterable[str] = ("case",)) -> Any:
        return model._default_manager.select_related(*_relations(model, skip)).order_by(*order)

    return list(
        Case.objects.filter(individual=individual)
        .select_related(*_relations(Case, ["individual"]))
        .prefetch_related(
            Prefetch("purposes", queryset=CasePurpose.objects.order_by("purpose")),
            Prefetch(
                "journal_entries",
                queryset=rows(JournalEntry, "entry_date", "created_at", "pk"),
            ),
            Prefetch(
                "support_measures", queryset=rows(SupportMeasure, "started_on", "created_at", "pk")
            ),
            Prefetch("consents", queryset=rows(Consent, "given_on", "created_at", "pk")),
            Prefetch(
                "organisation_links",
                queryset=rows(CaseOrganisation, "linked_on", "created_at", "pk"),
            ),
            Prefetch("events", queryset=rows(CaseEvent, "at", "pk")),
            Prefetch(
                "documents",
                queryset=rows(
                    CaseDocument, "dated_on", "uploaded_at", "pk", skip=DOCUMENT_INTERNAL
                ),
            ),
        )
        .order_by("opened_on", "pk")
    )


def _applications(case_ids: list[int]) -> list[ReflectionPeriodApplication]:
    return list(
        ReflectionPeriodApplication.objects.filter(case_id__in=case_ids)
        .select_related(*_relations(ReflectionPeriodApplication))
        .prefetch_related(
            Prefetch("purposes", queryset=ApplicationPurpose.objects.order_by("purpose")),
            Prefetch(
                "events",
                queryset=ApplicationEvent.objects.select_related("by").order_by("at", "pk"),
            ),
        )
        .order_by("created_at", "pk")
    )


def _referrals(case_ids: list[int]) -> list[Referral]:
    return list(
        Referral.objects.filter(case_id__in=case_ids)
        .select_related(*_relations(Referral))
        .order_by("referred_at", "pk")
    )


def _contacts(contact_ids: set[int]) -> list[OutreachContact]:
    return list(
        OutreachContact.objects.filter(pk__in=contact_ids)
        .select_related(*_relations(OutreachContact))
        .prefetch_related(
            Prefetch("staff", queryset=User.objects.order_by("pk")),
            Prefetch("indicators", queryset=ContactIndicator.objects.order_by("indicator")),
            Prefetch("offers", queryset=ContactOffer.objects.order_by("offer")),
        )
        .order_by("contacted_at", "pk")
    )


def _history(
    individual: Individual,
    cases: list[Case],
    applications: list[ReflectionPeriodApplication],
    contacts: list[OutreachContact],
    referrals: list[Referral],
) -> list[dict[str, Any]]:
    """Every recorded version of the person's objects: one query per history table."""
    numbers = {case.pk: case.number for case in cases}
    case_ids = list(numbers)

    def case_number(case_id: int) -> str:
        return numbers.get(case_id, f"#{case_id}")

    sources = [
        HistorySource(
            INDIVIDUAL,
            history_versions(INDIVIDUAL, id=individual.pk),
            lambda record: _("The individual"),
        )
    ]
    if case_ids:
        sources += [
            HistorySource(
                CASE,
                history_versions(CASE, id__in=case_ids),
                lambda record: _("Case %(number)s") % {"number": record.number},
            ),
            HistorySource(
                JOURNAL_ENTRY,
                history_versions(JOURNAL_ENTRY, case_id__in=case_ids),
                lambda record: (
                    _("Journal entry of %(date)s in case %(number)s")
                    % {"date": record.entry_date.isoformat(), "number": case_number(record.case_id)}
                ),
            ),
        ]
    if applications:
        sources.append(
            HistorySource(
                APPLICATION,
                history_versions(APPLICATION, id__in=[a.pk for a in applications]),
                lambda record: (
                    _("Reflection-period application %(id)s in case %(number)s")
                    % {"id": record.id, "number": case_number(record.case_id)}
                ),
            )
        )
    if contacts:
        sources.append(
            HistorySource(
                CONTACT,
                history_versions(CONTACT, id__in=[c.pk for c in contacts]),
                lambda record: _("Outreach contact #%(id)s") % {"id": record.id},
            )
        )
    if referrals:
        sources.append(
            HistorySource(
                REFERRAL,
                history_versions(REFERRAL, id__in=[r.pk for r in referrals]),
                lambda record: _("Referral R%(id)s") % {"id": record.id},
            )
        )
    # Oldest first, as a record of what happened.
    return [
        {
            "at": timezone.localtime(entry.at),
            "by": entry.who,
            "action": _choice(entry.kind, entry.kind_label),
            "object": entry.subject,
            "changes": [
                {"field": change.label, "old": change.old, "new": change.new}
                for change in entry.changes
            ],
        }
        for entry in reversed(build_history(sources))
    ]


def _access_log(
    individual: Individual, cases: list[Case], contacts: list[OutreachContact]
) -> list[dict[str, Any]]:
    """Who read the person's data, when, through which page, named as the log review names them
    (accounts.access_names; a case by its number). The reader's IP address is the staff
    member's data, not the person's, and is left out."""
    about = Q(individual_id=individual.pk)
    if contacts:
        about |= Q(object_type=CONTACT_OBJECT_TYPE, object_id__in=[str(c.pk) for c in contacts])
    rows = AccessLogEntry.objects.filter(about).select_related("user").order_by("at", "pk")
    numbers = {str(case.pk): case.number for case in cases}
    return [
        {
            "at": timezone.localtime(row.at),
            "user": user_ref(row.user),
            "action": _choice(row.action, row.get_action_display()),
            "object": _log_object(row, numbers),
            "page": page_label(row.view_name, unknown=_("Another page in Lotsa")),
            "detail": row.detail,
        }
        for row in rows
    ]


def _log_object(row: AccessLogEntry, case_numbers: dict[str, str]) -> str:
    """The kind of object read, in words; a case with its number."""
    kind = object_type_label(row.object_type)
    if row.object_type == CASE_OBJECT_TYPE and row.object_id in case_numbers:
        return f"{kind} {case_numbers[row.object_id]}"
    return kind


@cache
def lotsa_version() -> str:
    """The version in pyproject.toml, when the file is deployed with the code."""
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return ""


# --- The whole export -----------------------------------------------------------------------------


def collect(
    individual: Individual, *, generated_by: User | None = None, request_reference: str = ""
) -> dict[str, Any]:
    """Everything Lotsa holds about `individual`, in a fixed number of queries."""
    person = _record(individual)
    person["languages"] = [
        {"value": language.code, "label": str(language)}
        for language in individual.languages.order_by("code")
    ]
    person["is_protected"] = individual.is_protected

    cases = _cases(individual)
    case_ids = [case.pk for case in cases]
    applications = _applications(case_ids)
    referrals = _referrals(case_ids)
    contacts = _contacts({referral.contact_id for referral in referrals})

    case_records = []
    for case in cases:
        record = _record(case, ["individual"])
        record["purposes"] = [
            _choice(p.purpose, p.get_purpose_display()) for p in case.purposes.all()
        ]
        # Lists of codes: each with its label, like the purposes.
        for name, choices in (("means_of_control", MeansOfControl), ("recruitment", Recruitment)):
            labels = dict(choices.choices)
            record[name] = [_choice(code, labels.get(code, code)) for code in getattr(case, name)]
        record["journal_entries"] = [
            _record(entry, ["case"])
            | {
                "status": _choice("signed", _("Signed"))
                if entry.is_signed
                else _choice("draft", _("Draft (not signed)"))
            }
            for entry in case.journal_entries.all()
        ]
        record["support_measures"] = [_record(m, ["case"]) for m in case.support_measures.all()]
        record["consents"] = [_record(c, ["case"]) for c in case.consents.all()]
        record["organisation_links"] = [_record(o, ["case"]) for o in case.organisation_links.all()]
        record["events"] = [_record(e, ["case"]) for e in case.events.all()]
        record["documents"] = [
            _record(d, DOCUMENT_INTERNAL) | {"id": d.pk} for d in case.documents.all()
        ]
        case_records.append(record)

    application_records = []
    for application in applications:
        record = _record(application)
        record["purposes"] = [
            _choice(p.purpose, p.get_purpose_display()) for p in application.purposes.all()
        ]
        record["events"] = [_record(e, ["application"]) for e in application.events.all()]
        application_records.append(record)

    contact_records = []
    for contact in contacts:
        record = _record(contact)
        record["staff"] = [user_ref(user) for user in contact.staff.all()]
        record["indicators"] = [
            _choice(i.indicator, i.get_indicator_display()) for i in contact.indicators.all()
        ]
        record["offers"] = [_choice(o.offer, o.get_offer_display()) for o in contact.offers.all()]
        contact_records.append(record)

    return {
        "format": FORMAT,
        "generated_at": timezone.localtime(),
        "generated_by": _maker(generated_by),
        "request_reference": request_reference,
        "lotsa_version": lotsa_version(),
        "individual": person,
        "cases": case_records,
        "reflection_period_applications": application_records,
        "outreach_contacts": contact_records,
        "referrals": [_record(referral) for referral in referrals],
        "related_persons": _related_persons(individual),
        "change_history": _history(individual, cases, applications, contacts, referrals),
        "access_log": _access_log(individual, cases, contacts),
        "field_labels": field_labels(),
    }


def _maker(user: User | None) -> dict[str, Any] | None:
    """Who made the extract: their name and role, as the person reading it needs them."""
    if user is None:
        return None
    held = user_roles(user)
    return {
        "id": user.pk,
        "username": user.username,
        "name": str(user),
        "roles": [_choice(role.value, role.label) for role in Role if role.value in held],
    }


def _related_persons(individual: Individual) -> list[dict[str, Any]]:
    """The people linked to the person: the relation as read from the person's side and the
    other's reference (their own data is theirs, not part of this person's extract)."""
    relations = IndividualRelation.objects.filter(
        Q(individual=individual) | Q(related=individual)
    ).select_related("individual", "related", "created_by")
    return [
        {
            "relation": relation.kind_from(individual),
            "reference": relation.other(individual).reference,
            "created_at": relation.created_at,
            "created_by": user_ref(relation.created_by),
        }
        for relation in sorted(relations, key=lambda r: r.created_at)
    ]


def field_labels() -> dict[str, dict[str, str]]:
    """The Swedish (or current language's) name of every field in the export, per kind."""
    purposes = _("Purposes of exploitation")
    events = _("Events")
    return {
        "individual": _labels(
            Individual, languages=_("Languages"), is_protected=_("Protected personal data")
        ),
        "case": _labels(
            Case,
            ["individual"],
            purposes=purposes,
            journal_entries=_("Journal entries"),
            support_measures=_("Support measures"),
            consents=_("Consents to share information"),
            organisation_links=_("Organisations linked"),
            events=events,
            documents=_("Documents"),
        ),
        "case_document": _labels(CaseDocument, DOCUMENT_INTERNAL),
        "journal_entry": _labels(JournalEntry, ["case"], status=_("Status")),
        "support_measure": _labels(SupportMeasure, ["case"]),
        "consent": _labels(Consent, ["case"]),
        "organisation_link": _labels(CaseOrganisation, ["case"]),
        "case_event": _labels(CaseEvent, ["case"]),
        "reflection_period_application": _labels(
            ReflectionPeriodApplication, purposes=purposes, events=events
        ),
        "application_event": _labels(ApplicationEvent, ["application"]),
        "outreach_contact": _labels(
            OutreachContact,
            staff=_("Staff present"),
            indicators=_("Trafficking indicators"),
            offers=_("Offered support"),
        ),
        "referral": _labels(Referral),
    }
