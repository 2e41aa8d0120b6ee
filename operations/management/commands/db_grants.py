"""The application role's privileges on Lotsa's tables (PostgreSQL), given by the tables' owner.

In production two roles share the database (deploy/postgres/10-lotsa-roles.sh creates them):
the owner, which runs the migrations and owns every table, and the application's role, which
web, worker and beat connect as. The application's role reads and writes rows and nothing else:
it cannot alter, drop or truncate a table, disable a trigger, or change the access log (only
SELECT and INSERT there; the append-only trigger of migration audit.0001 refuses UPDATE and
DELETE besides). Run after every `migrate`, as the owner:

    python manage.py db_grants                          # print the SQL
    python manage.py db_grants --apply --app-role lotsa_app

Tables created by later migrations get the row privileges at once through the owner's default
privileges; this command then takes the access log's UPDATE and DELETE away again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from psycopg import sql

from accounts.models import AccessLogEntry

# Rows the application adds and reads but never changes.
APPEND_ONLY_TABLES = [AccessLogEntry._meta.db_table]
# Written by the owner's `migrate` only.
READ_ONLY_TABLES = ["django_migrations"]


def grant_statements(*, owner: str, app: str, tables: list[str]) -> list[sql.Composable]:
    """The statements, in order: row privileges everywhere, then the exceptions."""
    app_role, owner_role = sql.Identifier(app), sql.Identifier(owner)
    statements: list[sql.Composable] = [
        sql.SQL("REVOKE ALL ON SCHEMA public FROM PUBLIC"),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(app_role),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            app_role
        ),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(app_role),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(owner_role, app_role),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
            "GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(owner_role, app_role),
    ]
    for table in APPEND_ONLY_TABLES:
        if table in tables:
            statements.append(
                sql.SQL(
                    "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {} FROM {}"
                ).format(sql.Identifier(table), app_role)
            )
    for table in READ_ONLY_TABLES:
        if table in tables:
            statements.append(
                sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
                    sql.Identifier(table), app_role
                )
            )
    # Nothing of this is the application's to hand on or to change.
    statements.append(
        sql.SQL(
            "REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {}"
        ).format(app_role)
    )
    return statements


class Command(BaseCommand):
    help = "Print (or apply, as the tables' owner) the application role's privileges."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--app-role", default="lotsa_app", help="The role web, worker and beat connect as."
        )
        parser.add_argument(
            "--apply", action="store_true", help="Run the statements (as the tables' owner)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("db_grants is for PostgreSQL (the demo's SQLite has no roles).")
        app: str = options["app_role"]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, EXISTS (SELECT FROM pg_roles WHERE rolname = %s)", [app]
            )
            owner, app_exists = cursor.fetchone()
        if app == owner:
            raise CommandError(
                "The application's role must not be the tables' owner: an owner can drop the "
                "access log's trigger. Run this as the owner, naming the other role."
            )
        if not app_exists:
            raise CommandError(f"There is no role {app!r} (deploy/postgres/10-lotsa-roles.sh).")
        statements = grant_statements(
            owner=owner, app=app, tables=connection.introspection.table_names()
        )
        with connection.cursor() as cursor:
            texts = [statement.as_string(cursor.connection) for statement in statements]
        if not options["apply"]:
            self.stdout.write(";\n".join(texts) + ";")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for text in texts:
                cursor.execute(text)
        self.stdout.write(
            f"{app}: row privileges on every table; SELECT and INSERT only on "
            f"{', '.join(APPEND_ONLY_TABLES)}; default privileges for {owner}'s new tables."
        )
