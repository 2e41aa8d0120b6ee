"""Register clients and users in the test provider: `op_setup '<json>'`.

{"clients": [{"client_id", "client_secret", "redirect_uri", "post_logout_redirect_uri"}],
 "users": [{"username", "password", "groups": [...], "active": true}]}
Running it again updates what exists.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from oauth2_provider.models import Application


class Command(BaseCommand):
    help = "Register clients and users in the test OpenID Connect provider."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("spec")

    def handle(self, *args: Any, spec: str, **options: Any) -> None:
        data = json.loads(spec)
        for client in data.get("clients", []):
            Application.objects.filter(client_id=client["client_id"]).delete()
            Application.objects.create(
                name=client["client_id"],
                client_id=client["client_id"],
                client_secret=client["client_secret"],
                client_type=Application.CLIENT_CONFIDENTIAL,
                authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                redirect_uris=client["redirect_uri"],
                post_logout_redirect_uris=client.get("post_logout_redirect_uri", ""),
                algorithm=Application.RS256_ALGORITHM,
                skip_authorization=True,
            )
        for person in data.get("users", []):
            user, _created = User.objects.get_or_create(username=person["username"])
            user.set_password(person["password"])
            user.is_active = person.get("active", True)
            user.save()
            user.groups.set(
                [Group.objects.get_or_create(name=name)[0] for name in person.get("groups", [])]
            )
