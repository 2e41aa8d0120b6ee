"""A new staff account's one-time link to choose a password (accounts.admin, Django's
password-reset tokens): no password is invented by the administrator, the link sets one once,
and stops working when used or after LOTSA_ENROLMENT_LINK_HOURS."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from accounts.roles import Role
from tests.factories import UserFactory

PASSWORD = "ett-eget-langt-losenord-42"
INVALID = "Länken fungerar inte"


def _create(client: Client, **fields: object):
    return client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "nyanstalld",
            "first_name": "Nora",
            "last_name": "Ny",
            "email": "nora@lotsa.invalid",
            "groups": [Group.objects.get(name=Role.OUTREACH).pk],
            "_save": "Spara",
            **fields,
        },
    )


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def _set(client: Client, path: str, password: str = PASSWORD):
    """Open the link (Django moves the token into the session) and send the new password."""
    opened = client.get(path)
    if opened.status_code != 302:
        return opened
    return client.post(opened["Location"], {"new_password1": password, "new_password2": password})


def test_the_administrator_gets_a_link_and_the_person_sets_their_password_once(
    db, admin_user, settings
):
    settings.LOTSA_BASE_URL = "https://lotsa.example.se"
    administrator = Client()
    administrator.force_login(admin_user)
    response = _create(administrator, password1="x", password2="x")
    assert response.status_code == 200
    html = response.content.decode()
    link = re.search(r'<code id="password-link">([^<]+)</code>', html)
    assert link, html[:3000]
    assert link[1].startswith("https://lotsa.example.se/accounts/password/")
    created = User.objects.get(username="nyanstalld")
    # The passwords posted anyway are ignored: nobody but the person knows the password.
    assert not created.has_usable_password()

    person = Client()
    done = _set(person, _path(link[1]))
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:login")
    created.refresh_from_db()
    assert created.check_password(PASSWORD)
    # Once: the same link, opened again, says it does not work and sets nothing.
    again = _set(Client(), _path(link[1]), "ett-annat-langt-losenord-7")
    assert again.status_code == 200
    assert INVALID in again.content.decode()
    created.refresh_from_db()
    assert created.check_password(PASSWORD)


def test_a_link_older_than_the_limit_does_not_work(db, settings):
    settings.LOTSA_ENROLMENT_LINK_HOURS = 48
    settings.PASSWORD_RESET_TIMEOUT = 48 * 3600
    user = UserFactory.create(username="sen")
    user.set_unusable_password()
    user.save()

    class MadeAt(PasswordResetTokenGenerator):
        def __init__(self, at: datetime) -> None:
            super().__init__()
            self.at = at

        def _now(self) -> datetime:
            return self.at

    def path(hours_ago: int) -> str:
        # Django's token clock is naive local time (PasswordResetTokenGenerator._now).
        made_at = datetime.now() - timedelta(hours=hours_ago)  # noqa: DTZ005
        token = MadeAt(made_at).make_token(user)
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        return reverse("accounts:password_set", kwargs={"uidb64": uid, "token": token})

    expired = _set(Client(), path(49))
    assert expired.status_code == 200
    assert INVALID in expired.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()
    fresh = _set(Client(), path(47))
    assert fresh.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_weak_password_is_refused_in_swedish(db):
    user = UserFactory.create(username="svag")
    user.set_unusable_password()
    user.save()
    token = PasswordResetTokenGenerator().make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:password_set", kwargs={"uidb64": uid, "token": token})
    response = _set(Client(), path, "kort")
    assert response.status_code == 200
    assert "minst 12 tecken" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_a_made_up_link_says_it_does_not_work(db, client):
    response = client.get(
        reverse("accounts:password_set", kwargs={"uidb64": "MTIzNDU", "token": "abc-def"})
    )
    assert response.status_code == 200
    assert INVALID in response.content.decode()


def test_a_new_link_from_the_account_page_when_the_first_one_expired(db, admin_user, manager):
    """The account's page offers a new link: confirm, then it is shown once and works; the
    administrator's history of the account says a link was made. Not for one's own account."""
    administrator = Client()
    administrator.force_login(admin_user)
    page = reverse("admin:accounts_user_change", args=[manager.pk])
    tool = reverse("admin:accounts_user_password_link", args=[manager.pk])
    assert tool in administrator.get(page).content.decode()
    confirm = administrator.get(tool)
    assert confirm.status_code == 200
    assert "Gör länken" in confirm.content.decode()
    assert not re.search(r'<code id="password-link">', confirm.content.decode())

    made = administrator.post(tool)
    assert made.status_code == 200
    link = re.search(r'<code id="password-link">([^<]+)</code>', made.content.decode())
    assert link
    assert LogEntry.objects.filter(
        user=admin_user,
        object_id=str(manager.pk),
        change_message="Gjorde en länk för att välja lösenord.",
    ).exists()
    done = _set(Client(), _path(link[1]))
    assert done.status_code == 302
    manager.refresh_from_db()
    assert manager.check_password(PASSWORD)

    own = reverse("admin:accounts_user_password_link", args=[admin_user.pk])
    assert (
        own
        not in administrator.get(
            reverse("admin:accounts_user_change", args=[admin_user.pk])
        ).content.decode()
    )
    assert administrator.post(own).status_code == 403
