"""The active coordinators as the case list's filter options, cached until a user or a role
changes.

Every case list page, filtered or searched, offers "Coordinator" as a filter. Reading the
coordinators (a join of users and roles, and a model per coordinator) took 1.0 ms of each
page at national scale, about 8 % of a searched list (bench/RESULTS.md). The options are
cached under a generation (config/generation_cache.py) that any save or delete of a user (but
a sign-in's last-login stamp) or of a role, and any change of anyone's roles, retires; the
value a user submits is checked against the same options. Users and roles change only through
the ORM (the admin, `accounts.services.user_set_roles` and the other account services),
never through `QuerySet.update()`.
"""

from __future__ import annotations

from django.contrib.auth.models import Group

from accounts.models import User
from casework.selectors import coordinators
from config.generation_cache import GenerationCache

COORDINATOR_CHOICES = GenerationCache(
    "casework:coordinator-choices",
    cache_setting="LOTSA_LIST_COUNT_CACHE",
    seconds_setting="LOTSA_LIST_COUNT_CACHE_SECONDS",
)


def coordinator_choices() -> list[tuple[int, str]]:
    """(id, name) of each active coordinator, in the order of `coordinators()`."""
    return COORDINATOR_CHOICES.cached(
        "all", lambda: [(user.pk, str(user)) for user in coordinators()]
    )


def connect() -> None:
    """Called from CaseworkConfig.ready()."""
    COORDINATOR_CHOICES.watch([User, Group], m2m_through=[User.groups.through])
