"""The change history of a reflection-period application, on its page (the machinery:
casework.history)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import User
from casework.history import (
    HistoryEntry,
    HistorySource,
    Spec,
    build_history,
    can_see_history,
    history_versions,
    named,
)
from reflection_period.models import ReflectionPeriodApplication

# The deadline columns are recomputed from the dates on every save: not a person's change.
APPLICATION = Spec(
    ReflectionPeriodApplication,
    hidden=frozenset({"case", "due_kind", "due_on", "overdue_on"}),
    identity=frozenset({"person_age"}),
)


def application_history(
    application: ReflectionPeriodApplication, user: User, *, identity_masked: bool
) -> list[HistoryEntry] | None:
    """The application page; the person's age is masked where the page masks the identity."""
    if not can_see_history(user):
        return None
    return build_history(
        [
            HistorySource(
                APPLICATION,
                history_versions(APPLICATION, id=application.pk),
                named(_("The application")),
                masked=identity_masked,
            )
        ]
    )
