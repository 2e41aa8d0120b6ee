"""Demo staff: one account per role that can sign in, plus colleagues who appear in the data."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    roles: tuple[Role, ...]
    can_sign_in: bool = False


# Invented names. The accounts that can sign in are named after their role, so the printed
# credentials explain themselves.
DEMO_STAFF = [
    DemoPerson("koordinator", "Karin", "Lindqvist", (Role.COORDINATOR,), can_sign_in=True),
    DemoPerson("uppsokare", "Jonas", "Ek", (Role.OUTREACH,), can_sign_in=True),
    DemoPerson("chef", "Maria", "Sandberg", (Role.MANAGER,), can_sign_in=True),
    DemoPerson("admin", "Ali", "Haddad", (Role.ADMIN,), can_sign_in=True),
    DemoPerson("samira.koordinator", "Samira", "Nord", (Role.COORDINATOR,)),
    DemoPerson("erik.koordinator", "Erik", "Holm", (Role.COORDINATOR,)),
    DemoPerson("lena.uppsokare", "Lena", "Berg", (Role.OUTREACH,)),
]


def _new_password() -> str:
    return f"lotsa-{secrets.token_urlsafe(9)}"


def seed(*, reset_passwords: bool = False) -> list[tuple[str, str, str]]:
    """Create the demo staff (idempotent).

    Returns (username, password, role label) for each account whose password was set now, so the
    caller can print them once.
    """
    credentials: list[tuple[str, str, str]] = []
    for person in DEMO_STAFF:
        user = User.objects.filter(username=person.username).first()
        password = _new_password() if person.can_sign_in else None
        if user is None:
            user_create(
                username=person.username,
                first_name=person.first_name,
                last_name=person.last_name,
                email=f"{person.username}@lotsa.invalid",
                roles=person.roles,
                password=password,
            )
        elif password and reset_passwords:
            user.set_password(password)
            user.save(update_fields=["password"])
        else:
            continue
        if password:
            credentials.append((person.username, password, str(person.roles[0].label)))
    return credentials
