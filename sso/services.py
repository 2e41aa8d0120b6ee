"""Who signs in with the city's account, and what is written about it.

Accounts and roles stay in Lotsa: a verified ID token only names a person (the claim
LOTSA_OIDC_MATCH_CLAIM), and the person must already have an active staff account with that
value in `oidc_subject`. Nothing here creates an account. The optional mapping of the
provider's groups to roles (LOTSA_OIDC_GROUPS_CLAIM, LOTSA_OIDC_GROUP_ROLES) is off by default.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.audit import AccessSource, access_log_change, access_log_write
from accounts.models import AccessAction, User
from accounts.roles import Role
from accounts.services import user_set_roles

logger = logging.getLogger(__name__)


class Outcome(Enum):
    SIGNED_IN = "signed_in"
    NO_CLAIM = "no_claim"
    UNKNOWN = "unknown"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class Match:
    """What the ID token's claims mean for Lotsa."""

    outcome: Outcome
    subject: str
    user: User | None = None
    multi_factor: bool = False


def subject_of(claims: Mapping[str, Any]) -> str:
    """The value of the matching claim as text ("" when the token lacks it)."""
    value = claims.get(settings.LOTSA_OIDC_MATCH_CLAIM)
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()[:255]


def used_multi_factor(claims: Mapping[str, Any]) -> bool:
    """True if the provider says the person used more than one factor: one of the `amr`
    values (RFC 8176, e.g. "mfa") in LOTSA_OIDC_MFA_AMR, or the `acr` in LOTSA_OIDC_MFA_ACR."""
    amr = claims.get("amr")
    methods = {amr} if isinstance(amr, str) else set(amr) if isinstance(amr, list) else set()
    if not methods.isdisjoint(settings.LOTSA_OIDC_MFA_AMR):
        return True
    acr = claims.get("acr")
    return isinstance(acr, str) and acr in settings.LOTSA_OIDC_MFA_ACR


def sso_match(claims: Mapping[str, Any]) -> Match:
    """The staff member the verified claims name, or why nobody may sign in."""
    subject = subject_of(claims)
    if not subject:
        return Match(Outcome.NO_CLAIM, subject)
    user = User.objects.filter(oidc_subject=subject).first()
    if user is None:
        return Match(Outcome.UNKNOWN, subject)
    if not user.is_active:
        return Match(Outcome.DEACTIVATED, subject, user)
    return Match(Outcome.SIGNED_IN, subject, user, used_multi_factor(claims))


def sso_sign_in_record(*, user: User, multi_factor: bool, source: AccessSource) -> None:
    """Write the sign-in to the access log, where the managers' log review shows it."""
    access_log_write(
        user=user,
        action=AccessAction.SSO_SIGN_IN,
        object_type="accounts.user",
        object_id=str(user.pk),
        view_name=source.view_name,
        detail="multi-factor at the provider" if multi_factor else "Lotsa's own second step",
        ip_address=source.ip_address,
    )


def sso_refusal_record(*, match: Match, reason: str, source: AccessSource) -> None:
    """A refused person: logged (no name, only the account's id or the claim's value), and in
    the access log when the account is known (a deactivated one)."""
    logger.warning(
        "single sign-on refused (%s): %s=%s user=%s address=%s",
        reason,
        settings.LOTSA_OIDC_MATCH_CLAIM,
        match.subject or "-",
        match.user.pk if match.user else "-",
        source.ip_address or "-",
    )
    if match.user is not None:
        access_log_write(
            user=match.user,
            action=AccessAction.SSO_REFUSED,
            object_type="accounts.user",
            object_id=str(match.user.pk),
            view_name=source.view_name,
            detail=reason,
            ip_address=source.ip_address,
        )


def roles_for_groups(groups: object) -> list[Role]:
    """The roles LOTSA_OIDC_GROUP_ROLES gives the provider's groups, in Role's order."""
    if isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, list):
        return []
    mapping: dict[str, str] = settings.LOTSA_OIDC_GROUP_ROLES
    wanted = {mapping[group] for group in groups if isinstance(group, str) and group in mapping}
    return [role for role in Role if role.value in wanted]


def group_mapping_on() -> bool:
    return bool(settings.LOTSA_OIDC_GROUPS_CLAIM and settings.LOTSA_OIDC_GROUP_ROLES)


@transaction.atomic
def sso_roles_update(*, user: User, claims: Mapping[str, Any], source: AccessSource) -> None:
    """With the groups mapping on: the user's roles become those of their groups at the
    provider (a change is written to the access log as the provider's)."""
    roles = roles_for_groups(claims.get(settings.LOTSA_OIDC_GROUPS_CLAIM))
    before = _role_names(user)
    user_set_roles(user=user, roles=roles)
    after = _role_names(user)
    if before != after:
        access_log_change(
            by=user,
            action=AccessAction.ROLES,
            obj=user,
            detail=f"{', '.join(before)} -> {', '.join(after)} (groups at the city's sign-in service)",
            source=source,
            service="sso.services.sso_roles_update",
        )


def _role_names(user: User) -> list[str]:
    names = set(
        Group.objects.filter(user=user, name__in=Role.values).values_list("name", flat=True)
    )
    return [name for name in Role.values if name in names]
