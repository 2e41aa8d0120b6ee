"""The case list's counts, cached until a case or a case's purposes change.

"35 719 ärenden" is a count of every case with that purpose: at national scale it costs
PostgreSQL many times what the rows of a page do, for every page of the list and every change
of a filter (bench/RESULTS.md). The count of a filtered list is cached under a
generation (core/generation_cache.py) that any save or delete of a case or a case purpose
retires; the key is the list query itself, so every combination of filters (and "only mine",
which names the user) has its own.

Lotsa's own code changes cases and purposes through the ORM, with two exceptions that cannot
change a count: a case's last activity is stamped with QuerySet.update() (the list sorts by it
but no filter reads it), and a case's purposes are bulk-created in the transaction that saves
the case (whose commit retires the generation). Searches are not counted here: a search's
matches are read anyway (core/paging.py).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import QuerySet

from casework.models import Case, CasePurpose
from core.generation_cache import GenerationCache

LIST_COUNTS = GenerationCache(
    "casework:list-counts",
    cache_setting="LOTSA_LIST_COUNT_CACHE",
    seconds_setting="LOTSA_LIST_COUNT_CACHE_SECONDS",
)


def cached_count(queryset: QuerySet[Any]) -> int:
    """`queryset.count()`, from the cache while no case or purpose has changed."""
    sql, params = queryset.order_by().query.sql_with_params()
    key = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    return LIST_COUNTS.cached(key, queryset.count)


def connect() -> None:
    """Called from CaseworkConfig.ready()."""
    LIST_COUNTS.watch([Case, CasePurpose])
