"""Filters of the log review. They live in the URL so a filtered view can be shared; the URL
names an individual only by reference (IND-000123), never by name."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessAction, AccessLogEntry
from audit.selectors import Cursor, individual_by_reference, log_users, parse_page_view
from core.dates import validate_period_date
from core.digits import number_text

# [0-9], not \d: a reference typed in other digits is read as 0-9 first (core.digits).
_DIGITS = re.compile(r"[0-9]{1,6}")


class AccessLogFilterForm(forms.Form):
    """Turns the reference into the individual's id, and checks that the period makes sense."""

    def clean_individual(self) -> int | None:
        text = number_text(self.cleaned_data.get("individual") or "").strip().upper()
        if not text:
            return None
        if _DIGITS.fullmatch(text):
            text = f"IND-{int(text):06d}"
        individual = individual_by_reference(text)
        if individual is None:
            raise forms.ValidationError(
                _("No individual has the reference %(reference)s."),
                code="unknown_reference",
                params={"reference": text},
            )
        self.individual_reference = individual.reference
        return individual.pk

    def _cursor(self, name: str) -> Cursor | None:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        cursor = Cursor.parse(text)
        if cursor is None:
            raise forms.ValidationError(
                _("The page in the address is not valid: start again from the first page."),
                code="bad_cursor",
            )
        return cursor

    def clean_before(self) -> Cursor | None:
        return self._cursor("before")

    def clean_after(self) -> Cursor | None:
        return self._cursor("after")

    def clean_page_view(self) -> tuple[int, datetime] | None:
        text = (self.cleaned_data.get("page_view") or "").strip()
        if not text:
            return None
        key = parse_page_view(text)
        if key is None:
            raise forms.ValidationError(
                _("The page view in the address is not valid."), code="bad_page_view"
            )
        return key

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return data


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


RECORDS = "records"
LISTS = "lists"
PAGING = frozenset({"before", "after"})


class AccessLogFilter(django_filters.FilterSet):
    user = django_filters.ModelChoiceFilter(
        label=_("Staff member"), queryset=log_users(), empty_label=_("All")
    )
    individual = django_filters.CharFilter(
        label=_("Individual"),
        method="filter_individual",
        max_length=20,
        help_text=_("The reference, e.g. IND-000123."),
        widget=forms.TextInput(attrs={"placeholder": "IND-000123", "autocomplete": "off"}),
    )
    date_from = django_filters.DateFilter(
        validators=[validate_period_date],
        label=_("From"),
        method="filter_from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = django_filters.DateFilter(
        validators=[validate_period_date],
        label=_("To (inclusive)"),
        method="filter_to",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=AccessAction.choices, empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of read"),
        choices=[
            (RECORDS, _("Opened records (one person's data)")),
            (LISTS, _("Lists, start pages and searches")),
        ],
        empty_label=_("All"),
        method="filter_kind",
    )
    flagged = django_filters.BooleanFilter(
        label=_("Only reads by others than a responsible coordinator"),
        method="filter_flagged",
        widget=forms.CheckboxInput,
    )
    # One page view of a list (its reader and time), from the link on its line.
    page_view = django_filters.CharFilter(
        method="filter_page_view", max_length=40, widget=forms.HiddenInput
    )
    # Keyset paging: the page goes on after (older) or before (newer) a row; see the view.
    before = django_filters.CharFilter(method="keep", max_length=40, widget=forms.HiddenInput)
    after = django_filters.CharFilter(method="keep", max_length=40, widget=forms.HiddenInput)

    class Meta:
        model = AccessLogEntry
        fields: list[str] = []
        form = AccessLogFilterForm

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["user"].queryset = log_users()

    # The period compares `at` with the day's bounds in Stockholm time: the index on `at` serves it.
    def filter_from(self, queryset: QuerySet[AccessLogEntry], name: str, value: date) -> Any:
        return queryset.filter(at__gte=_start_of(value))

    def filter_to(self, queryset: QuerySet[AccessLogEntry], name: str, value: date) -> Any:
        return queryset.filter(at__lt=_start_of(value + timedelta(days=1)))

    def filter_individual(
        self, queryset: QuerySet[AccessLogEntry], name: str, value: int | None
    ) -> Any:
        return queryset.filter(individual_id=value) if value else queryset

    def filter_flagged(self, queryset: QuerySet[AccessLogEntry], name: str, value: bool) -> Any:
        return queryset.filter(flagged=True) if value else queryset

    def filter_kind(self, queryset: QuerySet[AccessLogEntry], name: str, value: str) -> Any:
        if value == RECORDS:
            return queryset.filter(listed=False)
        if value == LISTS:
            return queryset.filter(listed=True)
        return queryset

    def filter_page_view(
        self, queryset: QuerySet[AccessLogEntry], name: str, value: tuple[int, datetime] | None
    ) -> Any:
        if not value:
            return queryset
        user_id, at = value
        return queryset.filter(user_id=user_id, at=at)  # the index on (user, at) serves it

    def keep(self, queryset: QuerySet[AccessLogEntry], name: str, value: Any) -> Any:
        return queryset  # the view pages by it

    def active_filters(self) -> list[str]:
        """The names of the filters in use (for the export's own log row: never their values)."""
        if not self.is_bound or not self.form.is_valid():
            return []
        return sorted(
            name for name, value in self.form.cleaned_data.items() if value and name not in PAGING
        )

    def cursor(self, name: str) -> Cursor | None:
        if not self.is_bound or not self.form.is_valid():
            return None
        value = self.form.cleaned_data.get(name)
        return value if isinstance(value, Cursor) else None

    @property
    def one_page_view(self) -> bool:
        """Whether the filters ask for one page view's rows."""
        return bool(
            self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("page_view")
        )

    @property
    def individual_id(self) -> int | None:
        if not self.is_bound or not self.form.is_valid():
            return None
        value = self.form.cleaned_data.get("individual")
        return int(value) if value else None
