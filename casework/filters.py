"""Filters of the case list; they live in the URL so a filtered list can be shared."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from casework.models import Case, CasePurpose, Category, Purpose
from casework.selectors import case_search_filter, coordinators
from core.search import SEARCH_MAX_LENGTH


def _year_choices() -> list[tuple[int, int]]:
    this_year = timezone.localdate().year
    return [(year, year) for year in range(this_year, this_year - 12, -1)]


class CaseOrderingFilter(django_filters.OrderingFilter):
    """Ordering where "number" means year, then sequence (the string would sort 2024-10000
    before 2024-9999)."""

    def build_choices(self, fields: dict[str, str], labels: dict[str, Any]) -> list[Any]:
        """Each sort option ascending and descending, labelled lazily: django-filter builds the
        descending labels once, when the filter is declared, in the language active then (and
        its "%s (descending)" has no Swedish), so they stayed half Swedish, half English."""
        choices = []
        for field, param in fields.items():
            label = labels.get(field, param)
            choices.append((param, label))
            choices.append((f"-{param}", format_lazy(_("{label}, descending"), label=label)))
        return choices

    def filter(self, qs: QuerySet[Case], value: Any) -> QuerySet[Case]:
        if not value:
            return qs
        ordering: list[str] = []
        for param in value:
            descending = param.startswith("-")
            field = self.param_map.get(param.lstrip("-"))
            if field is None:
                continue
            fields = ["year", "sequence"] if field == "number" else [field]
            ordering += [f"-{name}" if descending else name for name in fields]
        return qs.order_by(*ordering, "-pk")


class CaseFilter(django_filters.FilterSet):
    """The case list's filters, on cases or on the search table (CaseSearch, which has the same
    field names for every filter and sort)."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Case number, reference, alias or name")}
        ),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("open", _("Open")), ("closed", _("Closed"))],
        empty_label=_("All"),
        method="filter_status",
    )
    mine = django_filters.BooleanFilter(
        label=_("Only my cases"),
        method="filter_mine",
        widget=forms.CheckboxInput,
    )
    # The active coordinators; the chosen one filters `coordinator` on cases and on the search
    # table alike.
    coordinator = django_filters.ModelChoiceFilter(
        label=_("Coordinator"), queryset=coordinators(), empty_label=_("All")
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All")
    )
    purpose = django_filters.ChoiceFilter(
        label=_("Purpose"),
        choices=Purpose.choices,
        empty_label=_("All"),
        method="filter_purpose",
    )
    year = django_filters.ChoiceFilter(
        label=_("Year opened"),
        choices=_year_choices,
        empty_label=_("All"),
        field_name="year",
    )
    sort = CaseOrderingFilter(
        label=_("Sort by"),
        fields=(
            ("number", "number"),
            ("opened_on", "opened_on"),
            ("last_activity_at", "activity"),
            ("coordinator__first_name", "coordinator"),
        ),
        # Keyed by the model's field names (django-filter's rule), so each option has its label.
        field_labels={
            "number": _("Case number"),
            "opened_on": _("Opened"),
            "last_activity_at": _("Last activity"),
            "coordinator__first_name": _("Coordinator"),
        },
        empty_label=_("Newest first"),
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def filter_search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if not value.strip():
            return queryset
        return queryset.filter(case_search_filter(self.user, value, queryset.model))

    def filter_status(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value == "open":
            return queryset.filter(closed_on__isnull=True)
        if value == "closed":
            return queryset.filter(closed_on__isnull=False)
        return queryset

    def filter_purpose(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        # EXISTS, not a join: a join needs DISTINCT, and DISTINCT over every column of the case
        # (for the count too) sorted all 120,000 cases of a national installation.
        if not value:
            return queryset
        return queryset.filter(
            Exists(CasePurpose.objects.filter(case=OuterRef("pk"), purpose=value))
        )

    def filter_mine(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        return queryset.filter(coordinator=self.user) if value else queryset
