"""The contact list's counts, cached until a contact, its staff or a referral changes.

"26 487 kontakter": an outreach worker's own contacts are those they logged or were present at,
and counting them read every contact of the unit (200,000 at national scale, 0.3–0.7 s of
PostgreSQL on a loaded machine; bench/RESULTS.md) on every page of the list, while the page's 25
rows walk the index of contact times and stop. The count of a filtered list is cached under a
generation (core/generation_cache.py) that any save or delete of a contact, of the staff present
at one (the many-to-many table) or of a referral (a coordinator sees referred contacts) retires;
the key is the list query itself, which names the user and the filters. A count not yet
cached reads an outreach worker's rows in StaffContact (outreach.models): 4–7 ms instead of
40–80 ms at national scale.

Lotsa's own code changes these rows through the ORM; the staff present are set with
`staff.add()`/`staff.set()`, which send m2m_changed.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import QuerySet

from core.generation_cache import GenerationCache
from outreach.models import OutreachContact, Referral

LIST_COUNTS = GenerationCache(
    "outreach:list-counts",
    cache_setting="LOTSA_LIST_COUNT_CACHE",
    seconds_setting="LOTSA_LIST_COUNT_CACHE_SECONDS",
)


def cached_count(queryset: QuerySet[Any]) -> int:
    """`queryset.count()`, from the cache while no contact, staff link or referral has
    changed."""
    sql, params = queryset.order_by().query.sql_with_params()
    key = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    return LIST_COUNTS.cached(key, queryset.count)


def connect() -> None:
    """Called from OutreachConfig.ready()."""
    LIST_COUNTS.watch([OutreachContact, Referral], m2m_through=[OutreachContact.staff.through])
