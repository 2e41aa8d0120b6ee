"""Generate national-scale data for the benchmark into its own PostgreSQL database.

    .venv/bin/python -m bench.generate --scale 1.0      # 100k individuals, 120k cases, 1M journal
    .venv/bin/python -m bench.generate --scale 0.01     # a small run (seconds)

Drops and recreates the database named in DATABASE_URL (default `lotsa_bench`, see
bench/settings.py), runs the migrations, then writes every row with PostgreSQL's COPY. At scale
1.0: 100,000 individuals, 120,000 cases, 1,000,000 journal entries, 30,000 reflection-period
applications, 200,000 outreach contacts (20,000 referrals), spread over the last ten years.
Every CHECK and unique constraint of the models holds (one open case per individual and
category, case numbers unique per year, one undecided application per case, ...). Personal
identity numbers are NULL or valid (date + Luhn check digit). The users (20 coordinators,
15 outreach workers, 3 managers) share the password in BENCH_PASSWORD.

`--access-log N` adds N access-log rows, and 4,400 more about one person (the individual of
case 1, for the registerutdrag: `add_access_log`); `--access-log-only`: to the existing database.

Not generated: change history (simple_history tables), support measures,
organisation links and consents; the pages that read them run the same queries on empty tables.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.utils import timezone

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

BENCH_PASSWORD = "bench-Lotsa-2026!"  # noqa: S105 - a benchmark account on a local database
COORDINATORS = 20
OUTREACH_STAFF = 15
MANAGERS = 3
YEARS = 10

GIVEN = [
    "Maria",
    "Elena",
    "Ana",
    "Ioana",
    "Olga",
    "Fatima",
    "Amina",
    "Grace",
    "Joy",
    "Blessing",
    "Nadia",
    "Irina",
    "Svetlana",
    "Li",
    "Mei",
    "Sara",
    "Anna",
    "Eva",
    "Aisha",
    "Mariam",
    "Florin",
    "Ion",
    "Ahmed",
    "Mohammed",
    "Peter",
    "Daniel",
    "Victoria",
    "Esther",
    "Precious",
]
FAMILY = [
    "Popescu",
    "Ionescu",
    "Petrova",
    "Ivanova",
    "Okafor",
    "Adeyemi",
    "Nguyen",
    "Tran",
    "Wang",
    "Hassan",
    "Ali",
    "Mohamed",
    "Kovacs",
    "Nagy",
    "Horvath",
    "Stoica",
    "Dumitru",
    "Osei",
    "Mensah",
    "Chen",
    "Garcia",
    "Lopez",
    "Rodriguez",
    "Andersson",
    "Svensson",
    "Karlsson",
]
ALIASES = [
    "Mimi",
    "Lola",
    "Bella",
    "Sasha",
    "Nina",
    "Kiki",
    "Coco",
    "Lulu",
    "Tina",
    "Vera",
    "Roza",
    "Dina",
    "Zara",
    "Lina",
    "Mona",
    "Jade",
    "Ruby",
    "Star",
    "Angel",
    "Candy",
]
SENTENCES = [
    "Samtal med individen om hennes situation och behov av stöd.",
    "Tolk närvarande via telefon.",
    "Individen berättar att hon inte har tillgång till sitt pass.",
    "Kontakt med polisen angående anmälan.",
    "Besök på Mika-mottagningen bokat.",
    "Skyddat boende ordnat via ideell förening.",
    "Informerat om rätten till betänketid och vad den innebär.",
    "Ansökan om betänketid diskuterad; individen vill tänka över saken.",
    "Uppföljande samtal, mår bättre än förra veckan.",
    "Kontakt med IOM om tryggt återvändande.",
    "Individen uteblev från avtalad tid.",
    "Ekonomiskt bistånd beviljat enligt socialtjänstlagen.",
    "Samråd med enhetschef om fortsatt planering.",
    "Läkarbesök genomfört, remiss till psykolog.",
    "Individen har fått information om sina rättigheter på sitt modersmål.",
    "Telefonsamtal med juridiskt ombud.",
]
CASE_CATEGORIES = (["adult"] * 85) + (["minor"] * 12) + (["relative"] * 3)
ORIGINS = [
    "outreach_referral",
    "police",
    "civil_society",
    "migration_agency",
    "other_municipality",
    "health_care",
    "self",
    "other",
]
CLOSING = ["completed", "safe_return", "left_country", "transferred", "no_contact", "declined"]
PURPOSES = ["sexual"] * 6 + ["labour"] * 3 + ["begging", "criminality", "forced_marriage", "other"]
JOURNAL_KINDS = (
    ["contact"] * 4 + ["meeting"] * 3 + ["phone"] * 3 + ["decision", "referral", "other"]
)
ENVIRONMENTS = (
    ["street"] * 4 + ["indoor", "hotel", "hotel"] + ["online"] * 3 + ["massage_parlour", "other"]
)
AGE_GROUPS = ["18_25"] * 3 + ["26_35"] * 3 + ["36_50", "over_50", "under_18"] + ["unknown"] * 2
SEXES = ["female"] * 8 + ["male", "other", "unknown"]
NATIONALITIES = ["", "", "", "RO", "BG", "NG", "TH", "CN", "HU", "UA", "VN", "SE", "AL"]


def luhn_digit(nine: str) -> str:
    total = 0
    for index, char in enumerate(nine):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def personal_number(born: date, serial: int) -> str:
    """A valid 12-digit personnummer for `born` (serial 0..999 makes it unique per day)."""
    yymmdd = born.strftime("%y%m%d")
    three = f"{serial % 1000:03d}"
    return f"{born:%Y%m%d}{three}{luhn_digit(yymmdd + three)}"


def aware(day: date, rng: random.Random) -> datetime:
    return datetime(
        day.year, day.month, day.day, 7 + rng.randrange(10), rng.randrange(60), tzinfo=UTC
    )


def copy_rows(
    cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    count = 0
    quoted = ", ".join(f'"{column}"' for column in columns)
    with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def recreate_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    name = db["NAME"]
    if not str(name).startswith("lotsa_bench"):
        sys.exit(f"refusing to drop a database not named lotsa_bench*: {name}")
    admin = psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def vacuum() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as conn:
        conn.execute("VACUUM ANALYZE")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = national scale")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--access-log", type=int, default=0, metavar="N", help="add N access-log rows (see below)"
    )
    parser.add_argument(
        "--access-log-only",
        action="store_true",
        help="only add the access-log rows to the existing benchmark database",
    )
    args = parser.parse_args(argv)
    if args.access_log_only:
        import django

        django.setup()
        add_access_log(args.access_log)
        return

    import django

    django.setup()

    started = time.monotonic()
    recreate_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    migrated = time.monotonic()
    print(f"database recreated and migrated in {migrated - started:.1f} s")
    counts = generate(scale=args.scale, seed=args.seed)
    if args.access_log:
        counts["accounts_accesslogentry"] = add_access_log(args.access_log, analyse=False)
    from django.db import connection

    connection.close()
    vacuum()
    # COPY goes round the ORM's signals: retire what the cache holds of the old data (the annual
    # statistics, the case list's counts, rate-limit counters).
    from django.core.cache import cache

    cache.clear()
    done = time.monotonic()
    for table, n in counts.items():
        print(f"  {table:45} {n:>10,}")
    print(
        f"rows written in {done - migrated:.1f} s (including VACUUM ANALYZE); "
        f"total {done - started:.1f} s"
    )


def generate(*, scale: float, seed: int) -> dict[str, int]:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from accounts.models import User
    from casework.models import Language
    from outreach.models import District
    from reflection_period.deadlines import Thresholds, deadline_for
    from reflection_period.models import DueKind, ReflectionPeriodApplication

    rng = random.Random(seed)
    today = timezone.localdate()
    first_day = today - timedelta(days=365 * YEARS)
    span = (today - first_day).days
    now = datetime.now(UTC)
    n_individuals = max(50, int(100_000 * scale))
    n_cases = max(60, int(120_000 * scale))
    n_journal = max(500, int(1_000_000 * scale))
    n_applications = max(30, int(30_000 * scale))
    n_contacts = max(200, int(200_000 * scale))
    counts: dict[str, int] = {}
    thresholds = Thresholds.current()

    # --- Staff ---------------------------------------------------------------------------------
    password = make_password(BENCH_PASSWORD)
    groups = {g.name: g for g in Group.objects.all()}

    def staff(prefix: str, n: int, role: str) -> list[int]:
        ids = []
        for i in range(1, n + 1):
            user = User.objects.create(
                username=f"bench-{prefix}-{i:02d}",
                first_name=rng.choice(GIVEN),
                last_name=rng.choice(FAMILY),
                email=f"bench-{prefix}-{i:02d}@example.invalid",
                password=password,
                date_joined=now - timedelta(days=span),
            )
            user.groups.add(groups[role])
            ids.append(user.pk)
        return ids

    coordinators = staff("coordinator", COORDINATORS, "coordinator")
    outreach = staff("outreach", OUTREACH_STAFF, "outreach")
    staff("manager", MANAGERS, "manager")
    # A few coordinators carry most cases (as in a real unit: some part-time, some new).
    coordinator_weights = [5 if i < 5 else 2 if i < 12 else 1 for i in range(COORDINATORS)]
    languages = list(Language.objects.values_list("pk", flat=True))
    districts = list(District.objects.values_list("pk", flat=True))

    def coordinator() -> int:
        return rng.choices(coordinators, coordinator_weights)[0]

    def day_between(start: date, end: date) -> date:
        return start + timedelta(days=rng.randrange(max(1, (end - start).days + 1)))

    connection.ensure_connection()
    raw = connection.connection  # psycopg 3 connection (Django opened it for the migrations)
    with transaction.atomic():
        cursor = raw.cursor()

        # --- Individuals -------------------------------------------------------------------------
        individuals: list[tuple[int, int | None]] = []  # (id, birth year if known)
        pn_serial: dict[date, int] = {}

        def individual_rows() -> Iterable[tuple[Any, ...]]:
            for pk in range(1, n_individuals + 1):
                born_year = rng.randint(today.year - 60, today.year - 14)
                dob = None
                birth_year: int | None = None
                pnr = None
                r = rng.random()
                if r < 0.35:
                    dob = date(born_year, rng.randint(1, 12), rng.randint(1, 28))
                    if rng.random() < 0.4:
                        serial = pn_serial.get(dob, 0)
                        pn_serial[dob] = serial + 1
                        if serial < 1000:
                            pnr = personal_number(dob, serial)
                elif r < 0.8:
                    birth_year = born_year
                named = rng.random() < 0.6
                protection = "none"
                if rng.random() < 0.02:
                    protection = rng.choice(
                        ["confidentiality_mark", "protected_registration", "fictitious_identity"]
                    )
                individuals.append((pk, born_year if (dob or birth_year) else None))
                created = aware(first_day + timedelta(days=rng.randrange(span)), rng)
                yield (
                    pk,
                    f"IND-{pk:06d}",
                    rng.choice(GIVEN) if named else "",
                    rng.choice(FAMILY) if named else "",
                    rng.choice(ALIASES) + str(rng.randrange(100)) if rng.random() < 0.7 else "",
                    rng.choice(SEXES),
                    dob,
                    birth_year,
                    rng.choice(NATIONALITIES) or "XU",
                    pnr,
                    "",
                    protection,
                    "",
                    1,
                    created,
                    coordinator(),
                    created,
                    "",
                    "",
                    "",
                )

        counts["casework_individual"] = copy_rows(
            cursor,
            "casework_individual",
            [
                "id",
                "reference",
                "given_name",
                "family_name",
                "alias",
                "sex",
                "date_of_birth",
                "birth_year",
                "citizenship",
                "personal_number",
                "phone",
                "protection",
                "notes",
                "version",
                "created_at",
                "created_by_id",
                "updated_at",
                "interpreter_dialect",
                "interpreter_gender",
                "interpreter_note",
            ],
            individual_rows(),
        )
        counts["casework_individual_languages"] = (
            copy_rows(
                cursor,
                "casework_individual_languages",
                ["individual_id", "language_id"],
                (
                    (pk, lang)
                    for pk, _b in individuals
                    if rng.random() < 0.6
                    for lang in rng.sample(languages, 1)
                ),
            )
            if languages
            else 0
        )

        # --- Cases -------------------------------------------------------------------------------
        # Every individual has one case, a fifth of them a second; ~2.5% of cases are open, most
        # of them opened in the last two years. At most one open case per individual.
        owners = [pk for pk, _b in individuals]
        owners += rng.sample(owners, k=min(len(owners), n_cases - len(owners)))
        cases: list[dict[str, Any]] = []
        open_share = 0.025
        has_open: set[int] = set()
        for individual_id in owners:
            recent = rng.random() < 0.25
            opened = day_between(today - timedelta(days=730) if recent else first_day, today)
            is_open = (
                rng.random() < open_share * (3 if recent else 0.4) and individual_id not in has_open
            )
            if is_open:
                has_open.add(individual_id)
                closed = None
            else:
                closed = min(today, opened + timedelta(days=rng.randint(7, 700)))
            cases.append(
                {
                    "individual": individual_id,
                    "opened": opened,
                    "closed": closed,
                    "category": rng.choice(CASE_CATEGORIES),
                    "coordinator": coordinator(),
                }
            )
        cases.sort(key=lambda c: (c["opened"], c["individual"]))
        per_year: dict[int, int] = {}
        for pk, case in enumerate(cases, start=1):
            case["id"] = pk
            per_year[case["opened"].year] = per_year.get(case["opened"].year, 0) + 1
            case["sequence"] = per_year[case["opened"].year]

        def case_rows() -> Iterable[tuple[Any, ...]]:
            for c in cases:
                created = aware(c["opened"], rng)
                last = aware(
                    c["closed"] or day_between(max(c["opened"], today - timedelta(days=60)), today),
                    rng,
                )
                yield (
                    c["id"],
                    f"{c['opened'].year}-{c['sequence']:04d}",
                    c["opened"].year,
                    c["sequence"],
                    c["individual"],
                    c["category"],
                    c["opened"],
                    c["closed"],
                    rng.choice(CLOSING) if c["closed"] else "",
                    "",
                    c["coordinator"],
                    rng.choice(["trafficking", "exploitation", "unclear"]),
                    rng.choice(ORIGINS),
                    1,
                    created,
                    c["coordinator"],
                    last,
                    last,
                    "",
                    "",
                    "[]",
                    "[]",
                    "",
                    "",
                    "",
                )

        counts["casework_case"] = copy_rows(
            cursor,
            "casework_case",
            [
                "id",
                "number",
                "year",
                "sequence",
                "individual_id",
                "category",
                "opened_on",
                "closed_on",
                "closing_reason",
                "closing_note",
                "coordinator_id",
                "offence",
                "origin",
                "version",
                "created_at",
                "created_by_id",
                "updated_at",
                "last_activity_at",
                "exploitation_country",
                "industry",
                "means_of_control",
                "recruitment",
                "status_decided_by",
                "trafficker_relationship",
                "trafficking_status",
            ],
            case_rows(),
        )
        counts["casework_casepurpose"] = copy_rows(
            cursor,
            "casework_casepurpose",
            ["case_id", "purpose"],
            ((c["id"], p) for c in cases for p in set(rng.sample(PURPOSES, rng.choice([1, 1, 2])))),
        )
        counts["casework_caseevent"] = copy_rows(
            cursor,
            "casework_caseevent",
            ["case_id", "kind", "on", "at", "by_id", "note"],
            (
                row
                for c in cases
                for row in (
                    [
                        (
                            c["id"],
                            "opened",
                            c["opened"],
                            aware(c["opened"], rng),
                            c["coordinator"],
                            "",
                        )
                    ]
                    + (
                        [
                            (
                                c["id"],
                                "closed",
                                c["closed"],
                                aware(c["closed"], rng),
                                c["coordinator"],
                                "",
                            )
                        ]
                        if c["closed"]
                        else []
                    )
                )
            ),
        )

        # --- Journal: spread over the cases, more for long cases; a few very long journals ----
        weights = [
            (((c["closed"] or today) - c["opened"]).days + 30) * (8 if i % 500 == 0 else 1)
            for i, c in enumerate(cases)
        ]
        journal_cases = rng.choices(cases, weights=weights, k=n_journal)

        def journal_rows() -> Iterable[tuple[Any, ...]]:
            for pk, c in enumerate(journal_cases, start=1):
                end = c["closed"] or today
                day = day_between(c["opened"], end)
                created = aware(day, rng)
                author = c["coordinator"]
                signed = (c["closed"] is not None) or rng.random() < 0.9
                text = " ".join(rng.sample(SENTENCES, rng.randint(1, 4)))
                yield (
                    pk,
                    c["id"],
                    day,
                    rng.choice(JOURNAL_KINDS),
                    text,
                    author,
                    None,
                    created if signed else None,
                    author if signed else None,
                    created,
                    created,
                )

        counts["casework_journalentry"] = copy_rows(
            cursor,
            "casework_journalentry",
            [
                "id",
                "case_id",
                "entry_date",
                "kind",
                "text",
                "author_id",
                "corrects_id",
                "signed_at",
                "signed_by_id",
                "created_at",
                "updated_at",
            ],
            journal_rows(),
        )

        # --- Reflection-period applications ------------------------------------------------------
        # Closed cases: decided or withdrawn applications. Open cases: drafts and submitted ones
        # (at most one undecided per case), and granted permits whose next step is still due.
        open_cases = [c for c in cases if c["closed"] is None]
        closed_cases = [c for c in cases if c["closed"] is not None and c["category"] != "relative"]
        n_open_apps = min(len(open_cases), max(10, n_applications // 25))
        chosen = [(c, "open") for c in rng.sample(open_cases, n_open_apps)]
        n_recent_granted = min(len(open_cases), max(5, n_applications // 60))
        chosen += [(c, "recent_granted") for c in rng.sample(open_cases, n_recent_granted)]
        remaining = n_applications - len(chosen)
        chosen += [(c, "closed") for c in rng.choices(closed_cases, k=remaining)]
        individual_birth = dict(individuals)

        def application_rows() -> Iterable[tuple[Any, ...]]:
            for pk, (c, kind) in enumerate(chosen, start=1):
                row: dict[str, Any] = {
                    "status": "granted",
                    "submitted_on": None,
                    "decided_on": None,
                    "withdrawn_on": None,
                    "valid_from": None,
                    "valid_to": None,
                    "cost_on": None,
                    "next_step": "",
                    "next_step_on": None,
                }
                end = c["closed"] or today
                if kind == "open":
                    status = rng.choice(["draft", "submitted", "submitted", "submitted"])
                    row["status"] = status
                    created_day = day_between(today - timedelta(days=20), today)
                    if status == "submitted":
                        row["submitted_on"] = created_day
                elif kind == "recent_granted":
                    submitted = day_between(today - timedelta(days=40), today - timedelta(days=3))
                    row["submitted_on"] = submitted
                    row["decided_on"] = submitted + timedelta(days=2)
                    created_day = submitted
                else:
                    submitted = day_between(c["opened"], end)
                    created_day = submitted
                    row["submitted_on"] = submitted
                    outcome = rng.random()
                    if outcome < 0.03:
                        row["status"] = "withdrawn"
                        row["withdrawn_on"] = min(submitted + timedelta(days=1), today)
                    elif outcome < 0.12:
                        row["status"] = "rejected"
                        row["decided_on"] = min(
                            submitted + timedelta(days=rng.randint(1, 6)), today
                        )
                    else:
                        row["decided_on"] = min(
                            submitted + timedelta(days=rng.randint(1, 6)), today
                        )
                if row["status"] == "granted":
                    row["valid_from"] = row["decided_on"]
                    row["valid_to"] = row["decided_on"] + timedelta(days=29)
                    row["cost_on"] = row["decided_on"]
                    # Old permits have their next step; ~0.5% were forgotten (overdue on the board).
                    if kind == "closed" and rng.random() > 0.005 and row["valid_to"] < today:
                        row["next_step"] = rng.choice(
                            [
                                "police_report",
                                "long_term_permit",
                                "safe_return",
                                "left_country",
                                "other",
                            ]
                        )
                        row["next_step_on"] = min(row["valid_to"], today)
                if row["status"] in ("rejected",) and rng.random() < 0.5:
                    row["next_step"] = "left_country"
                    row["next_step_on"] = row["decided_on"]
                application = ReflectionPeriodApplication(
                    status=row["status"],
                    submitted_on=row["submitted_on"],
                    valid_to=row["valid_to"],
                    next_step=row["next_step"],
                )
                due_on: date | None
                overdue_on: date | None
                if row["status"] == "draft":
                    due_kind, due_on, overdue_on = (
                        str(DueKind.SUBMIT),
                        created_day + timedelta(days=thresholds.draft_days),
                        None,
                    )
                else:
                    deadline = deadline_for(application, thresholds)
                    due_kind, due_on, overdue_on = (
                        deadline.kind,
                        deadline.due_on,
                        deadline.overdue_on,
                    )
                born = individual_birth.get(c["individual"])
                age = (row["submitted_on"].year - born) if (born and row["submitted_on"]) else None
                sex = rng.choice(SEXES) if row["submitted_on"] else ""
                created = aware(created_day, rng)
                yield (
                    pk,
                    c["id"],
                    "social_services",
                    "",
                    c["coordinator"],
                    "ch5_s15_p2",
                    rng.choice(["trafficking", "exploitation"]),
                    "",
                    row["status"],
                    row["submitted_on"],
                    sex,
                    age,
                    f"UT2026-{pk:06d}" if row["submitted_on"] else "",
                    row["decided_on"],
                    row["withdrawn_on"],
                    "",
                    row["valid_from"],
                    row["valid_to"],
                    row["cost_on"],
                    row["next_step"],
                    row["next_step_on"],
                    "",
                    "",
                    due_kind,
                    due_on,
                    overdue_on,
                    1,
                    created,
                    c["coordinator"],
                    created,
                )

        counts["reflection_period_reflectionperiodapplication"] = copy_rows(
            cursor,
            "reflection_period_reflectionperiodapplication",
            [
                "id",
                "case_id",
                "applicant",
                "applicant_contact",
                "applied_by_id",
                "legal_basis",
                "offence",
                "circumstances",
                "status",
                "submitted_on",
                "person_sex",
                "person_age",
                "migration_agency_number",
                "decided_on",
                "withdrawn_on",
                "withdrawal_reason",
                "valid_from",
                "valid_to",
                "cost_responsibility_on",
                "next_step",
                "next_step_on",
                "next_step_note",
                "notes",
                "due_kind",
                "due_on",
                "overdue_on",
                "version",
                "created_at",
                "created_by_id",
                "updated_at",
            ],
            application_rows(),
        )
        counts["reflection_period_applicationpurpose"] = copy_rows(
            cursor,
            "reflection_period_applicationpurpose",
            ["application_id", "purpose"],
            (
                (pk, p)
                for pk in range(1, len(chosen) + 1)
                for p in set(rng.sample(PURPOSES, rng.choice([1, 1, 2])))
            ),
        )

        # --- Outreach contacts and referrals -------------------------------------------------------
        contact_times = sorted(
            now - timedelta(seconds=rng.randrange(span * 86400)) for _ in range(n_contacts)
        )
        referred: list[tuple[int, datetime, bool, bool]] = []

        def contact_rows() -> Iterable[tuple[Any, ...]]:
            for pk, at in enumerate(contact_times, start=1):
                environment = rng.choice(ENVIRONMENTS)
                district = None if environment == "online" else rng.choice(districts)
                anonymous = rng.random() < 0.8
                age_group = rng.choice(AGE_GROUPS)
                consent = "not_asked"
                if rng.random() < 0.15:
                    consent = "yes" if rng.random() < 0.7 else "no"
                if (consent == "yes" or age_group == "under_18") and rng.random() < 0.7:
                    referred.append((pk, at, age_group == "under_18", consent == "yes"))
                yield (
                    pk,
                    at,
                    environment,
                    district,
                    "" if anonymous else rng.choice(ALIASES),
                    "" if anonymous or rng.random() < 0.5 else "Kort hår, röd jacka",
                    rng.choice(SEXES),
                    age_group,
                    rng.choice(languages) if languages and rng.random() < 0.5 else None,
                    rng.choice(NATIONALITIES),
                    consent,
                    "",
                    1,
                    rng.choice(outreach),
                    at,
                    at,
                )

        counts["outreach_outreachcontact"] = copy_rows(
            cursor,
            "outreach_outreachcontact",
            [
                "id",
                "contacted_at",
                "environment",
                "district_id",
                "alias",
                "description",
                "sex",
                "age_group",
                "language_id",
                "presumed_nationality",
                "consent",
                "notes",
                "version",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
            contact_rows(),
        )
        counts["outreach_outreachcontact_staff"] = copy_rows(
            cursor,
            "outreach_outreachcontact_staff",
            ["outreachcontact_id", "user_id"],
            (
                (pk, u)
                for pk in range(1, n_contacts + 1)
                for u in rng.sample(outreach, rng.choice([1, 2, 2, 3]))
            ),
        )
        referral_cases = [c for c in cases if c["closed"] is None] or cases

        def referral_rows() -> Iterable[tuple[Any, ...]]:
            for pk, (contact_id, at, minor, consented) in enumerate(referred, start=1):
                referred_at = at + timedelta(minutes=rng.randint(10, 600))
                recent = (now - referred_at) < timedelta(days=30)
                by = rng.choice(outreach)
                status = "accepted"
                r = rng.random()
                if recent and r < 0.35:
                    status = "pending"
                elif r < 0.08:
                    status = "declined"
                elif r < 0.12:
                    status = "withdrawn"
                if referred_at > now:
                    referred_at = now
                handled = referred_at + timedelta(hours=rng.randint(1, 96))
                to = rng.choice(coordinators) if rng.random() < 0.3 else None
                accepted = status == "accepted"
                acceptor = to or coordinator()
                yield (
                    pk,
                    contact_id,
                    to,
                    "",
                    status,
                    consented,
                    minor,
                    referred_at,
                    by,
                    handled if accepted else None,
                    acceptor if accepted else None,
                    rng.choice(referral_cases)["id"] if accepted else None,
                    handled if status == "declined" else None,
                    acceptor if status == "declined" else None,
                    "Ingen koppling till enhetens uppdrag." if status == "declined" else "",
                    handled if status == "withdrawn" else None,
                    by if status == "withdrawn" else None,
                )

        counts["outreach_referral"] = copy_rows(
            cursor,
            "outreach_referral",
            [
                "id",
                "contact_id",
                "to_coordinator_id",
                "note",
                "status",
                "consent_given",
                "presumed_minor",
                "referred_at",
                "referred_by_id",
                "accepted_at",
                "accepted_by_id",
                "case_id",
                "declined_at",
                "declined_by_id",
                "decline_reason",
                "withdrawn_at",
                "withdrawn_by_id",
            ],
            referral_rows(),
        )

        # --- Sequences: the next number the app hands out follows the generated ones ---------------
        cursor.execute(
            "INSERT INTO casework_numbersequence (key, last_value) VALUES (%s, %s)",
            ("individual", n_individuals),
        )
        for year, last in per_year.items():
            cursor.execute(
                "INSERT INTO casework_numbersequence (key, last_value) VALUES (%s, %s)",
                (f"case-{year}", last),
            )
        for table in [
            "casework_individual",
            "casework_case",
            "casework_journalentry",
            "reflection_period_reflectionperiodapplication",
            "outreach_outreachcontact",
            "outreach_referral",
        ]:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    return counts


# --- The access log (--access-log N) -------------------------------------------------------------
ACCESS_LOG_BATCH = 1_000_000
# The rows about one person on top of the `n` (issue 26: "the registerutdrag of a person with
# 4,381 log rows"); with the spread's share of the `n`, the person has about this many or more.
PERSON_LOG_ROWS = 4_400


def add_access_log(n: int, *, analyse: bool = True) -> int:
    """Add `n` access-log rows over the last year, spread as a year of the unit's reads, in page
    views of 15 rows: 54 % coordinators' start pages and 20 % case lists (read in a list: a page
    view's rows share the reader and the time, as the app writes them), 15 % case pages, 5 %
    individual pages, 6 % outreach contacts (one row a page view); 1 % flagged. Written by
    PostgreSQL itself (INSERT … SELECT generate_series), a million rows per statement: faster
    than COPY from Python, which would build every row here first.

    Then PERSON_LOG_ROWS more about one person, the individual of case 1 (the same person at
    every scale and seed): a person read often, whose registerutdrag (dsar) lists thousands of
    log rows (bench/load.py's `job_registerutdrag` exports the person with the most rows).
    Spread evenly over the same year and the staff: 40 % case pages and 40 % case-list rows of
    the person's cases, 20 % their individual page; 1 % flagged. Returns the rows added."""
    from django.db import connection, transaction

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM casework_case")
        (cases,) = cursor.fetchone()
        cursor.execute("SELECT setseed(0.26)")
    done = 0
    while done < n:
        batch = min(ACCESS_LOG_BATCH, n - done)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                WITH staff AS (SELECT array_agg(id ORDER BY id) AS ids FROM accounts_user),
                rows AS (
                    -- The kind of page of each block of 15 rows (one reader's), spread evenly.
                    SELECT g, (g / 15) * 0.6180339887 - floor((g / 15) * 0.6180339887) AS kind,
                        1 + floor(random() * %(cases)s)::int AS case_id
                    FROM generate_series(%(first)s, %(last)s) AS g
                )
                INSERT INTO accounts_accesslogentry (at, user_id, action, object_type,
                    object_id, individual_id, view_name, detail, ip_address, flagged, listed)
                SELECT now() - make_interval(secs => (%(n)s
                        - CASE WHEN kind < 0.74 THEN g - g %% 15 ELSE g END) * 31536000.0 / %(n)s),
                    staff.ids[1 + (g / 15) %% cardinality(staff.ids)],
                    'view',
                    CASE WHEN kind < 0.94 THEN 'casework.case' ELSE 'outreach.outreachcontact' END,
                    case_id::text,
                    CASE WHEN kind < 0.94 THEN (case_id + 1) / 2 END,
                    CASE WHEN kind < 0.54 THEN 'home:start_coordinator'
                         WHEN kind < 0.74 THEN 'casework:case_list'
                         WHEN kind < 0.89 THEN 'casework:case_detail'
                         WHEN kind < 0.94 THEN 'casework:individual_detail'
                         ELSE 'outreach:contact_list' END,
                    CASE WHEN kind < 0.54 THEN 'start page' ELSE '' END,
                    ('10.0.0.' || (g %% 200))::inet,
                    kind < 0.94 AND random() < 0.01,
                    kind < 0.74
                FROM rows, staff
                """,
                {"cases": max(cases, 1), "first": done + 1, "last": done + batch, "n": n},
            )
        done += batch
        print(f"  access log: {done:,} of {n:,} rows ({time.monotonic() - started:.0f} s)")
    person = add_person_access_log() if n else 0
    if analyse:
        connection.close()
        vacuum()
    return n + person


def add_person_access_log() -> int:
    """PERSON_LOG_ROWS access-log rows about the individual of case 1 (add_access_log)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            WITH person AS (
                SELECT c.individual_id AS id FROM casework_case c ORDER BY c.id LIMIT 1
            ),
            cases AS (
                SELECT array_agg(c.id ORDER BY c.id) AS ids
                FROM casework_case c JOIN person ON c.individual_id = person.id
            ),
            staff AS (SELECT array_agg(id ORDER BY id) AS ids FROM accounts_user),
            rows AS (
                SELECT g, random() AS kind, random() AS pick
                FROM generate_series(1, %(n)s) AS g
            )
            INSERT INTO accounts_accesslogentry (at, user_id, action, object_type,
                object_id, individual_id, view_name, detail, ip_address, flagged, listed)
            SELECT now() - make_interval(secs => (%(n)s - g) * 31536000.0 / %(n)s),
                staff.ids[1 + (g * 7) %% cardinality(staff.ids)],
                'view',
                CASE WHEN kind < 0.8 THEN 'casework.case' ELSE 'casework.individual' END,
                CASE WHEN kind < 0.8
                     THEN cases.ids[1 + floor(pick * cardinality(cases.ids))::int]::text
                     ELSE person.id::text END,
                person.id,
                CASE WHEN kind < 0.4 THEN 'casework:case_detail'
                     WHEN kind < 0.8 THEN 'casework:case_list'
                     ELSE 'casework:individual_detail' END,
                '',
                ('10.0.1.' || (g %% 200))::inet,
                random() < 0.01,
                kind >= 0.4 AND kind < 0.8
            FROM rows, person, cases, staff
            """,
            {"n": PERSON_LOG_ROWS},
        )
        added: int = cursor.rowcount
    print(f"  access log: {added:,} rows about the individual of case 1")
    return added


if __name__ == "__main__":
    main()
