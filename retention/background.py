"""A manager's retention proposal made by a worker (core.background, kind
`retention.proposal`): finding the candidates among every individual takes seconds at national
scale. The job's page shows it waiting, then leads to the proposal."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from core.background import BuildRefused, BuiltFile, FileKind, Progress, register_kind
from retention import services

KIND = "retention.proposal"


def _build(user: User, params: dict[str, Any], progress: Progress) -> BuiltFile:
    progress(0, 1)
    try:
        run = services.run_propose(by=user, notify_managers=False)
    except ValidationError as error:
        raise BuildRefused(" ".join(error.messages)) from error
    progress(1, 1)
    return BuiltFile(result_url=reverse("retention:run_detail", kwargs={"pk": run.pk}))


register_kind(
    FileKind(
        name=KIND,
        label=gettext_lazy("Retention proposal"),
        roles=(Role.MANAGER,),
        build=_build,
    )
)
