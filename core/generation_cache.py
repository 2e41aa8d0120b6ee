"""Values cached until any row they are computed from changes: a *generation* token per kind.

Each kind of value (the annual statistics, the case list's counts) has a generation: a random
token in the cache, stored with every value of the kind, which is read (with the token, in one
round trip) only while its token is current. Saving or deleting a row of a watched model
(through the ORM: forms, services, the admin) replaces the token at once and again when the
transaction commits, so no value cached before is read again. A value computed while another
transaction commits is stored with the token it started with, which that commit then retires:
no stale value outlives a write.

The cache fails soft (core/soft_cache.py): when it cannot be reached, values are computed
without it, and when it answers again every generation is retired, since a change saved
meanwhile could not retire it.

Not seen: changes that bypass the ORM's signals (raw SQL, QuerySet.update() and bulk_create()
on the watched models, a restored backup). Each user of this module says how its own code keeps
clear of them. The cache must be shared by every process (Redis): a write clears only the cache
it is made through. With a process's own memory (LocMemCache) each kind is off by default.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from core import soft_cache

T = TypeVar("T")

# Saves that change nothing a cached value reads: a sign-in stamps the user's last_login.
IGNORED_UPDATES = frozenset({"last_login"})


def retire_all() -> list[str]:
    """Retire every value of every kind (after a restore, or data changed by hand); returns the
    kinds' names."""
    for kind in ALL:
        kind.invalidate()
    return [kind.name for kind in ALL]


ALL: list[GenerationCache] = []


class GenerationCache:
    """One kind of cached value: `name` prefixes its keys; the cache alias and the lifetime
    (0: off) are read from the settings named `cache_setting` and `seconds_setting`."""

    def __init__(self, name: str, *, cache_setting: str, seconds_setting: str) -> None:
        self.name = name
        self.generation_key = f"{name}:generation"
        self.cache_setting = cache_setting
        self.seconds_setting = seconds_setting
        soft_cache.on_recovery(self.invalidate)
        ALL.append(self)

    def _alias(self) -> str:
        return str(getattr(settings, self.cache_setting))

    def _cache(self) -> Any:
        return caches[self._alias()]

    def generation(self) -> str:
        token: str | None = self._cache().get(self.generation_key)
        if token is None:
            self._cache().add(self.generation_key, uuid.uuid4().hex, None)
            token = self._cache().get(self.generation_key) or "none"
        return token

    def invalidate(self) -> None:
        """Retire every value of this kind (a new generation token). With the cache
        unreachable, the retirement happens when it answers again (core/soft_cache.py)."""
        soft_cache.call(
            self._alias(),
            lambda cache: cache.set(self.generation_key, uuid.uuid4().hex, None),
            lambda: None,
        )

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """The value stored under `key` in this generation, or `compute()`d and stored (computed
        only, when the cache cannot be reached)."""
        seconds: int = getattr(settings, self.seconds_setting)
        if seconds <= 0:
            return compute()
        value_key = f"{self.name}:value:{key}"

        def read(cache: Any) -> tuple[str, Any]:
            # One round trip for the token and the value; the value is stored with the token it
            # was computed under and counts only while that token is current.
            found = cache.get_many([self.generation_key, value_key])
            return found.get(self.generation_key) or self.generation(), found.get(value_key)

        token, stored = soft_cache.call(self._alias(), read, lambda: (None, None))
        if token is None:
            return compute()
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == token:
            return cast(T, stored[1])
        value = compute()
        soft_cache.call(
            self._alias(), lambda cache: cache.set(value_key, (token, value), seconds), lambda: None
        )
        return value

    def _changed(self, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields and IGNORED_UPDATES.issuperset(update_fields):
            return
        self.invalidate()
        transaction.on_commit(self.invalidate, robust=True)

    def watch(self, models: Iterable[type[Model]], m2m_through: Iterable[Any] = ()) -> None:
        """Retire the generation whenever a row of `models` (or of the many-to-many tables
        `m2m_through`) is saved or deleted. Called from an AppConfig.ready()."""
        for model in models:
            uid = f"{self.name}-{model._meta.label_lower}"
            post_save.connect(self._changed, sender=model, dispatch_uid=f"{uid}-save", weak=False)
            post_delete.connect(
                self._changed, sender=model, dispatch_uid=f"{uid}-delete", weak=False
            )
        for through in m2m_through:
            m2m_changed.connect(
                self._changed, sender=through, dispatch_uid=f"{self.name}-m2m-{through}", weak=False
            )
