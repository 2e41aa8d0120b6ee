"""The cross-cutting security tests' shared parts: a small world of real objects (one of each
kind of thing a URL can point to), every URL pattern of the URL configuration, and what each
role may get from each of them.

The URL patterns are discovered from the resolver, recursively, so a URL added anywhere is
walked by the authorisation audit and the CSRF test at once; without a declared expectation
below, the audit fails and names it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.db import models, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Notification, User
from accounts.roles import Role
from casework import services as casework_services
from casework.models import (
    Case,
    CaseOrganisation,
    Consent,
    IdentityAuthorisation,
    Individual,
    IndividualRelation,
    JournalEntry,
    Organisation,
    Origin,
    Protection,
    SupportMeasure,
)
from documents import services as documents_services
from documents.models import CaseDocument, Direction, DocumentKind
from exportjobs import services as exportjob_services
from exportjobs.models import ExportJob
from importing.models import ImportJob, ImportJobStatus
from outreach import services as outreach_services
from outreach.models import District, OutreachContact, Referral
from reflection_period import services as reflection_services
from reflection_period.models import ReflectionPeriodApplication, Reminder, ReminderRule
from reporting.models import ExportStatus, ReportExport, Training
from retention.models import RetentionRun
from tests.documents_helpers import pdf_bytes
from tests.factories import UserFactory

# --- The world ------------------------------------------------------------------------------------

# What the world's people are called: a response that contains one of these has leaked.
SECRETS = {
    "given_name": "Vilmina",
    "family_name": "Grönqvistsson",
    "alias": "Lärkfalk",
    "personal_number": "19900315-2387",
    "phone": "070-987 65 43",
    "journal": "Journaltext-om-hemliga-saker",
    "contact_alias": "Tornsvala",
    "contact_description": "Röd-jacka-vid-busshållplatsen",
    "other_contact_alias": "Havsörnen",
}


@dataclass
class World:
    """One real object of every kind a URL can name; `users` holds one user per role."""

    users: dict[str, User]
    individual: Individual
    case: Case
    draft_entry: JournalEntry
    signed_entry: JournalEntry
    measure: SupportMeasure
    consent: Consent
    link: CaseOrganisation
    contact: OutreachContact
    referral: Referral
    other_contact: OutreachContact
    other_referral: Referral
    application: ReflectionPeriodApplication
    reminder: Reminder
    notification: Notification
    training: Training
    export: ReportExport
    authorisation: IdentityAuthorisation
    document: CaseDocument
    import_job: ImportJob
    export_job: ExportJob


def build_world() -> World:
    """Objects made through the services where they have one, as the pages would make them."""
    users = {
        "coordinator": UserFactory.create(username="karin", roles=[Role.COORDINATOR]),
        "other_coordinator": UserFactory.create(username="samira", roles=[Role.COORDINATOR]),
        "outreach": UserFactory.create(username="jonas", roles=[Role.OUTREACH]),
        "other_outreach": UserFactory.create(username="petra", roles=[Role.OUTREACH]),
        "manager": UserFactory.create(username="maria", roles=[Role.MANAGER]),
        "admin": UserFactory.create(username="ali", roles=[Role.ADMIN]),
        "no_role": UserFactory.create(username="olle"),
    }
    coordinator = users["coordinator"]
    case = casework_services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={
            "alias": SECRETS["alias"],
            "given_name": SECRETS["given_name"],
            "family_name": SECRETS["family_name"],
            "personal_number": SECRETS["personal_number"].replace("-", ""),
            "date_of_birth": date(1990, 3, 15),
            "phone": SECRETS["phone"],
            "sex": "female",
            "citizenship": "RO",
            "protection": Protection.NONE,
        },
        coordinator=coordinator,
        opened_on=date(2025, 3, 1),
        origin=Origin.POLICE,
        offence="trafficking",
        purposes=["sexual"],
    )
    today = timezone.localdate()
    signed = casework_services.journal_entry_create(
        case=case, author=coordinator, entry_date=today, kind="meeting", text=SECRETS["journal"]
    )
    casework_services.journal_entry_sign(entry=signed, by=coordinator)
    draft = casework_services.journal_entry_create(
        case=case, author=coordinator, entry_date=today, kind="phone", text=SECRETS["journal"]
    )
    organisation = Organisation.objects.filter(active=True).order_by("pk").first()
    assert organisation is not None  # seeded by casework's migration
    measure = casework_services.support_measure_create(
        case=case, by=coordinator, type="counselling", started_on=today
    )
    consent = casework_services.consent_record(
        case=case, by=coordinator, organisation=organisation, given_on=today
    )
    link = casework_services.organisation_link_create(
        case=case, by=coordinator, organisation=organisation, linked_on=today, purpose="Boende"
    )
    contact = _contact(users["outreach"], SECRETS["contact_alias"], SECRETS["contact_description"])
    referral = outreach_services.referral_create(
        contact=contact, by=users["outreach"], send_notifications=False
    )
    other_contact = _contact(users["other_outreach"], SECRETS["other_contact_alias"], "")
    other_referral = outreach_services.referral_create(
        contact=other_contact, by=users["other_outreach"], send_notifications=False
    )
    application = reflection_services.application_create(
        case=case, by=coordinator, offence="trafficking", purposes=["sexual"]
    )
    reminder = Reminder.objects.create(
        application=application,
        rule=ReminderRule.DRAFT_FORGOTTEN,
        key=f"security-test-{application.pk}",
        recipient=coordinator,
        due_on=today,
    )
    notification = Notification.objects.create(
        recipient=coordinator, key="security-test", kind="security-test", url="/"
    )
    training = Training.objects.create(
        held_on=date(2025, 3, 1),
        title="Människohandel för socialsekreterare",
        audience="Socialtjänsten",
        organiser="Enheten",
        participants=12,
        created_by=users["manager"],
    )
    export = ReportExport.objects.create(
        year=2024,
        as_of=date(2025, 3, 31),
        format="json",
        requested_by=users["manager"],
        status=ExportStatus.DONE,
        content=b"{}",
        filename="lotsa-2024.json",
    )
    # A large file's check, done, with nothing to import (the walk's confirm gets 400).
    import_job = ImportJob.objects.create(
        requested_by=users["manager"],
        file_name="arkiv.csv",
        file_sha256="0" * 64,
        rows_total=0,
        status=ImportJobStatus.DONE,
        finished_at=timezone.now(),
        report={"committed": False, "rows": []},
    )
    # A registerutdrag made in the background for the manager (only theirs to see).
    export_job = exportjob_services.job_start(
        kind="dsar.subject_export",
        by=users["manager"],
        params={
            "individual": case.individual.pk,
            "format": "json",
            "request_reference": "Dnr 2026/1",
            "include_documents": False,
        },
        view_name="dsar:subject_export",
        ip_address=None,
    )
    exportjob_services.job_make(job_id=export_job.pk)
    export_job.refresh_from_db()
    # An authorisation on record (the person's protection ended since it was granted).
    authorisation = IdentityAuthorisation.objects.create(
        individual=case.individual,
        user=users["other_coordinator"],
        basis=IdentityAuthorisation.Basis.GRANTED,
        reason="Vikarierar.",
        granted_at=timezone.now(),
        granted_by=users["manager"],
    )
    document = documents_services.document_upload(
        case=case,
        by=coordinator,
        content=pdf_bytes("Beslut om betänketid"),
        file_name="beslut.pdf",
        kind=DocumentKind.MIGRATION_DECISION,
        direction=Direction.RECEIVED,
        dated_on=today,
        title="Beslut om betänketid",
    )
    return World(
        users=users,
        individual=case.individual,
        case=case,
        draft_entry=draft,
        signed_entry=signed,
        measure=measure,
        consent=consent,
        link=link,
        contact=contact,
        referral=referral,
        other_contact=other_contact,
        other_referral=other_referral,
        application=application,
        reminder=reminder,
        notification=notification,
        training=training,
        export=export,
        authorisation=authorisation,
        document=document,
        import_job=import_job,
        export_job=export_job,
    )


def _contact(worker: User, alias: str, description: str) -> OutreachContact:
    return outreach_services.contact_create(
        by=worker,
        contacted_at=timezone.now() - timedelta(hours=2),
        environment="street",
        district=District.objects.get(code="norrmalm"),
        staff=[worker],
        alias=alias,
        description=description,
        consent="yes",
    )


# --- Every URL pattern ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern: its name with namespace ("casework:case_detail"), or for a pattern
    without a name its route ("admin/casework/language/<path:object_id>/"), and its route."""

    key: str
    route: str


def all_routes() -> list[Route]:
    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if pattern.name:
                    key = f"{namespace}:{pattern.name}" if namespace else pattern.name
                else:
                    key = route
                yield Route(key=key, route=route)

    return list(walk(get_resolver().url_patterns, "", ""))


# --- What each role gets --------------------------------------------------------------------------

ALLOWED = "allowed"  # 2xx, a redirect that is not to a sign-in page, or 400/409 (a form error)
LOGIN = "login"  # redirected to the sign-in page
FORBIDDEN = "403"
NOT_FOUND = "404"
ADMIN_LOGIN = "admin-login"  # redirected to the admin's sign-in (which sends on or refuses)

ROLES = ("anonymous", "coordinator", "outreach", "manager", "admin", "no_role")

Kwargs = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Expect:
    outcomes: dict[str, str]
    method: str = "GET"
    kwargs: Kwargs | None = None
    path: Callable[[World], str] | None = None  # for patterns that cannot be reversed

    def url(self, key: str, world: World) -> str:
        if self.path is not None:
            return self.path(world)
        return reverse(key, kwargs=self.kwargs(world) if self.kwargs else None)


def expect(
    anonymous: str,
    coordinator: str,
    outreach: str,
    manager: str,
    admin: str,
    no_role: str,
    *,
    method: str = "GET",
    kwargs: Kwargs | None = None,
    path: Callable[[World], str] | None = None,
) -> Expect:
    outcomes = dict(
        zip(ROLES, (anonymous, coordinator, outreach, manager, admin, no_role), strict=True)
    )
    return Expect(outcomes=outcomes, method=method, kwargs=kwargs, path=path)


A, L, F, N, AL = ALLOWED, LOGIN, FORBIDDEN, NOT_FOUND, ADMIN_LOGIN
POST = "POST"


def _case(w: World) -> dict[str, Any]:
    return {"pk": w.case.pk}


def _draft(w: World) -> dict[str, Any]:
    return {"pk": w.case.pk, "entry_pk": w.draft_entry.pk}


def _document(w: World) -> dict[str, Any]:
    return {"pk": w.case.pk, "document_pk": w.document.pk}


def _application(w: World) -> dict[str, Any]:
    return {"pk": w.application.pk}


def _relation(w: World) -> dict[str, Any]:
    """A link of the world's person to another person (made once, on first use)."""
    relation = IndividualRelation.objects.filter(individual=w.individual).first()
    if relation is None:
        coordinator = w.users["coordinator"]
        other = casework_services.individual_create(by=coordinator, alias="Syster", sex="female")
        relation = casework_services.relation_create(
            individual=w.individual, related=other, kind="sibling", by=coordinator
        )
    return {"pk": w.individual.pk, "relation_pk": relation.pk}


def _retention_run() -> dict[str, Any]:
    """A waiting retention proposal (the one there is, else a new empty one)."""
    run = RetentionRun.objects.filter(status=RetentionRun.Status.PROPOSED).first()
    if run is None:
        today = timezone.localdate()
        run = RetentionRun.objects.create(
            today=today, cutoff=today - timedelta(days=5 * 365), retention_years=5
        )
    return {"pk": run.pk}


# Coordinators and managers read cases, coordinators change them; everyone else must not learn
# that cases exist (404). Outreach staff see their own contacts and their referrals' status;
# coordinators handle referrals; managers read everything. Statistics are the managers' (others
# may know the page exists: 403). The admin site is the admin role's.
CASE_READ = (L, A, N, A, N, N)
CASE_EDIT = (L, A, N, F, N, N)
MANAGERS = (L, F, F, A, F, F)

EXPECTATIONS: dict[str, Expect] = {
    # Accounts, notifications and project-level pages
    "home": expect(L, A, A, A, A, F),
    "healthz": expect(A, A, A, A, A, A),
    "notifications": expect(L, A, A, A, A, A),
    "notification_acknowledge": expect(
        L, A, N, N, N, N, method=POST, kwargs=lambda w: {"pk": w.notification.pk}
    ),
    "notification_acknowledge_all": expect(L, A, A, A, A, A, method=POST),
    "accounts:login": expect(A, A, A, A, A, A),
    # Sign-out continues at the identity provider only for a session that signed in there; for
    # everyone else it is a redirect to the sign-in page.
    "accounts:signed_out": expect(A, A, A, A, A, A),
    "accounts:logout": expect(A, A, A, A, A, A, method=POST),
    # A new account's one-time link to choose a password: anyone holding it; a link that does
    # not work says so.
    "accounts:password_set": expect(
        A, A, A, A, A, A, kwargs=lambda w: {"uidb64": "MQ", "token": "x-" + "y" * 32}
    ),
    "home:start_coordinator": expect(L, A, F, F, F, F),
    "home:start_outreach": expect(L, F, A, F, F, F),
    "home:start_manager": expect(*MANAGERS),
    "home:start_admin": expect(L, F, F, F, A, F),
    "set_language": expect(A, A, A, A, A, A, method=POST),
    # Casework
    "casework:case_list": expect(*CASE_READ),
    "casework:case_export": expect(*CASE_READ),
    "casework:case_create": expect(*CASE_EDIT),
    "casework:case_detail": expect(*CASE_READ, kwargs=_case),
    "casework:case_history": expect(*CASE_READ, kwargs=_case),
    "casework:case_edit": expect(*CASE_EDIT, kwargs=_case),
    "casework:case_close": expect(*CASE_EDIT, kwargs=_case),
    "casework:case_reopen": expect(*CASE_EDIT, kwargs=_case),
    "casework:case_reassign": expect(*CASE_READ, kwargs=_case),  # managers reassign too
    "casework:journal_create": expect(*CASE_EDIT, kwargs=_case),
    "casework:journal_edit": expect(*CASE_EDIT, kwargs=_draft),
    "casework:journal_sign": expect(*CASE_EDIT, method=POST, kwargs=_draft),
    "casework:journal_delete": expect(*CASE_EDIT, method=POST, kwargs=_draft),
    "casework:journal_correct": expect(
        *CASE_EDIT, kwargs=lambda w: {"pk": w.case.pk, "entry_pk": w.signed_entry.pk}
    ),
    "casework:support_create": expect(*CASE_EDIT, kwargs=_case),
    "casework:support_end": expect(
        *CASE_EDIT, kwargs=lambda w: {"pk": w.case.pk, "measure_pk": w.measure.pk}
    ),
    "casework:organisation_link_create": expect(*CASE_EDIT, kwargs=_case),
    "casework:consent_create": expect(*CASE_EDIT, kwargs=_case),
    "casework:consent_withdraw": expect(
        *CASE_EDIT, kwargs=lambda w: {"pk": w.case.pk, "consent_pk": w.consent.pk}
    ),
    "casework:individual_detail": expect(*CASE_READ, kwargs=lambda w: {"pk": w.individual.pk}),
    "casework:individual_edit": expect(*CASE_EDIT, kwargs=lambda w: {"pk": w.individual.pk}),
    "casework:case_open_for_individual": expect(
        *CASE_EDIT, kwargs=lambda w: {"pk": w.individual.pk}
    ),
    # Managers grant and revoke authorisations to see a protected identity; coordinators may
    # know the person's page exists (403), other roles must not (404). The world's person is not
    # protected: the manager's grant is refused with a message (400), the revocation done.
    "casework:identity_authorisation_grant": expect(
        L, F, N, A, N, N, method=POST, kwargs=lambda w: {"pk": w.individual.pk}
    ),
    "casework:identity_authorisation_revoke": expect(
        L,
        F,
        N,
        A,
        N,
        N,
        method=POST,
        kwargs=lambda w: {"pk": w.individual.pk, "authorisation_pk": w.authorisation.pk},
    ),
    # Case documents: read as the case is (a protected person's as their identity), added and
    # marked as registered by mistake by coordinators. Outreach, admin and no role: 404.
    "documents:document_list": expect(*CASE_READ, kwargs=_case),
    "documents:document_upload": expect(*CASE_EDIT, kwargs=_case),
    "documents:document_detail": expect(*CASE_READ, kwargs=_document),
    "documents:document_download": expect(*CASE_READ, kwargs=_document),
    "documents:document_preview": expect(*CASE_READ, kwargs=_document),
    "documents:document_void": expect(*CASE_EDIT, kwargs=_document),
    # Related persons: coordinators link and unlink people and add an accompanying child.
    "casework:relation_create": expect(*CASE_EDIT, kwargs=lambda w: {"pk": w.individual.pk}),
    "casework:relation_remove": expect(*CASE_EDIT, method=POST, kwargs=_relation),
    "casework:accompanying_child": expect(*CASE_EDIT, kwargs=_case),
    # Outreach (the contact is the outreach worker's, referred to the common inbox)
    "outreach:contact_list": expect(L, F, A, A, N, N),
    "outreach:contact_create": expect(L, F, A, F, N, N),
    "outreach:contact_detail": expect(L, A, A, A, N, N, kwargs=lambda w: {"pk": w.contact.pk}),
    "outreach:contact_edit": expect(L, F, A, F, N, N, kwargs=lambda w: {"pk": w.contact.pk}),
    "outreach:referral_create": expect(L, F, A, F, N, N, kwargs=lambda w: {"pk": w.contact.pk}),
    "outreach:referral_list": expect(L, A, A, A, N, N),
    "outreach:referral_detail": expect(L, A, A, A, N, N, kwargs=lambda w: {"pk": w.referral.pk}),
    "outreach:referral_accept_case": expect(
        L, A, F, F, N, N, method=POST, kwargs=lambda w: {"pk": w.referral.pk}
    ),
    "outreach:referral_accept_new": expect(
        L, A, F, F, N, N, kwargs=lambda w: {"pk": w.referral.pk}
    ),
    "outreach:referral_decline": expect(L, A, F, F, N, N, kwargs=lambda w: {"pk": w.referral.pk}),
    "outreach:referral_withdraw": expect(
        L, F, A, F, N, N, method=POST, kwargs=lambda w: {"pk": w.referral.pk}
    ),
    # Reflection period
    "reflection_period:application_create": expect(
        *CASE_EDIT, kwargs=lambda w: {"case_pk": w.case.pk}
    ),
    "reflection_period:deadline_board": expect(*CASE_READ),
    "reflection_period:application_detail": expect(*CASE_READ, kwargs=_application),
    "reflection_period:application_edit": expect(*CASE_EDIT, kwargs=_application),
    "reflection_period:application_submit": expect(*CASE_EDIT, kwargs=_application),
    "reflection_period:application_decide": expect(*CASE_EDIT, kwargs=_application),
    "reflection_period:application_permit": expect(*CASE_EDIT, kwargs=_application),
    "reflection_period:application_next_step": expect(*CASE_EDIT, kwargs=_application),
    "reflection_period:application_withdraw": expect(*CASE_EDIT, kwargs=_application),
    "reflection_period:application_pdf": expect(*CASE_READ, kwargs=_application),
    "reflection_period:reminder_acknowledge": expect(
        L, A, N, N, N, N, method=POST, kwargs=lambda w: {"pk": w.reminder.pk}
    ),
    # Reporting (managers)
    "reporting:report": expect(*MANAGERS),
    "reporting:export_create": expect(*MANAGERS, method=POST),
    "reporting:export_detail": expect(*MANAGERS, kwargs=lambda w: {"pk": w.export.pk}),
    "reporting:export_download": expect(*MANAGERS, kwargs=lambda w: {"pk": w.export.pk}),
    "reporting:narrative_edit": expect(*MANAGERS, kwargs=lambda w: {"year": 2024}),
    "reporting:training_list": expect(*MANAGERS),
    "reporting:training_create": expect(*MANAGERS),
    "reporting:training_edit": expect(*MANAGERS, kwargs=lambda w: {"pk": w.training.pk}),
    "reporting:training_delete": expect(
        *MANAGERS, method=POST, kwargs=lambda w: {"pk": w.training.pk}
    ),
    # The national report and the HTCDS and CTDC exports (managers)
    "national:report": expect(*MANAGERS),
    # The downloads are started by a POST (a background job); a GET leads to the page.
    "national:report_download": expect(*MANAGERS, method=POST, kwargs=lambda w: {"fmt": "json"}),
    "national:htcds_download": expect(*MANAGERS, method=POST, kwargs=lambda w: {"fmt": "csv"}),
    "national:ctdc_download": expect(*MANAGERS, method=POST),
    # Access log review (managers)
    "audit:access_log": expect(*MANAGERS),
    "audit:access_log_export": expect(*MANAGERS),
    # Two-factor sign-in: every signed-in user manages their own device. With no sign-in
    # pending, the verification step sends on to the start page; backup codes are shown once,
    # right after they are made, and new ones are made with a POST only.
    "twofactor:overview": expect(L, A, A, A, A, A),
    "twofactor:enrol": expect(L, A, A, A, A, A),
    # The one-time link of an administrator's reset: it keeps its token in the session and sends
    # everyone on to the enrolment page (which asks for the sign-in and checks the link).
    "twofactor:enrol_link": expect(A, A, A, A, A, A, kwargs=lambda w: {"token": "x" * 43}),
    "twofactor:verify": expect(L, A, A, A, A, A),
    # Single sign-on (the walk switches it on, tests/test_hardening_authorisation.py): anyone may
    # start it (signed-in people are sent home); the callback refuses a request without a state
    # it gave out with a Swedish 400 page.
    "sso:start": expect(A, A, A, A, A, A),
    "sso:callback": expect(A, A, A, A, A, A),
    "twofactor:backup_codes": expect(L, A, A, A, A, A),
    "twofactor:backup_codes_regenerate": expect(L, A, A, A, A, A, method=POST),
    # The admin role resets a user's device from the admin site.
    "admin:accounts_user_two_factor_reset": expect(
        AL, AL, AL, AL, A, AL, kwargs=lambda w: {"object_id": w.users["coordinator"].pk}
    ),
    # The admin role makes a new link to choose a password (not for their own account).
    "admin:accounts_user_password_link": expect(
        AL, AL, AL, AL, A, AL, kwargs=lambda w: {"object_id": w.users["coordinator"].pk}
    ),
    # Data-subject export (managers; every other role is refused before any lookup)
    "dsar:subject_export": expect(*MANAGERS, kwargs=lambda w: {"pk": w.individual.pk}),
    # Retention (managers): the runs, a run's dry-run list, propose, confirm, cancel
    "retention:run_list": expect(*MANAGERS),
    "retention:run_propose": expect(*MANAGERS, method=POST),
    "retention:run_detail": expect(*MANAGERS, kwargs=lambda w: _retention_run()),
    "retention:run_confirm": expect(*MANAGERS, method=POST, kwargs=lambda w: _retention_run()),
    "retention:run_cancel": expect(*MANAGERS, method=POST, kwargs=lambda w: _retention_run()),
    # Import of past records (managers): the page and its dry run, the template, the confirmation
    "importing:start": expect(*MANAGERS),
    "importing:template": expect(*MANAGERS),
    "importing:confirm": expect(*MANAGERS, method=POST),
    # A large file's job page: only the manager who uploaded it.
    "importing:job": expect(*MANAGERS, kwargs=lambda w: {"pk": w.import_job.pk}),
    "importing:job_confirm": expect(
        *MANAGERS, method=POST, kwargs=lambda w: {"pk": w.import_job.pk}
    ),
    # A file made in the background (exportjobs): its page and its download, only for the one
    # who asked (here a manager's registerutdrag); everyone else 403, as for a missing id.
    "exportjobs:list": expect(L, A, F, A, F, F),
    "exportjobs:job": expect(*MANAGERS, kwargs=lambda w: {"pk": w.export_job.pk}),
    "exportjobs:download": expect(*MANAGERS, kwargs=lambda w: {"pk": w.export_job.pk}),
    # The admin site's own pages (its model pages follow the rule in `admin_expectation`)
    "admin:index": expect(AL, AL, AL, AL, A, AL),
    # One sign-in page for everyone: anonymous users are sent on to it, system administrators
    # (back from signing in) on to the admin, other signed-in users refused.
    "admin:login": expect(L, F, F, F, A, F),
    # Django's admin logout sends users without admin access to the admin index.
    "admin:logout": expect(A, A, A, A, A, A, method=POST),
    "admin:password_change": expect(AL, AL, AL, AL, A, AL),
    "admin:password_change_done": expect(AL, AL, AL, AL, A, AL),
    # Refuses a request without the field it completes (there is none in Lotsa's admin).
    "admin:autocomplete": expect(AL, AL, AL, AL, F, AL),
    "admin:jsi18n": expect(AL, AL, AL, AL, A, AL),
    # No model of Lotsa's admin has a page outside the admin to send to.
    "admin:view_on_site": expect(
        AL,
        AL,
        AL,
        AL,
        N,
        AL,
        kwargs=lambda w: {
            "content_type_id": _content_type_id(User),
            "object_id": w.users["admin"].pk,
        },
    ),
    "admin:app_list": expect(
        AL, AL, AL, AL, A, AL, path=lambda w: reverse("admin:app_list", args=["casework"])
    ),
    "admin/(?P<url>.*)$": expect(AL, AL, AL, AL, N, AL, path=lambda w: "/admin/no-such-page/"),
}

# The admin pages of these libraries follow Django's model permissions, which only superusers
# hold: system administrators (the admin role) do not manage sign-in lockouts or the beat
# schedule (it is declared in code).
SUPERUSER_ONLY_APPS = {"axes", "django_celery_beat"}
# Reference data the cases and the statistics refer to is retired ("active"), never deleted.
ADMIN_REFUSED = {"admin:casework_organisation_delete", "admin:outreach_district_delete"}

_ADMIN_MODEL_ROUTE = re.compile(
    r"^admin/(?P<app>[a-z_]+)/(?P<model>[a-z_]+)/(?P<rest>.*)$",
)


def admin_expectation(route: Route) -> Expect | None:
    """The rule for every page of a registered model in the admin: the admin role only (other
    users are sent to the admin's sign-in). A page of a model no rule knows has no expectation."""
    match = _ADMIN_MODEL_ROUTE.match(route.route)
    if match is None or not route.route.startswith("admin/"):
        return None
    app, model_name, rest = match["app"], match["model"], match["rest"]
    try:
        model = apps.get_model(app, model_name)
    except LookupError:
        return None
    on_object = rest.startswith("<")
    admin_outcome = F if app in SUPERUSER_ONLY_APPS or route.key in ADMIN_REFUSED else A
    if rest == "<path:object_id>/":
        admin_outcome = A  # a redirect to the object's change page, which decides
    if rest not in (
        "",
        "add/",
        "<path:object_id>/",
        "<path:object_id>/change/",
        "<path:object_id>/delete/",
        "<path:object_id>/history/",
        "<id>/password/",
    ):
        return None

    def path(world: World) -> str:
        url = f"/admin/{app}/{model_name}/{rest}"
        if on_object:
            url = re.sub(r"<[^>]+>", str(admin_object(model).pk), url)
        return url

    return expect(AL, AL, AL, AL, admin_outcome, AL, path=path)


def expectation_for(route: Route) -> Expect | None:
    return EXPECTATIONS.get(route.key) or admin_expectation(route)


def _content_type_id(model: type[models.Model]) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def admin_object(model: type[models.Model]) -> models.Model:
    """An object of a model registered in the admin (made here for the libraries' models)."""
    existing = model._default_manager.order_by("pk").first()
    if existing is not None:
        return existing
    label = model._meta.label_lower
    factory = ADMIN_OBJECT_FACTORIES.get(label)
    assert factory is not None, f"declare how to make a {label} in ADMIN_OBJECT_FACTORIES"
    return factory()


def _periodic_task() -> models.Model:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every = IntervalSchedule.objects.create(every=15, period=IntervalSchedule.MINUTES)
    return PeriodicTask.objects.create(name="security-test", task="x", interval=every)


def _axes_row(model_name: str) -> Callable[[], models.Model]:
    def make() -> models.Model:
        model = apps.get_model("axes", model_name)
        fields: dict[str, Any] = {"username": "x", "ip_address": "127.0.0.1", "user_agent": "t"}
        if model_name == "accessattempt":
            fields |= {"get_data": "", "post_data": "", "failures_since_start": 1}
        if model_name == "accessfailurelog":
            fields |= {"locked_out": False}
        if model_name in ("accessattempt", "accessfailurelog"):
            fields |= {"path_info": "/accounts/login/", "http_accept": "*/*"}
        if model_name == "accesslog":
            fields |= {"path_info": "/accounts/login/", "http_accept": "*/*"}
        return model._default_manager.create(**fields)

    return make


def _beat(model_name: str, **fields: Any) -> Callable[[], models.Model]:
    return lambda: apps.get_model("django_celery_beat", model_name)._default_manager.create(
        **fields
    )


ADMIN_OBJECT_FACTORIES: dict[str, Callable[[], models.Model]] = {
    "django_celery_beat.periodictask": _periodic_task,
    "django_celery_beat.intervalschedule": _beat("intervalschedule", every=1, period="hours"),
    "django_celery_beat.crontabschedule": _beat("crontabschedule", minute="0", hour="3"),
    "django_celery_beat.solarschedule": _beat(
        "solarschedule", event="sunset", latitude=59.33, longitude=18.07
    ),
    "django_celery_beat.clockedschedule": _beat("clockedschedule", clocked_time=timezone.now()),
    "axes.accessattempt": _axes_row("accessattempt"),
    "axes.accesslog": _axes_row("accesslog"),
    "axes.accessfailurelog": _axes_row("accessfailurelog"),
}


# --- Single sign-on switched on, without a provider -----------------------------------------------


def single_sign_on_on(settings: Any) -> None:
    """Single sign-on on, with the provider's discovery document already read: the walk makes
    no network request (the real provider's tests are tests/test_sso.py)."""
    from sso import provider

    issuer = "https://login.example.invalid/tenant/v2.0"
    settings.LOTSA_OIDC_ENABLED = True
    settings.LOTSA_OIDC_ISSUER = issuer
    settings.LOTSA_OIDC_DISCOVERY_URL = issuer + "/.well-known/openid-configuration"
    settings.OIDC_RP_CLIENT_ID = "lotsa"
    settings.OIDC_RP_CLIENT_SECRET = "walk-secret"
    metadata = provider.ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=issuer + "/authorize",
        token_endpoint=issuer + "/token",
        jwks_uri=issuer + "/keys",
        userinfo_endpoint="",
        end_session_endpoint=issuer + "/logout",
    )
    provider.forget_provider_metadata()
    provider._cache[settings.LOTSA_OIDC_DISCOVERY_URL] = (float("inf"), metadata)


# --- Requests that leave no trace -----------------------------------------------------------------


class _Undo(Exception):
    pass


def request_and_undo(
    user: User | None,
    method: str,
    url: str,
    data: dict[str, Any] | None = None,
    *,
    client: Client | None = None,
    **extra: Any,
) -> HttpResponse:
    """Make one request as `user` (None: anonymous, or as `client` is signed in already) from a
    fresh browser (or `client`), then roll back all it changed, so that the next request meets
    the same world (a deletion, a signature, a sign-out or a language choice does not carry
    over)."""
    response: Any = None
    try:
        with transaction.atomic():
            browser = client or Client()
            if user is not None:
                browser.force_login(user)
            send = browser.post if method == POST else browser.get
            response = send(url, data or {}, **extra)
            raise _Undo
    except _Undo:
        pass
    assert response is not None
    return response


def outcome(response: HttpResponse) -> str:
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        location = urlsplit(response["Location"])
        if location.path == reverse("accounts:login") and "next=" in location.query:
            return LOGIN
        if location.path == reverse("admin:login"):
            return ADMIN_LOGIN
        return ALLOWED
    if code in (200, 201, 204, 400, 409):
        return ALLOWED
    if code == 403:
        return FORBIDDEN
    if code == 404:
        return NOT_FOUND
    return f"HTTP {code}"


def user_for(world: World, role: str) -> User | None:
    return None if role == "anonymous" else world.users[role]
