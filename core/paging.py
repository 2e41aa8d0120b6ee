"""Paging a list by its ids: one query for the matching ids in order, one for the page's rows.

Django's Paginator asks for `COUNT(*)` and then for `ORDER BY … LIMIT 25 OFFSET n`. Where the
matching rows are few but expensive to find, that finds them twice, and where PostgreSQL cannot
estimate how many rows match, the LIMIT can make it walk the list order's whole index hoping to
meet a page's worth early (a searched reference at national scale: bench/RESULTS.md). Reading
the ids first finds them once, sorts only those, and gives the count.
Meant for lists whose matches are at most a few thousand: the case list's searches. (The
deadline board pages with Django's Paginator: its count and its page each walk an index of
the open deadlines, reflection_period.selectors.board_queryset.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.utils.functional import cached_property


def page_by_ids(
    matching: QuerySet[Any], rows: QuerySet[Any], number: Any, per_page: int
) -> Page[Any]:
    """Page `number` of `matching` (in its order), its objects read from `rows` by id: `rows`
    is the list's queryset with what a row shows, without the conditions that need not run
    twice."""
    ids = list(matching.values_list("pk", flat=True))
    page: Page[Any] = Paginator(ids, per_page).get_page(number)
    # Unordered: the page's order is the ids' (a sort would cost time for nothing).
    found: dict[Any, Model] = {
        row.pk: row for row in rows.filter(pk__in=list(page.object_list)).order_by()
    }
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    return page


class CountedPaginator(Paginator):
    """A Paginator that asks `count` for the number of rows (a cached count, say) instead of
    running `object_list.count()`."""

    def __init__(self, object_list: Any, per_page: int, *, count: Callable[[], int]) -> None:
        super().__init__(object_list, per_page)
        self._count_source = count

    @cached_property
    def count(self) -> int:
        return self._count_source()
