"""The HTCDS 2.0 and CTDC-style exports (issue 25, §3): golden files on the demo data, the
mapping table checked against the standard's own field list, pseudonymous ids, nothing
identifying in any file, and k-anonymity of the CTDC microdata as a property.

Golden files live in tests/golden/. They are the demo's 2024 figures as of 31 March 2025; the
demo is deterministic but database ids are not (PostgreSQL sequences do not roll back with a
test's transaction), and the pseudonymous ids are HMACs of those ids. So the golden comparison
names each pseudonym by its order of first appearance ("case-0001", "person-0001"), which keeps
what the ids say (which records are the same person) and drops what they cannot say in a fixed
way; `test_pseudonymous_ids_*` test the ids themselves. After an intended change, rewrite the
files with LOTSA_UPDATE_GOLDEN=1 scripts/test tests/test_national_exports.py and review the
diff.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from casework import services
from casework.codes import (
    Industry,
    MeansOfControl,
    Recruitment,
    StatusDecidedBy,
    TraffickerRelationship,
    TraffickingStatus,
)
from casework.models import Individual, Purpose, Sex, SupportType
from national import exports
from national.ctdc import (
    COLUMNS as CTDC_COLUMNS,
)
from national.ctdc import (
    QUASI_IDENTIFIERS,
    ctdc_microdata,
    ctdc_rows,
    k_anonymous,
    quasi_identifiers,
)
from national.htcds import (
    CODE_MAPS,
    COLUMNS,
    EXTENSIONS,
    MULTI_SEPARATOR,
    htcds_csv,
    htcds_json,
    htcds_records,
    pseudonym,
    standard_fields,
)
from national.report import national_report_for
from national.selectors import national_statistics
from tests.national_data import A, demo_identities, victim

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("LOTSA_UPDATE_GOLDEN") == "1"
ID_COLUMNS = ("x_lotsa_case_id", "x_lotsa_person_id")
EXAMPLES = int(os.environ.get("LOTSA_PROPERTY_EXAMPLES", "6"))


def _compare(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: LOTSA_UPDATE_GOLDEN=1 writes it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from the golden file (see the module docstring)"


class _Ordinals:
    """Each pseudonym named by its order of first appearance, per kind."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.counts: Counter[str] = Counter()

    def __call__(self, kind: str, value: str) -> str:
        assert re.fullmatch(r"[0-9a-f]{16}", value), value
        if value not in self.names:
            self.counts[kind] += 1
            self.names[value] = f"{kind}-{self.counts[kind]:04d}"
        return self.names[value]


def _normalised_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    name = _Ordinals()
    return [
        {
            **record,
            "x_lotsa_case_id": name("case", record["x_lotsa_case_id"]),
            "x_lotsa_person_id": name("person", record["x_lotsa_person_id"]),
        }
        for record in records
    ]


def _normalised_csv(text: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    name = _Ordinals()
    header = rows[0]
    case, person = header.index("x_lotsa_case_id"), header.index("x_lotsa_person_id")
    for row in rows[1:]:
        row[case] = name("case", row[case])
        row[person] = name("person", row[person])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


# --- Golden files and nothing identifying, on the demo data -------------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.usefixtures("demo")
class TestOnTheDemo:
    """On the whole demo (the shared `demo` fixture, tests/demo.py)."""

    def test_htcds_csv_of_the_demo_matches_the_golden_file(self, db):
        text = htcds_csv(htcds_records(year=2024, as_of=A))
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) > 100  # the demo's 2024 victim cases
        _compare("htcds-2024-per-20250331.csv", _normalised_csv(text))

    def test_htcds_json_of_the_demo_matches_the_golden_file(self, db):
        records = htcds_records(year=2024, as_of=A)
        document = htcds_json(_normalised_records(records), year=2024, as_of=A)
        text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        _compare("htcds-2024-per-20250331.json", text)
        # The CSV and the JSON are the same records.
        rows = list(csv.DictReader(io.StringIO(htcds_csv(records))))
        assert [row["x_lotsa_case_id"] for row in rows] == [r["x_lotsa_case_id"] for r in records]

    @pytest.mark.parametrize("mode", ["internal", "publication"])
    def test_national_json_of_the_demo_matches_the_golden_file(self, db, mode):
        with translation.override("sv"):
            report = national_report_for(year=2024, as_of=A, publication=mode == "publication")
            document = exports.national_json(report)
        text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        _compare(f"nspm-2024-per-20250331-{mode}.json", text)

    def test_the_demo_shows_national_figures(self, db):
        """The demo has industries, means of control and accompanying children (issue 25's last
        test), so the reports show something."""
        figures = exports.national_json(national_report_for(year=2024, as_of=A, publication=False))[
            "figures"
        ]
        assert figures["n.persons"] > 100
        assert figures["n.accompanying"] > 0
        assert sum(figures[f"n.industry.{i}"] for i in Industry.values) > 0
        records = htcds_records(year=2024, as_of=A)
        assert any(record["vic_MethodsOfControl"] for record in records)
        assert any(record["vic_ForcedLabourIndustry"] for record in records)

    def test_no_name_number_phone_or_alias_in_any_export_of_the_demo(self, db):
        identities = demo_identities()
        assert len(identities) > 300  # names, aliases, numbers and phones of ~200 people
        births = [
            day.isoformat()
            for day in Individual.objects.values_list("date_of_birth", flat=True)
            if day is not None
        ]
        records = htcds_records(year=2024, as_of=A)
        report = national_report_for(year=2024, as_of=A, publication=False)
        with zipfile.ZipFile(io.BytesIO(exports.national_csv_zip(report))) as archive:
            zipped = " ".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
        files = {
            "htcds.csv": htcds_csv(records),
            "htcds.json": json.dumps(htcds_json(records, year=2024, as_of=A), ensure_ascii=False),
            "ctdc.csv": exports.ctdc_csv(ctdc_microdata(year=2024, as_of=A, k=2)),
            "nspm.json": json.dumps(exports.national_json(report), ensure_ascii=False),
            "nspm.zip": zipped,
            "nspm.pdf": _pdf_text(exports.national_pdf(report, generated_by="test")),
        }
        for name, text in files.items():
            leaked = [value for value in identities + births if value in text]
            assert not leaked, f"{name} shows {leaked[:5]}"
        # And no database id: the records name cases and persons only by pseudonyms.
        columns = set(records[0])
        assert not columns & {
            "prs_FirstName",
            "prs_SecondName",
            "prs_IdentityNumber",
            "prs_Birthdate",
        }


# --- Pseudonymous ids ------------------------------------------------------------------------------


def test_pseudonymous_ids_name_the_same_person_the_same_and_hide_the_ids(db, coordinator):
    first = victim(coordinator, opened_on=date(2024, 2, 1))
    services.case_close(case=first, by=coordinator, closed_on=date(2024, 3, 1), reason="completed")
    second = victim(coordinator, opened_on=date(2024, 5, 1), individual=first.individual)
    other = victim(coordinator, opened_on=date(2024, 6, 1))
    records = {r["x_lotsa_case_id"]: r for r in htcds_records(year=2024, as_of=A)}
    assert set(records) == {pseudonym("case", c.pk) for c in (first, second, other)}
    person = pseudonym("person", first.individual_id)
    assert records[pseudonym("case", first.pk)]["x_lotsa_person_id"] == person
    assert records[pseudonym("case", second.pk)]["x_lotsa_person_id"] == person
    assert records[pseudonym("case", other.pk)]["x_lotsa_person_id"] != person
    # Neither the database id nor the case number or reference can be read from an id, and a
    # person's id is not their case's.
    assert pseudonym("person", first.pk) != pseudonym("case", first.pk)
    text = htcds_csv(list(records.values()))
    for case in (first, second, other):
        assert case.number not in text
        assert case.individual.reference not in text
    # Keyed by the installation's secret: another installation's ids say nothing of these.
    with override_settings(SECRET_KEY="another-installation-" + "x" * 40):
        assert pseudonym("case", first.pk) not in records
        assert htcds_records(year=2024, as_of=A)[0]["x_lotsa_case_id"] not in records


# --- The mapping table against the standard ------------------------------------------------------

SOURCES: dict[str, type | list[str]] = {
    "sex": Sex,
    "purpose": Purpose,
    "means_of_control": MeansOfControl,
    "recruitment": Recruitment,
    "trafficker_relationship": TraffickerRelationship,
    "trafficking_status": TraffickingStatus,
    "status_decided_by": StatusDecidedBy,
    "industry": Industry,
    "support": SupportType,
    "case_status": ["open", "closed"],
}
MAPPED = [
    pytest.param(code_list, code, id=f"{code_list}:{code}")
    for code_list, code_map in CODE_MAPS.items()
    for code in code_map.values
]


def test_every_code_list_of_lotsa_is_mapped_in_full():
    assert set(CODE_MAPS) == set(SOURCES)
    for code_list, source in SOURCES.items():
        codes = set(source) if isinstance(source, list) else set(source.values)  # type: ignore[attr-defined]
        assert set(CODE_MAPS[code_list].values) == codes, code_list


@pytest.mark.parametrize(("code_list", "code"), MAPPED)
def test_each_lotsa_code_maps_to_a_value_of_the_standards_field(code_list, code):
    code_map = CODE_MAPS[code_list]
    fields = standard_fields()
    assert code_map.field in fields, f"{code_map.field} is not an HTCDS 2.0 field"
    value = code_map.values[code]
    if value is not None:
        assert value in fields[code_map.field], f"{value} is not a value of {code_map.field}"
        assert code_map.field in COLUMNS  # exported under that field


def test_the_field_list_is_the_standards():
    fields = standard_fields()
    assert len(fields) > 80
    assert "Feminine" in fields["prs_Gender"]
    assert "Unaquainted" in fields["vic_RelationshipToTrafficker"]  # the standard's spelling


def test_every_column_is_a_field_of_the_standard_or_a_documented_extension():
    fields = standard_fields()
    for column in COLUMNS:
        if column.startswith("x_lotsa_"):
            assert EXTENSIONS.get(column), f"{column} is not documented in EXTENSIONS"
        else:
            assert column in fields, f"{column} is not an HTCDS 2.0 field"
    assert set(EXTENSIONS) <= set(COLUMNS)
    assert len(COLUMNS) == len(set(COLUMNS))


def test_codes_without_a_value_of_the_standard_travel_in_extension_columns(db, coordinator):
    """Criminality, restricted movement, the industry "other" and the support types without an
    spl_Type are in the x_lotsa_ columns, not lost."""
    case = victim(
        coordinator,
        opened_on=date(2024, 3, 1),
        purposes=["labour", "criminality"],
        offence="exploitation",
        industry=Industry.OTHER,
        means_of_control=[MeansOfControl.RESTRICTS_MOVEMENT, MeansOfControl.DEBT_BONDAGE],
        recruitment=[Recruitment.FRIENDS],
        trafficker_relationship=TraffickerRelationship.UNACQUAINTED,
        exploitation_country="DK",
        trafficking_status=TraffickingStatus.ACTUAL,
        status_decided_by=StatusDecidedBy.PROSECUTION_OR_COURT,
    )
    services.support_measure_create(
        case=case, by=coordinator, type=SupportType.SAFE_RETURN, started_on=date(2024, 3, 5)
    )
    services.support_measure_create(
        case=case, by=coordinator, type=SupportType.LEGAL_ADVICE, started_on=date(2024, 3, 5)
    )
    [record] = htcds_records(year=2024, as_of=A)
    assert record["vic_TypeOfExploitation"] == ["ForcedLabour", "Other"]
    assert record["x_lotsa_criminality"] is True
    assert record["vic_MethodsOfControl"] == ["DebtBondage", "Other"]
    assert record["x_lotsa_restricts_movement"] is True
    assert record["vic_ForcedLabourIndustry"] is None
    assert record["x_lotsa_industry"] == "other"
    assert record["spl_Type"] == ["Legal"]
    assert record["x_lotsa_support"] == ["legal_advice", "safe_return"]
    assert record["x_lotsa_offence"] == "BrB 4:1 b"
    assert record["vic_RelationshipToTrafficker"] == "Unaquainted"
    assert record["vic_TraffickingStatus"] == "ActualVictimOfTrafficking"
    assert record["vic_TraffickingStatusDecisionMakingOrg"] == "CourtOrProsecution"
    assert record["vic_MethodOfRecruitment"] == ["ThroughFriendsOrSocialEvents"]
    assert (record["hte_Type"], record["hte_Country"]) == ("Exploitation", "DK")
    assert record["vic_AgeWhenTrafficked"] == 33
    row = next(csv.DictReader(io.StringIO(htcds_csv([record]))))
    assert row["vic_MethodsOfControl"] == MULTI_SEPARATOR.join(["DebtBondage", "Other"])
    assert row["x_lotsa_criminality"] == "true"
    assert row["vic_ForcedLabourIndustry"] == ""


# --- CTDC: k-anonymity -------------------------------------------------------------------------------

genders = st.sampled_from(["Woman", "Man", "Other", "Unknown"])
bands = st.sampled_from(["0--8", "9--17", "18--20", "30--38", "48+", "Unknown"])
citizenships = st.sampled_from(["RO", "NG", "SE", ""])
ctdc_row = st.fixed_dictionaries(
    {
        "yearOfRegistration": st.sampled_from([2023, 2024]),
        "gender": genders,
        "ageBroad": bands,
        "citizenship": citizenships,
        **{column: st.integers(0, 1) for column in CTDC_COLUMNS[len(QUASI_IDENTIFIERS) :]},
    }
)


def _assert_k_anonymous(rows: list[dict[str, Any]], k: int) -> None:
    microdata = k_anonymous(rows, k)
    released = Counter(quasi_identifiers(row) for row in microdata.rows)
    assert all(size >= k for size in released.values()), released
    assert microdata.released + microdata.suppressed == len(rows)
    # Only what breaks k-anonymity is suppressed: a released combination is released whole,
    # and every suppressed row's combination has fewer than k rows.
    given_sizes = Counter(quasi_identifiers(row) for row in rows)
    for combination, size in released.items():
        assert size == given_sizes[combination]
    assert microdata.suppressed == sum(size for size in given_sizes.values() if size < k)
    # The released rows are rows of the input, each as often as it was given.
    as_tuples = Counter(tuple(row[c] for c in CTDC_COLUMNS) for row in rows)
    kept = Counter(tuple(row[c] for c in CTDC_COLUMNS) for row in microdata.rows)
    assert not kept - as_tuples


@settings(max_examples=300, deadline=None, derandomize=True)
@given(rows=st.lists(ctdc_row, max_size=80), k=st.integers(2, 15))
def test_no_released_ctdc_combination_has_fewer_than_k_rows(rows, k):
    _assert_k_anonymous(rows, k)


@st.composite
def people(draw):
    born = draw(
        st.one_of(
            st.none(),
            st.integers(0, 50 * 365).map(lambda n: date(1960, 1, 1) + date.resolution * n),
        )
    )
    return {
        "opened_on": date(2024, 1, 2) + date.resolution * draw(st.integers(0, 360)),
        "sex": draw(st.sampled_from(["female", "female", "male", "unknown"])),
        "born": born,
        "category": "adult" if born is None else None,
        "citizenship": draw(st.sampled_from(["RO", "RO", "NG", "SE"])),
        "purposes": draw(
            st.lists(st.sampled_from(Purpose.values), min_size=1, max_size=2, unique=True)
        ),
        "means_of_control": sorted(
            draw(st.lists(st.sampled_from(MeansOfControl.values), max_size=2, unique=True))
        ),
    }


@pytest.mark.postgres
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="LOTSA_PROPERTY_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.lists(people(), min_size=1, max_size=14), k=st.integers(2, 4))
def test_the_ctdc_export_of_generated_data_is_k_anonymous(coordinator, data, k):
    with transaction.atomic():
        for person in data:
            victim(coordinator, **person)
        statistics = national_statistics(year=2024, as_of=A)
        rows = ctdc_rows(year=2024, as_of=A)
        assert len(rows) == statistics.total == len(data)
        microdata = ctdc_microdata(year=2024, as_of=A, k=k)
        assert microdata.k == k
        _assert_k_anonymous(rows, k)
        released = Counter(quasi_identifiers(row) for row in microdata.rows)
        assert all(size >= k for size in released.values())
        assert microdata.released + microdata.suppressed == len(data)
        text = exports.ctdc_csv(microdata)
        assert f"{microdata.suppressed} rows were suppressed" in text.splitlines()[0]
        assert len(text.splitlines()) == 2 + microdata.released
        transaction.set_rollback(True)


def test_ctdc_k_defaults_to_the_setting(db, coordinator):
    for n in range(3):
        victim(coordinator, opened_on=date(2024, 2, 1 + n), sex="male")
    victim(coordinator, opened_on=date(2024, 3, 1))
    with override_settings(LOTSA_CTDC_K=3):
        microdata = ctdc_microdata(year=2024, as_of=A)
    assert (microdata.k, microdata.released, microdata.suppressed) == (3, 3, 1)
    assert {row["gender"] for row in microdata.rows} == {"Man"}
    assert ctdc_microdata(year=2024, as_of=A).suppressed == 4  # k = 11 by default


def test_records_describe_each_case_as_it_stood_on_the_as_of_date(db, coordinator):
    """An export as of a day says the same whenever it is made: the case's status and its
    support as they stood that day (the annual report's "as of", too)."""
    case = victim(coordinator, opened_on=date(2024, 3, 1))
    services.support_measure_create(
        case=case, by=coordinator, type=SupportType.COUNSELLING, started_on=date(2024, 4, 1)
    )
    services.support_measure_create(
        case=case, by=coordinator, type=SupportType.LEGAL_ADVICE, started_on=date(2025, 5, 1)
    )
    case.refresh_from_db()
    services.case_close(case=case, by=coordinator, closed_on=date(2025, 6, 1), reason="completed")
    [then] = htcds_records(year=2024, as_of=A)
    assert then["cas_Status"] == "Active"
    assert (then["spl_Type"], then["x_lotsa_support"]) == (["Health"], ["counselling"])
    [now] = htcds_records(year=2024, as_of=date(2025, 6, 1))
    assert now["cas_Status"] == "Closed"
    assert (now["spl_Type"], now["x_lotsa_support"]) == (
        ["Health", "Legal"],
        ["counselling", "legal_advice"],
    )
