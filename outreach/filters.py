"""Filters of the contact list and the referral inbox; they live in the URL so a filtered list
can be shared."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.search import SEARCH_MAX_LENGTH
from outreach.models import (
    AgeGroup,
    Environment,
    OutreachContact,
    Referral,
    ReferralStatus,
)
from outreach.selectors import active_districts, addressed_to, outreach_staff, reads_everything


def year_range(year: int) -> tuple[datetime, datetime]:
    """The year in Stockholm time, as a range on an indexed column (not a function of it)."""
    zone = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def _year_choices() -> list[tuple[int, int]]:
    this_year = timezone.localdate().year
    return [(year, year) for year in range(this_year, this_year - 8, -1)]


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Alias or description")}),
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"),
        choices=_year_choices,
        empty_label=_("All"),
        method="filter_year",
    )
    environment = django_filters.ChoiceFilter(
        label=_("Environment"), choices=Environment.choices, empty_label=_("All")
    )
    district = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=active_districts(), empty_label=_("All")
    )
    age_group = django_filters.ChoiceFilter(
        label=_("Age group"), choices=AgeGroup.choices, empty_label=_("All")
    )
    staff = django_filters.ModelChoiceFilter(
        label=_("Staff member"),
        queryset=outreach_staff(),
        empty_label=_("All"),
        method="filter_staff",
    )

    class Meta:
        model = OutreachContact
        fields: list[str] = []

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["district"].queryset = active_districts()
        if reads_everything(user):
            self.filters["staff"].queryset = outreach_staff()
        else:
            del self.filters["staff"]  # outreach staff see only their own contacts anyway

    def filtered(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Another queryset (the count's: of contacts, or of StaffContact rows, which have the
        fields the filters other than the search name) with the same filters as `qs`."""
        if not self.is_bound:
            return queryset
        self.errors  # noqa: B018  (validates the form, as `qs` does before filtering)
        filtered: QuerySet[Any] = self.filter_queryset(queryset)
        return filtered

    def filter_search(
        self, queryset: QuerySet[OutreachContact], name: str, value: str
    ) -> QuerySet[OutreachContact]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(alias__icontains=text) | Q(description__icontains=text))

    def filter_year(
        self, queryset: QuerySet[OutreachContact], name: str, value: str
    ) -> QuerySet[OutreachContact]:
        if not value:
            return queryset
        start, end = year_range(int(value))
        return queryset.filter(contacted_at__gte=start, contacted_at__lt=end)

    def filter_staff(
        self, queryset: QuerySet[OutreachContact], name: str, value: User | None
    ) -> QuerySet[OutreachContact]:
        if value is None:
            return queryset
        return queryset.filter(staff=value)


ADDRESSED_CHOICES = [
    ("mine", _("To me or the common inbox")),
    ("me", _("To me personally")),
    ("unit", _("The common inbox")),
]


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ReferralStatus.choices, empty_label=_("All")
    )
    addressed = django_filters.ChoiceFilter(
        label=_("Addressed to"),
        choices=ADDRESSED_CHOICES,
        empty_label=_("Anyone"),
        method="filter_addressed",
    )
    year = django_filters.ChoiceFilter(
        label=_("Year referred"),
        choices=_year_choices,
        empty_label=_("All"),
        method="filter_year",
    )

    class Meta:
        model = Referral
        fields: list[str] = []

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def filter_addressed(
        self, queryset: QuerySet[Referral], name: str, value: str
    ) -> QuerySet[Referral]:
        if value == "mine":
            return queryset.filter(addressed_to(self.user))
        if value == "me":
            return queryset.filter(to_coordinator=self.user)
        if value == "unit":
            return queryset.filter(to_coordinator__isnull=True)
        return queryset

    def filter_year(
        self, queryset: QuerySet[Referral], name: str, value: str
    ) -> QuerySet[Referral]:
        if not value:
            return queryset
        start, end = year_range(int(value))
        return queryset.filter(referred_at__gte=start, referred_at__lt=end)
