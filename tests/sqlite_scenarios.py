"""Scenarios against a real SQLite file, the demo's database, run in a process of their own.

The suite's database is PostgreSQL; `tests/test_sqlite_demo.py` runs `python -m
tests.sqlite_scenarios <scenario>` with DATABASE_URL pointing at a migrated SQLite file and
reads the JSON it prints. Each scenario makes its own users and data through the services and
talks to Lotsa through Django's test client (the whole request: middleware, view, database).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
from datetime import timedelta
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")


def _setup(*, timeout: float | None = None) -> None:
    from django.conf import settings

    if timeout is not None:  # before the first connection reads it
        settings.DATABASES["default"]["OPTIONS"]["timeout"] = timeout
    import django

    django.setup()


def _users() -> dict[str, Any]:
    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import user_set_roles

    users = {}
    for name, role in [
        ("karin", Role.COORDINATOR),
        ("samira", Role.COORDINATOR),
        ("jonas", Role.OUTREACH),
        ("ali", Role.ADMIN),
    ]:
        user = User.objects.create_user(username=name, first_name=name.title(), password=None)
        user_set_roles(user=user, roles=[role])
        users[name] = user
    return users


def _case(coordinator: Any) -> Any:
    from django.utils import timezone

    from casework import services

    return services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={"alias": "Lilja", "sex": "female", "birth_year": 1995},
        coordinator=coordinator,
        opened_on=timezone.localdate(),
        origin="police",
        offence="trafficking",
        purposes=["sexual"],
        category="adult",
    )


def _referral(worker: Any, alias: str) -> Any:
    from django.utils import timezone

    from outreach import services
    from outreach.models import District

    contact = services.contact_create(
        by=worker,
        contacted_at=timezone.now() - timedelta(hours=1),
        environment="street",
        district=District.objects.get(code="norrmalm"),
        staff=[worker],
        alias=alias,
        consent="yes",
    )
    return services.referral_create(contact=contact, by=worker, send_notifications=False)


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def search() -> dict[str, Any]:
    """A 100 kB search (and one at the limit) on every free-text search."""
    _setup()
    from django.urls import reverse

    users = _users()
    _case(users["karin"])
    referral = _referral(users["jonas"], "Kontakt")
    huge = "x" * 100_000
    at_limit = "ä" * 100
    coordinator, worker, admin = (_client(users[n]) for n in ("karin", "jonas", "ali"))
    targets = {
        "case list": (coordinator, reverse("casework:case_list")),
        "case export": (coordinator, reverse("casework:case_export")),
        "contact list": (worker, reverse("outreach:contact_list")),
        "referral search": (coordinator, reverse("outreach:referral_detail", args=[referral.pk])),
    }
    result: dict[str, Any] = {}
    for name, (client, url) in targets.items():
        for label, text in (("huge", huge), ("at limit", at_limit)):
            for htmx in (False, True):
                headers = {"HX-Request": "true"} if htmx else {}
                response = client.post(url, {"q": text}, headers=headers)
                result[f"{name} {label}{' htmx' if htmx else ''}"] = {
                    "status": response.status_code,
                    "explained": response.get("X-Lotsa-Explained", ""),
                    "body": response.content.decode("utf-8", "replace")[:20000],
                }
    response = admin.get(reverse("admin:casework_organisation_changelist"), {"q": huge[:60_000]})
    result["admin search huge"] = {
        "status": response.status_code,
        "explained": "",
        "body": response.content.decode()[:50000],
    }
    return result


def race(rounds: int = 8) -> dict[str, Any]:
    """Two coordinators accept the same referral at the same moment, `rounds` times."""
    _setup()
    from django.db import connection
    from django.urls import reverse

    from outreach.models import Referral

    users = _users()
    case = _case(users["karin"])
    clients = [_client(users["karin"]), _client(users["samira"])]
    outcomes = []
    for number in range(rounds):
        referral = _referral(users["jonas"], f"Kontakt {number}")
        url = reverse("outreach:referral_accept_case", args=[referral.pk])
        start = threading.Barrier(2)
        responses: list[Any] = [None, None]

        def accept(
            index: int,
            url: str = url,
            start: threading.Barrier = start,
            responses: list[Any] = responses,
        ) -> None:
            try:
                start.wait()
                responses[index] = clients[index].post(url, {"case": case.pk})
            finally:
                connection.close()  # this thread's own connection

        threads = [threading.Thread(target=accept, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        referral.refresh_from_db()
        outcomes.append(
            {
                "statuses": sorted(r.status_code for r in responses),
                "bodies": [r.content.decode()[:20000] for r in responses if r.status_code != 302],
                "status": referral.status,
                "accepted_by": str(referral.accepted_by_id),
            }
        )
    return {
        "rounds": outcomes,
        "accepted": Referral.objects.filter(status="accepted").count(),
    }


def locked(path: str) -> dict[str, Any]:
    """Another process holds the write lock longer than Lotsa waits (1 s here)."""
    _setup(timeout=1)
    from django.urls import reverse
    from django.utils import timezone

    from casework.models import JournalEntry

    users = _users()
    case = _case(users["karin"])
    client = _client(users["karin"])
    url = reverse("casework:journal_create", args=[case.pk])
    data = {"entry_date": timezone.localdate().isoformat(), "kind": "meeting", "text": "Samtal."}
    holder = sqlite3.connect(path, timeout=1, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        busy = client.post(url, data)
        busy_htmx = client.post(url, data, headers={"HX-Request": "true"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    entries_while_locked = JournalEntry.objects.count()
    after = client.post(url, data)
    return {
        "busy": {"status": busy.status_code, "body": busy.content.decode()},
        "busy htmx": {
            "status": busy_htmx.status_code,
            "body": busy_htmx.content.decode(),
            "explained": busy_htmx.get("X-Lotsa-Explained", ""),
        },
        "entries while locked": entries_while_locked,
        "after": after.status_code,
        "entries after": JournalEntry.objects.count(),
    }


if __name__ == "__main__":
    scenario = sys.argv[1]
    if scenario == "search":
        output = search()
    elif scenario == "race":
        output = race()
    elif scenario == "locked":
        output = locked(sys.argv[2])
    else:
        raise SystemExit(f"unknown scenario {scenario}")
    sys.stdout.write(json.dumps(output) + "\n")
