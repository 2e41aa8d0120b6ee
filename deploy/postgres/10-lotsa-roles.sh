#!/usr/bin/env bash
# Lotsa's database and its two roles. The official PostgreSQL image runs this as the superuser
# when the data volume is first created (/docker-entrypoint-initdb.d/); on a server of your own,
# run it once with PGHOST/PGPORT pointing at it and a superuser in POSTGRES_USER.
#
#   LOTSA_DB_OWNER  owns the database and every table; runs `migrate` and `db_grants`
#   LOTSA_DB_APP    what web, worker and beat connect as: rows only, never a table's structure
#
# The application role's privileges on the tables are given after each migration by
# `python manage.py db_grants --apply --app-role "$LOTSA_DB_APP"`, run as the owner (the compose
# file's `migrate` service does); the default privileges below cover tables made in between.
set -euo pipefail

: "${LOTSA_DB_NAME:=lotsa}"
: "${LOTSA_DB_OWNER:=lotsa_owner}"
: "${LOTSA_DB_APP:=lotsa_app}"
: "${LOTSA_DB_OWNER_PASSWORD:?set LOTSA_DB_OWNER_PASSWORD}"
: "${LOTSA_DB_APP_PASSWORD:?set LOTSA_DB_APP_PASSWORD}"

psql -v ON_ERROR_STOP=1 --no-psqlrc \
  --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
  -v db="$LOTSA_DB_NAME" -v owner="$LOTSA_DB_OWNER" -v app="$LOTSA_DB_APP" \
  -v owner_password="$LOTSA_DB_OWNER_PASSWORD" -v app_password="$LOTSA_DB_APP_PASSWORD" <<'SQL'
-- Neither role is a superuser, may create databases or roles, or inherits another's rights.
CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'app_password';
CREATE DATABASE :"db" OWNER :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app";
\connect :"db"
-- Only the owner creates objects; the application may use the schema.
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO :"app";
SQL
