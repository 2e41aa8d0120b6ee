"""Reads of casework data, and the access rules that guard them.

Every view that shows a case or an individual loads it through `case_get_for_user`,
`case_get_for_edit` or `individual_get_for_user`: they decide who may see what (404 for what a
user may not know exists, 403 for what they may see but not change) and write the access log.
Identity data of protected individuals reaches templates only through `identity_for`, and
whether a user may see it is decided by one helper, `IdentityAccess` (`identity_access`,
`may_see_identity`): managers, and holders of an authorisation for that person.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F, Lookup, Max, Model, Prefetch, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.audit import Responsibility, access_log_record
from accounts.models import AccessAction, User
from accounts.roles import Role, has_role
from casework.models import (
    Case,
    CasePurpose,
    CaseSearch,
    IdentityAuthorisation,
    Individual,
    IndividualRelation,
    JournalEntry,
    Organisation,
    Protection,
    Purpose,
)
from core.digits import number_text

MASK = "*****"


# --- Who may see what -----------------------------------------------------------------------------


def can_read_cases(user: object) -> bool:
    return has_role(user, Role.COORDINATOR, Role.MANAGER)


def can_edit_cases(user: object) -> bool:
    return has_role(user, Role.COORDINATOR)


@dataclass(frozen=True)
class Identity:
    """What a page may show about a person: masked fields hold MASK, never the data."""

    reference: str
    alias: str
    name: str
    date_of_birth: date | str | None
    birth_year: int | str | None
    personal_number: str
    phone: str
    protection: str
    protection_label: str
    masked: bool

    @property
    def label(self) -> str:
        """How lists name the person: name if visible, else alias, else the reference."""
        if not self.masked and self.name:
            return self.name
        return self.alias or self.reference


def identity_for(individual: Individual, *, visible: bool) -> Identity:
    if visible:
        return Identity(
            reference=individual.reference,
            alias=individual.alias,
            name=individual.full_name,
            date_of_birth=individual.date_of_birth,
            birth_year=individual.birth_year,
            personal_number=individual.personal_number_display,
            phone=individual.phone,
            protection=individual.protection,
            protection_label=str(individual.get_protection_display()),
            masked=False,
        )
    return Identity(
        reference=individual.reference,
        alias=individual.alias,
        name=MASK,
        date_of_birth=MASK,
        birth_year=MASK,
        personal_number=MASK,
        phone=MASK,
        protection=individual.protection,
        protection_label=str(individual.get_protection_display()),
        masked=True,
    )


class IdentityAccess:
    """Whose protected identity one user may see: every one for a manager; for others, the
    people they hold an authorisation in force for (IdentityAuthorisation), read once, when
    the first protected person comes up. Unprotected people are seen by every reader of cases.

    This is the one place that decides it: pages, lists, searches, exports, PDFs, histories
    and the duplicate check all ask an IdentityAccess (or `may_see_identity`). Make one per
    request: it does not notice a grant or a revocation made after it read the authorisations.
    """

    def __init__(self, user: object) -> None:
        self.user = user
        self.everyone = has_role(user, Role.MANAGER)
        self._authorised: set[int] | None = None

    def authorised(self, individual_id: int) -> bool:
        """Whether the user may see this person's identity if it is protected (managers, and
        holders of an authorisation in force)."""
        if self.everyone:
            return True
        if not isinstance(self.user, User) or not can_read_cases(self.user):
            return False
        if self._authorised is None:
            self._authorised = set(
                authorised_individuals(self.user).values_list("individual_id", flat=True)
            )
        return individual_id in self._authorised

    def visible(self, individual: Individual) -> bool:
        return individual.protection == Protection.NONE or self.authorised(individual.pk)

    def identity(self, individual: Individual) -> Identity:
        return identity_for(individual, visible=self.visible(individual))

    def case_identity(self, case: Case) -> Identity:
        return self.identity(case.individual)


def identity_access(user: object) -> IdentityAccess:
    return IdentityAccess(user)


def may_see_identity(user: object, individual: Individual) -> bool:
    """Whether `user` may see `individual`'s identity now (at most one query)."""
    return IdentityAccess(user).visible(individual)


def authorised_individuals(user: User) -> QuerySet[IdentityAuthorisation]:
    """The user's authorisations in force (as a subquery: `.values("individual_id")`)."""
    return IdentityAuthorisation.objects.filter(user=user, revoked_at__isnull=True)


def identity_authorisations_of(individual: Individual) -> list[IdentityAuthorisation]:
    """Every authorisation to see the person's identity, those in force first, newest first."""
    return sorted(
        IdentityAuthorisation.objects.filter(individual=individual).select_related(
            "user", "granted_by", "revoked_by"
        ),
        key=lambda a: (a.revoked_at is not None, -a.granted_at.timestamp()),
    )


def case_identity(user: User, case: Case) -> Identity:
    """The identity to show on a case's page (a list makes one IdentityAccess for its rows)."""
    return IdentityAccess(user).case_identity(case)


# --- Loading one object ---------------------------------------------------------------------------


def _case_queryset() -> QuerySet[Case]:
    return Case.objects.select_related("individual", "coordinator")


def case_get_for_user(request: HttpRequest, pk: int, *, log: bool = True) -> Case:
    """A case the user may read (coordinators, managers), else 404. The read is logged."""
    if not can_read_cases(request.user):
        raise Http404
    try:
        case = _case_queryset().get(pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None
    if log:
        access_log_record(
            request=request, action=AccessAction.VIEW, obj=case, individual_id=case.individual_id
        )
    return case


def case_get_for_edit(request: HttpRequest, pk: int) -> Case:
    """A case the user may change: 404 if they may not see it, 403 if they may only read it."""
    case = case_get_for_user(request, pk, log=False)
    if not can_edit_cases(request.user):
        raise PermissionDenied
    return case


def individual_get_for_user(request: HttpRequest, pk: int) -> tuple[Individual, Identity]:
    """An individual and what the user may see of them; 404 for roles without case access."""
    user = request.user
    if not isinstance(user, User) or not can_read_cases(user):
        raise Http404
    try:
        individual = Individual.objects.prefetch_related("languages").get(pk=pk)
    except Individual.DoesNotExist:
        raise Http404 from None
    access_log_record(
        request=request, action=AccessAction.VIEW, obj=individual, individual_id=individual.pk
    )
    return individual, identity_access(user).identity(individual)


def individual_get_for_edit(request: HttpRequest, pk: int) -> Individual:
    """An individual whose identity data the user may change: a coordinator who may see it."""
    individual, identity = individual_get_for_user(request, pk)
    if not can_edit_cases(request.user) or identity.masked:
        raise PermissionDenied
    return individual


def journal_entry_get_for_edit(request: HttpRequest, case: Case, pk: int) -> JournalEntry:
    try:
        return JournalEntry.objects.select_related("case").get(pk=pk, case=case)
    except JournalEntry.DoesNotExist:
        raise Http404 from None


# --- Lists ----------------------------------------------------------------------------------------


def case_list_queryset(user: User) -> QuerySet[Case]:
    """All cases the user may list, with what a list row shows, in a fixed number of queries."""
    if not can_read_cases(user):
        return Case.objects.none()
    return _case_queryset().prefetch_related(
        Prefetch("purposes", queryset=CasePurpose.objects.order_by("purpose"))
    )


# What a case list row reads (templates/casework/_case_table.html) and identity_for needs: the
# rows' Python time halves without the other columns (notes, times, the creators).
_LIST_ROW_FIELDS = (
    *("number", "individual", "coordinator", "category", "opened_on", "closed_on"),
    *(
        f"individual__{name}"
        for name in (
            *("reference", "alias", "given_name", "family_name", "date_of_birth"),
            *("birth_year", "personal_number", "phone", "protection"),
        )
    ),
    *("coordinator__first_name", "coordinator__last_name", "coordinator__username"),
)


def case_row_fields(prefix: str = "") -> tuple[str, ...]:
    """What a list row reads of a case (for `.only()`): its number, dates, category, the
    person's identity and the coordinator's name; `prefix` for a list of related rows
    ("case__")."""
    return tuple(f"{prefix}{name}" for name in _LIST_ROW_FIELDS)


def case_rows_queryset(user: User) -> QuerySet[Case]:
    """All cases the user may list, with only what a list row shows; their purposes come
    from `purposes_by_case`."""
    if not can_read_cases(user):
        return Case.objects.none()
    return _case_queryset().only(*_LIST_ROW_FIELDS)


def purposes_by_case(case_ids: list[int]) -> dict[int, list[str]]:
    """The purposes of these cases as their labels, in code order, in one query."""
    grouped: dict[int, list[str]] = {}
    codes = (
        CasePurpose.objects.filter(case__in=case_ids)
        .order_by("case", "purpose")
        .values_list("case", "purpose")
    )
    for case_id, code in codes:
        grouped.setdefault(case_id, []).append(str(Purpose(code).label))
    return grouped


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list: the case, what may be shown of its person, its purposes'
    labels and its page's address."""

    case: Case
    identity: Identity
    purposes: list[str]
    url: str


def case_list_rows(user: User, cases: list[Case]) -> list[CaseRow]:
    """The case list's rows for these cases (read with `case_rows_queryset`)."""
    purposes = purposes_by_case([case.pk for case in cases])
    access = identity_access(user)  # one per list: it reads the user's authorisations once
    return [
        CaseRow(
            case=case,
            identity=access.case_identity(case),
            purposes=purposes.get(case.pk, []),
            url=reverse("casework:case_detail", args=[case.pk]),
        )
        for case in cases
    ]


class _InSubquery(Lookup):
    """`lhs IN (subquery)`; on PostgreSQL written `lhs = ANY(ARRAY(subquery))`.

    The planner runs the subquery once (through its own indexes) and then finds the matching
    rows through an index on `lhs`, combined with the other search conditions in one bitmap OR.
    Written as `IN (subquery)` inside an OR, PostgreSQL instead scans every case and probes a
    hashed subquery for each (bench/RESULTS.md).
    """

    lookup_name = "in_subquery"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", [*lhs_params, *rhs_params]

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


def _individuals_matching(query: Q) -> Q:
    """Cases whose individual matches `query` (a condition on Individual)."""
    return Q(
        _InSubquery(
            F("individual_id"), Subquery(Individual.objects.filter(query).order_by().values("pk"))
        )
    )


def _name_match(text: str) -> Q:
    """A name matching `text` (on Individual or CaseSearch: the same field names): either name
    contains it, or, for two words or more, the given name the first and the family name the
    last. The family name first: PostgreSQL rechecks a found row's conditions in the order
    written and stops at the first true one, and a family name is what a common search term
    matches most (bench/RESULTS.md)."""
    match = Q(family_name__icontains=text) | Q(given_name__icontains=text)
    parts = text.split()
    if len(parts) >= 2:
        match |= Q(given_name__icontains=parts[0]) & Q(family_name__icontains=parts[-1])
    return match


def _protected_name_cases(user: User, text: str) -> Q:
    """The cases (by id) whose protected person's name matches, among those whose names the
    user may see: every case for a manager, for others the cases of the people they hold an
    authorisation for.

    The cases are found by id in a subquery of their own, so that every part of the search's OR
    is an index condition: with `coordinator = me AND individual = ANY(…)` as a part,
    PostgreSQL checked every candidate case against the whole array of matching people, one by
    one (for a family name shared by 2,300 people, most of the search's time; bench/RESULTS.md).
    """
    people = _name_match(text) & ~Q(protection=Protection.NONE)
    if not has_role(user, Role.MANAGER):
        people &= Q(pk__in=authorised_individuals(user).values("individual_id"))
    cases = Case.objects.filter(_individuals_matching(people))
    return Q(_InSubquery(F("pk"), Subquery(cases.order_by().values("pk"))))


def case_search_filter(user: User, text: str, model: type[Model] = Case) -> Q:
    """Match case number, reference, alias; names only where the user may see them; as a
    condition on `model`: Case, or CaseSearch (see `case_search_rows`).

    Searching a protected person's name must not reveal that they exist to someone who may not
    see that name, so name matches are limited to visible identities.

    On Case, the conditions on the person are evaluated on the individuals (trigram indexes,
    migration casework 0004) and joined to the cases by id, so a search reads only the matching
    rows. CaseSearch holds every case's number, reference and alias, and the names of those who
    are not protected.
    """
    text = text.strip()
    # Case numbers and references are ASCII: typed in other digits or on a full-width keyboard
    # (core.digits), they are the same number.
    number = number_text(text)
    if model is CaseSearch:
        # Most rows first: a family name shared by 2,700 cases is rechecked on each of their
        # rows, and the recheck stops at the first true condition (bench/RESULTS.md).
        return (
            _name_match(text)
            | Q(alias__icontains=text)
            | Q(reference__icontains=number)
            | Q(number__icontains=number)
            | _protected_name_cases(user, text)
        )
    person_match = Q(reference__icontains=number) | Q(alias__icontains=text)
    if has_role(user, Role.MANAGER):
        return Q(number__icontains=number) | _individuals_matching(person_match | _name_match(text))
    return (
        Q(number__icontains=number)
        | _individuals_matching(person_match | (_name_match(text) & Q(protection=Protection.NONE)))
        | _protected_name_cases(user, text)
    )


def case_search_rows(user: User) -> QuerySet[Any]:
    """Where a search of the case list looks for its matches, in order: the search table on
    PostgreSQL (CaseSearch: the matches, the list's filters and its sorts, without reading a
    case or a person), the cases themselves elsewhere. Filter it with `case_search_filter(…,
    model=rows.model)`."""
    if not can_read_cases(user):
        return Case.objects.none()
    if connection.vendor == "postgresql":
        return CaseSearch.objects.all()
    return Case.objects.all()


def individuals_coordinated_by(user_id: int, individual_ids: Collection[int]) -> set[int]:
    """Of these individuals, those the user is the responsible coordinator of a case of, now
    (the access log's flag, accounts.audit)."""
    return set(
        Case.objects.filter(coordinator_id=user_id, individual_id__in=list(individual_ids))
        .values_list("individual_id", flat=True)
        .distinct()
    )


# The access log's flag: a read by someone who is not the responsible coordinator of any of
# the person's cases (registered in casework.apps; the SQL is the same rule, for PostgreSQL's
# INSERT of the log rows, through the index on the cases' individual).
RESPONSIBILITY = Responsibility(
    individuals=individuals_coordinated_by,
    sql=(
        "EXISTS (SELECT 1 FROM casework_case AS c"
        " WHERE c.individual_id = {individual} AND c.coordinator_id = %s)"
    ),
)


def my_open_cases(user: User, limit: int = 10) -> list[Case]:
    return list(
        _case_queryset()
        .filter(coordinator=user, closed_on__isnull=True)
        .order_by("-last_activity_at")[:limit]
    )


def possible_duplicates(
    *,
    personal_number: str | None,
    given_name: str,
    family_name: str,
    alias: str,
    birth_year: int | None,
) -> list[Individual]:
    """Individuals who may be the same person: same ID number, or same name or alias and the
    same birth year (from the date of birth or the estimate)."""
    query = Q(pk__in=[])
    if personal_number:
        query |= Q(personal_number=personal_number)
    if birth_year:
        same_year = Q(birth_year=birth_year) | Q(date_of_birth__year=birth_year)
        if given_name and family_name:
            query |= same_year & Q(given_name__iexact=given_name, family_name__iexact=family_name)
        if alias:
            query |= same_year & Q(alias__iexact=alias)
    return list(
        Individual.objects.filter(query)
        .annotate(last_case_opened=Max("cases__opened_on"))
        .prefetch_related(
            Prefetch(
                "cases", queryset=Case.objects.select_related("coordinator").order_by("-opened_on")
            )
        )[:10]
    )


@dataclass(frozen=True)
class PossibleDuplicate:
    """One person the duplicate check found, with what a coordinator needs to decide whether
    it is the person in front of them: the identity as the viewer may see it (the birth year
    from the date of birth or the estimate), and the open cases with their coordinators, the
    first of which is where the work should go on."""

    individual_id: int
    identity: Identity
    birth_year: int | str | None
    open_cases: list[Case]
    closed_cases: int


def possible_duplicate_rows(
    found: Collection[Individual], access: IdentityAccess
) -> list[PossibleDuplicate]:
    """`found` (from `possible_duplicates`) as the duplicate check shows them; no query."""
    rows = []
    for individual in found:
        identity = access.identity(individual)
        born = identity.date_of_birth
        cases = list(individual.cases.all())
        open_cases = [case for case in cases if case.closed_on is None]
        rows.append(
            PossibleDuplicate(
                individual_id=individual.pk,
                identity=identity,
                birth_year=born.year if isinstance(born, date) else identity.birth_year,
                open_cases=open_cases,
                closed_cases=len(cases) - len(open_cases),
            )
        )
    return rows


def active_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(active=True).order_by("name")


def coordinators() -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=Role.COORDINATOR).order_by(
        "first_name", "last_name", "username"
    )


STATUS_LABELS = {"open": _("Open"), "closed": _("Closed")}


# --- Related persons ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelatedPerson:
    """One link on a person's page, read from that person's side ("parent of IND-000147")."""

    relation_id: int
    kind: str
    individual_id: int
    identity: Identity
    open_cases: list[str]


def related_persons(individual: Individual, access: IdentityAccess) -> list[RelatedPerson]:
    """The people linked to `individual`, each as the reader may see them (a protected
    person's identity masked unless the reader may see it). The caller logs the reads."""
    relations = IndividualRelation.objects.filter(
        Q(individual=individual) | Q(related=individual)
    ).select_related("individual", "related")
    others = [relation.other(individual) for relation in relations]
    open_cases: dict[int, list[str]] = {}
    for individual_id, number in Case.objects.filter(
        individual__in=others, closed_on__isnull=True
    ).values_list("individual_id", "number"):
        open_cases.setdefault(individual_id, []).append(number)
    return sorted(
        (
            RelatedPerson(
                relation_id=relation.pk,
                kind=relation.kind_from(individual),
                individual_id=other.pk,
                identity=access.identity(other),
                open_cases=sorted(open_cases.get(other.pk, [])),
            )
            for relation, other in zip(relations, others, strict=True)
        ),
        key=lambda person: person.identity.reference,
    )
