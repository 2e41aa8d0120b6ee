"""An independent reader of a published annual report (publication mode), for the tests.

It knows nothing of reporting.disclosure's bookkeeping. It reads what one publication
releases, as a member of the public would get it: the JSON, the CSV files and the report page
(tables and the sentences of the answers). From the figures' definitions it writes down itself
which published figures are the same quantity and which are sums of which (or at most which),
adds the relations the JSON declares, and asks HiGHS, for every hidden figure, for the smallest
and the largest whole number it can be given everything shown ("<k": 1..k-1; "..": some positive
count). A hidden figure whose smallest and largest values are equal is disclosed.

It also checks that every place that prints the same figure prints the same thing: the page's
tables against the CSV files and the JSON's tables, and every figure in a sentence against the
JSON's value for it (a sentence never prints a count a table hides).
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

Shown = int | str
HIDDEN_DOTS = ".."

PURPOSES = [
    "sexual",
    "labour",
    "begging",
    "criminality",
    "forced_marriage",
    "organ_removal",
    "military",
    "other",
]
SEXES = ["female", "male", "other", "unknown"]
AGES = ["adult", "minor", "unknown"]
OUTCOMES = ["granted", "rejected", "pending", "withdrawn"]
CATEGORIES = ["adult", "minor", "relative", "age_unknown"]
REFERRALS = ["made", "accepted", "declined"]
APPLICANTS = ["social_services", "police", "prosecutor"]
BASES = ["ch5_s15_p2", "ch5_s15_p1", "extension"]

WORDS = {
    "ingen": 0,
    "inget": 0,
    "en": 1,
    "ett": 1,
    "två": 2,
    "tre": 3,
    "fyra": 4,
    "fem": 5,
    "sex": 6,
    "sju": 7,
    "åtta": 8,
    "nio": 9,
}


def parse_word(text: str) -> Shown:
    """A count as the Swedish answers write it."""
    text = text.strip().lower()
    if text.startswith("färre än "):
        return "<" + text.removeprefix("färre än ")
    if text == "ett ej redovisat antal":
        return HIDDEN_DOTS
    if text in WORDS:
        return WORDS[text]
    if re.fullmatch(r"\d[\d\u00a0 ]*", text):
        return int(re.sub(r"\D", "", text))
    raise ValueError(f"not a count: {text!r}")


@dataclass
class Reading:
    """Every published figure as a variable, what it shows, and the relations between them."""

    k: int
    shown: dict[str, Shown] = field(default_factory=dict)
    # terms, sense ("=" or "<="): sum(coefficient * variable) sense 0
    relations: list[tuple[dict[str, int], str]] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)

    def figure(self, name: str, value: Shown) -> None:
        if name in self.shown and self.shown[name] != value:
            self.disagreements.append(f"{name}: {self.shown[name]!r} and {value!r}")
        self.shown.setdefault(name, value)

    def same(self, a: str, b: str) -> None:
        if a in self.shown and b in self.shown and self.shown[a] != self.shown[b]:
            self.disagreements.append(f"{a} = {self.shown[a]!r} but {b} = {self.shown[b]!r}")
        self.relations.append(({a: 1, b: -1}, "="))

    def total(self, total: str, parts: Iterable[str]) -> None:
        terms = {total: 1}
        for part in parts:
            terms[part] = terms.get(part, 0) - 1
        self.relations.append((terms, "="))

    def at_most(self, smaller: dict[str, int], larger: dict[str, int]) -> None:
        terms = dict(smaller)
        for name, c in larger.items():
            terms[name] = terms.get(name, 0) - c
        self.relations.append((terms, "<="))


# --- Reading the files ------------------------------------------------------------------------------


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _flatten(item, f"{path}.{i}", out)
    else:
        out[path] = value


def _is_count(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and (value == HIDDEN_DOTS or bool(re.fullmatch(r"<\d+", value)))


def _cell(text: str) -> Shown:
    return int(text) if text.isdigit() else text


def csv_tables(archive: bytes) -> dict[str, list[list[str]]]:
    tables = {}
    with zipfile.ZipFile(io.BytesIO(archive)) as files:
        for name in files.namelist():
            if name == "definitions.csv":
                continue
            text = files.read(name).decode("utf-8-sig")
            tables[name.removesuffix(".csv")] = list(csv.reader(io.StringIO(text), delimiter=";"))
    return tables


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def page_tables(page: str) -> list[list[list[str]]]:
    """The report page's tables, in page order, as rows of cell texts (header row first)."""
    tables = []
    for table in re.findall(r"<table class=\"table[^\"]*\">(.*?)</table>", page, re.S):
        rows = []
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
            rows.append(
                [_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            )
        tables.append(rows)
    return tables


def page_answers(page: str) -> dict[int, list[str]]:
    """The answers' sentences per question number."""
    answers = {}
    for number, body in re.findall(
        r"<section class=\"report-question[^\"]*\" aria-labelledby=\"q(\d)\">(.*?)</section>",
        page,
        re.S,
    ):
        answers[int(number)] = [_text(p) for p in re.findall(r"<p>(.*?)</p>", body, re.S)]
    return answers


# --- What the reader knows from the definitions -----------------------------------------------------


def _table_cells(reading: Reading, key: str, rows: list[list[str]]) -> dict[tuple[int, int], str]:
    """Variables for a table's cells and its own totals ("Totalt" row and column)."""
    header, body = rows[0], rows[1:]
    has_row_totals = header[-1] == "Totalt"
    has_column_totals = bool(body) and body[-1][0] == "Totalt"
    cells: dict[tuple[int, int], str] = {}
    for r, row in enumerate(body):
        for c, text in enumerate(row[1:]):
            name = f"table:{key}:{r}:{c}"
            cells[(r, c)] = name
            reading.figure(name, _cell(text))
    inner_rows = len(body) - (1 if has_column_totals else 0)
    inner_columns = len(header) - 1 - (1 if has_row_totals else 0)
    all_rows = range(len(body))
    if has_row_totals:
        for r in all_rows:
            reading.total(cells[(r, inner_columns)], (cells[(r, c)] for c in range(inner_columns)))
    if has_column_totals:
        for c in range(len(header) - 1):
            reading.total(cells[(inner_rows, c)], (cells[(r, c)] for r in range(inner_rows)))
    return cells


def _link(
    reading: Reading, cells: dict[tuple[int, int], str], mapping: dict[tuple[int, int], str]
) -> None:
    for cell, path in mapping.items():
        reading.same(cells[cell], path)


def _definitions(
    reading: Reading, figures: dict[str, Any], tables: dict[str, list[list[str]]]
) -> None:
    """The relations that follow from what each figure means."""
    same, total, at_most = reading.same, reading.total, reading.at_most
    # Question 1: the applications the city sent.
    total("q1.applications", (f"q1.outcomes.{o}" for o in OUTCOMES))
    total("q1.applications", (f"q1.per_month.{m}" for m in range(12)))
    same("q3.applications", "q1.applications")
    same("q1.by_applicant.social_services", "q1.applications")
    total("q1.police_applications", ["q1.by_applicant.police", "q1.by_applicant.prosecutor"])
    total("q3.applications", (f"q3.by_legal_basis.{b}" for b in BASES))
    for p in PURPOSES:
        total(f"q1.purposes.{p}", (f"q1.purpose_by_gender.{p}.{sex}" for sex in SEXES))
        at_most({f"q1.purposes.{p}": 1}, {"q1.applications": 1})
    for sex in SEXES:
        same(f"q1.sexual_by_gender.{sex}", f"q1.purpose_by_gender.sexual.{sex}")
    total("q1.adults", (f"q1.by_gender_age.{sex}.adult" for sex in SEXES))
    total("q1.minors", (f"q1.by_gender_age.{sex}.minor" for sex in SEXES))
    at_most({"q1.individuals": 1}, {"q1.applications": 1})
    if "q1.adult_individuals" in figures:
        at_most({"q1.adult_individuals": 1}, {"q1.individuals": 1})
        at_most({"q1.adult_individuals": 1}, {"q1.adults": 1})
    if figures.get("ytd.year") == figures.get("year"):
        same("ytd.applications", "q1.applications")
    # Question 7.
    total("q7.cases", (f"q7.by_category.{category}" for category in CATEGORIES))
    at_most({"q7.individuals": 1}, {"q7.cases": 1})
    # The comparison of years: each year's sums, and the report's year is the report's figures.
    year = figures.get("year")
    for name in {path.split(".")[1] for path in figures if path.startswith("years.")}:
        prefix = f"years.{name}"
        total(f"{prefix}.applications", (f"{prefix}.outcomes.{o}" for o in OUTCOMES))
        total(f"{prefix}.cases", (f"{prefix}.by_category.{category}" for category in CATEGORIES))
        if str(year) == name:
            same(f"{prefix}.applications", "q1.applications")
            same(f"{prefix}.cases", "q7.cases")
            same(f"{prefix}.contacts", "q4.contacts")
            for o in OUTCOMES:
                same(f"{prefix}.outcomes.{o}", f"q1.outcomes.{o}")
            for category in CATEGORIES:
                same(f"{prefix}.by_category.{category}", f"q7.by_category.{category}")
            for referral in REFERRALS:
                same(f"{prefix}.referrals.{referral}", f"q4.referrals.{referral}")

    # The tables: their cells are the JSON's figures.
    def cells(key: str) -> dict[tuple[int, int], str]:
        return _table_cells(reading, key, tables[key])

    outcomes = cells("q1_outcomes")
    _link(reading, outcomes, {(i, 0): f"q1.outcomes.{o}" for i, o in enumerate(OUTCOMES)})
    _link(reading, outcomes, {(4, 0): "q1.applications"})
    purposes = cells("q1_purposes_by_sex")
    for r, p in enumerate(PURPOSES):
        _link(
            reading,
            purposes,
            {(r, c): f"q1.purpose_by_gender.{p}.{s}" for c, s in enumerate(SEXES)},
        )
        _link(reading, purposes, {(r, 4): f"q1.purposes.{p}"})
    ages = cells("q1_age_by_sex")
    for r, a in enumerate(AGES):
        _link(reading, ages, {(r, c): f"q1.by_gender_age.{s}.{a}" for c, s in enumerate(SEXES)})
    _link(reading, ages, {(0, 4): "q1.adults", (1, 4): "q1.minors", (3, 4): "q1.applications"})
    for c, s in enumerate(SEXES):
        # Applications of a sex: at least those of each purpose, and (every application names a
        # purpose) at most all of them together.
        for p in PURPOSES:
            at_most({f"q1.purpose_by_gender.{p}.{s}": 1}, {ages[(3, c)]: 1})
        at_most({ages[(3, c)]: 1}, {f"q1.purpose_by_gender.{p}.{s}": 1 for p in PURPOSES})
    if "q1.adult_individuals" in figures:
        # Individuals who were never adults had an application as a minor or at unknown age.
        at_most(
            {"q1.individuals": 1, "q1.adult_individuals": -1},
            {"q1.minors": 1, ages[(2, 4)]: 1},
        )
    applicants = cells("q1_by_applicant")
    _link(reading, applicants, {(i, 0): f"q1.by_applicant.{a}" for i, a in enumerate(APPLICANTS)})
    months = cells("q1_per_month")
    _link(reading, months, {(m, 0): f"q1.per_month.{m}" for m in range(12)})
    _link(reading, months, {(12, 0): "q1.applications"})
    _link(reading, cells("q2_rights_activated"), {(0, 0): "q2.individuals_granted"})
    support = cells("q2_support_measures")
    support_keys = [
        path.removeprefix("q2.support_measures.")
        for path in figures
        if path.startswith("q2.support_measures.")
    ]
    _link(
        reading, support, {(i, 0): f"q2.support_measures.{t}" for i, t in enumerate(support_keys)}
    )
    basis = cells("q3_legal_basis")
    _link(reading, basis, {(i, 0): f"q3.by_legal_basis.{b}" for i, b in enumerate(BASES)})
    _link(reading, basis, {(3, 0): "q3.applications"})
    _link(reading, cells("q4_staff"), {(0, 0): "q4.outreach_staff"})
    _link(
        reading,
        cells("q4_outreach"),
        {
            (0, 0): "q4.contacts",
            **{(i + 1, 0): f"q4.referrals.{r}" for i, r in enumerate(REFERRALS)},
        },
    )
    categories = cells("q7_cases_by_category")
    _link(reading, categories, {(i, 0): f"q7.by_category.{c}" for i, c in enumerate(CATEGORIES)})
    _link(reading, categories, {(4, 0): "q7.cases"})
    if "years_outcomes" in tables:
        years = tables["years_outcomes"][0][1:]
        by_outcome = cells("years_outcomes")
        by_category = cells("years_cases")
        outreach = cells("years_outreach")
        for c, y in enumerate(years):
            _link(
                reading,
                by_outcome,
                {(i, c): f"years.{y}.outcomes.{o}" for i, o in enumerate(OUTCOMES)},
            )
            _link(reading, by_outcome, {(4, c): f"years.{y}.applications"})
            _link(
                reading,
                by_category,
                {(i, c): f"years.{y}.by_category.{k}" for i, k in enumerate(CATEGORIES)},
            )
            _link(reading, by_category, {(4, c): f"years.{y}.cases"})
            _link(
                reading,
                outreach,
                {
                    (0, c): f"years.{y}.contacts",
                    **{(i + 1, c): f"years.{y}.referrals.{r}" for i, r in enumerate(REFERRALS)},
                },
            )


def _declared(reading: Reading, data: dict[str, Any], figures: dict[str, Any]) -> None:
    """The relations the JSON declares, over the figures it lists."""
    disclosure = data.get("disclosure")
    if not disclosure:
        return
    for key, entry in disclosure["figures"].items():
        reading.figure(f"declared:{key}", entry["shown"])
        if key in figures:
            reading.same(f"declared:{key}", key)
    for name, key in disclosure["aliases"].items():
        if name in figures:
            reading.same(name, f"declared:{key}")
    for relation in disclosure["relations"]:
        terms = {f"declared:{key}": c for key, c in relation["terms"].items()}
        reading.relations.append((terms, relation["sense"]))


# --- The answers' sentences ----------------------------------------------------------------------------

COUNT = r"(.+?)"


def _answers(reading: Reading, answers: dict[int, list[str]]) -> None:
    """Each figure a sentence prints, as a variable that must agree with the JSON's value."""
    found: list[tuple[str, Shown]] = []

    def say(path: str, text: str) -> None:
        found.append((path, parse_word(text)))

    def fixed(path: str, value: int) -> None:
        found.append((path, value))

    any_of = "ansökn?(?:an|ingar)"
    for sentence in answers.get(1, []):
        if m := re.search(
            r"utlänningslagen för (.+?) (?:vuxen individ|vuxna individer)\.$", sentence
        ):
            say("q1.individuals", m[1])
            say("q1.adult_individuals", m[1])  # all of them adults
        elif m := re.search(
            r"utlänningslagen för (.+?) individ(?:er)?(?:, varav (.+?) vuxn?[ae]n?|"
            r"(, ingen av dem vuxen)|(, som var vuxen)|(, som inte var vuxen))\.$",
            sentence,
        ):
            say("q1.individuals", m[1])
            if m[2]:
                say("q1.adult_individuals", m[2])
            else:
                fixed("q1.adult_individuals", 1 if m[4] else 0)
        elif sentence.endswith("för någon individ."):
            fixed("q1.individuals", 0)
        elif m := re.fullmatch(rf"Sammanlagt skickades (.+?) {any_of}\.", sentence):
            say("q1.applications", m[1])
        elif m := re.match(
            r"(?:I )?[Aa]nsökan (?:har )?(beviljats|avslagits|återkallats|väntas) ", sentence
        ):
            single = {"beviljats": "granted", "avslagits": "rejected"}.get(m[1])
            single = single or {"återkallats": "withdrawn", "väntas": "pending"}[m[1]]
            for o in OUTCOMES:
                fixed(f"q1.outcomes.{o}", int(o == single))
        elif m := re.match(
            rf"(.+?) av ansökningarna har beviljats, (.+?) {any_of} har avslagits"
            rf"(?:, (.+?) {any_of} har återkallats)?"
            rf"(?: och i (.+?) {any_of} väntas beslut| och (ingen) ansökan väntar på beslut) \(per",
            sentence,
        ):
            say("q1.outcomes.granted", m[1])
            say("q1.outcomes.rejected", m[2])
            say("q1.outcomes.withdrawn", m[3] or "0")
            say("q1.outcomes.pending", m[4] or m[5])
        elif m := re.match(
            r"(.+?) (?:av ansökningarna|ansökan) avser misstanke om människohandel för sexuella "
            rf"ändamål(?: \((.+?)\))?(?: och (.+?) {any_of} avser misstanke om människohandel eller)?",
            sentence,
        ):
            say("q1.purposes.sexual", m[1])
            who = m[2] or ""
            if who == "samtliga kvinnor":
                say("q1.purpose_by_gender.sexual.female", m[1])
            elif who == "en kvinna":
                fixed("q1.purpose_by_gender.sexual.female", 1)
            elif who == "ingen kvinna":
                fixed("q1.purpose_by_gender.sexual.female", 0)
            elif who.startswith("varav "):
                say(
                    "q1.purpose_by_gender.sexual.female",
                    who.removeprefix("varav ").rsplit(" ", 1)[0],
                )
            say("q1.purposes.labour", m[3] or "0")
        elif m := re.search(rf"har (.+?) {any_of} om betänketid skickats in", sentence):
            say("ytd.applications", m[1])
    for sentence in answers.get(2, []):
        if m := re.search(r"beviljades (.+?) individ(?:er)? tillstånd", sentence):
            say("q2.individuals_granted", m[1])
    for sentence in answers.get(3, []):
        if m := re.search(r"har de ansökt i (.+?) ärenden?\.$", sentence):
            say("q3.applications", m[1])
        elif "inte ansökt i något ärende" in sentence:
            fixed("q3.applications", 0)
    for sentence in answers.get(4, []):
        if m := re.search(r"bestod under \d+ av (.+?) medarbetare", sentence):
            say("q4.outreach_staff", m[1])
        elif m := re.match(
            r"Teamet registrerade (.+?) kontakt(?:er)? och gjorde (.+?) länkning(?:ar)? till",
            sentence,
        ):
            say("q4.contacts", m[1])
            say("q4.referrals.made", m[2])
        elif m := re.match(
            r"Under perioden togs (.+?) länkning(?:ar)? emot och (.+?) avböjdes", sentence
        ):
            say("q4.referrals.accepted", m[1])
            say("q4.referrals.declined", m[2])
        elif "timmar" in sentence:
            reading.disagreements.append("publication mode prints times to acceptance")
    for sentence in answers.get(7, []):
        if m := re.search(r"arbetat i (.+?) ärenden? \((.+?) individ(?:er)?\)", sentence):
            say("q7.cases", m[1])
            say("q7.individuals", m[2])
        elif "inte arbetat i något ärende" in sentence:
            fixed("q7.cases", 0)
        elif m := re.fullmatch(r"Av dessa gällde (.+)\.", sentence):
            parts = {"adult": "0", "minor": "0", "age_unknown": "0", "relative": "0"}
            for part in re.split(r", | och | samt ", m[1]):
                if p := re.fullmatch(r"(.+?) vuxn?[ae]n? över 18 år", part):
                    parts["adult"] = p[1]
                elif p := re.fullmatch(r"(.+?) minderåriga?", part):
                    parts["minor"] = p[1]
                elif p := re.fullmatch(r"(.+?) brottsoffer med okänd ålder", part):
                    parts["age_unknown"] = p[1]
                elif p := re.fullmatch(r"(.+?) ärenden? (?:en anhörig|anhöriga) .*", part):
                    parts["relative"] = p[1]
                else:
                    raise AssertionError(f"not understood: {part!r} in {sentence!r}")
            for key, text in parts.items():
                say(f"q7.by_category.{key}", text)
    for path, value in found:
        if path == "q1.adult_individuals" and "q1.adult_individuals" not in reading.shown:
            path = "q1.adults"  # a report that counts the adults' applications, not people
        name = f"prose:{path}"
        reading.figure(name, value)
        reading.same(name, path)


# --- Putting it together ----------------------------------------------------------------------------------


def read_publication(data: dict[str, Any], archive: bytes, page: str) -> Reading:
    """Everything the publication shows, and what a reader knows about it."""
    assert data["mode"] == "publication"
    reading = Reading(k=int(data["publication_threshold"]))
    flat: dict[str, Any] = {}
    _flatten(
        {k: v for k, v in data.items() if k not in {"tables", "disclosure", "definitions"}},
        "",
        flat,
    )
    skip = {"year", "ytd.year", "publication_threshold"}
    figures = {path: value for path, value in flat.items() if path not in skip and _is_count(value)}
    figures["year"] = data["year"]
    figures["ytd.year"] = data["ytd"]["year"]
    for path, value in figures.items():
        if path not in {"year", "ytd.year"}:
            reading.figure(path, value)
    tables = csv_tables(archive)
    for key, rows in data["tables"].items():
        if tables.get(key) != rows:
            reading.disagreements.append(f"CSV {key} differs from the JSON's table")
    on_page = page_tables(page)
    if on_page != list(data["tables"].values()):
        for (key, rows), shown in zip(data["tables"].items(), on_page, strict=False):
            if rows != shown:
                reading.disagreements.append(f"page table {key} differs: {shown} != {rows}")
        if len(on_page) != len(data["tables"]):
            reading.disagreements.append("the page has another number of tables")
    _definitions(reading, figures, tables)
    _declared(reading, data, figures)
    _answers(reading, page_answers(page))
    return reading


def disclosed(reading: Reading) -> dict[str, int]:
    """Hidden variables that only one whole number fits, with that number.

    Variables printed as the same quantity (two-term equalities) are merged first; a merged
    class that holds a shown count discloses its hidden members. Then the smallest and largest
    value of each class, in whole numbers (HiGHS)."""
    parent = {name: name for name in reading.shown}

    def find(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    relations = []
    for terms, sense in reading.relations:
        if any(name not in reading.shown for name in terms):
            continue  # about a figure this publication does not print
        coefficients = sorted(terms.values())
        if sense == "=" and coefficients == [-1, 1]:
            a, b = terms
            parent[find(a)] = find(b)
        else:
            relations.append((terms, sense))
    big = 10 * sum(v for v in reading.shown.values() if isinstance(v, int)) + 1000
    classes: dict[str, list[str]] = {}
    for name in reading.shown:
        classes.setdefault(find(name), []).append(name)
    result: dict[str, int] = {}
    value: dict[str, int] = {}  # classes with a shown count
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    for root, members in classes.items():
        counts = {reading.shown[m] for m in members if isinstance(reading.shown[m], int)}
        if counts:
            value[root] = int(next(iter(counts)))
            if len(counts) > 1:
                reading.disagreements.append(f"{members} show {sorted(counts)}")
            result.update(
                {m: value[root] for m in members if not isinstance(reading.shown[m], int)}
            )
            continue
        low[root], high[root] = 1.0, float(big)
        for m in members:
            shown = str(reading.shown[m])
            if shown.startswith("<"):
                high[root] = min(high[root], float(int(shown[1:]) - 1))
    hidden = sorted(low)
    if not hidden:
        return result
    index = {root: i for i, root in enumerate(hidden)}
    n = len(hidden)
    model = highspy.Highs()
    model.setOptionValue("output_flag", False)
    empty = np.array([], dtype=np.int32)
    columns = np.arange(n, dtype=np.int32)
    model.addCols(
        n,
        np.zeros(n),
        np.array([low[h] for h in hidden]),
        np.array([high[h] for h in hidden]),
        0,
        empty,
        empty,
        np.array([]),
    )
    model.changeColsIntegrality(n, columns, np.array([highspy.HighsVarType.kInteger] * n))
    for terms, sense in relations:
        constant = 0.0
        row: dict[int, float] = {}
        for name, coefficient in terms.items():
            root = find(name)
            if root in value:
                constant += coefficient * value[root]
            else:
                row[index[root]] = row.get(index[root], 0.0) + coefficient
        row = {i: c for i, c in row.items() if c}
        if not row:
            if not (constant == 0 if sense == "=" else constant <= 0):
                reading.disagreements.append(f"shown figures break {terms} {sense} 0")
            continue
        upper = -constant
        lower = upper if sense == "=" else -highspy.kHighsInf
        model.addRow(
            lower,
            upper,
            len(row),
            np.array(list(row), dtype=np.int32),
            np.array(list(row.values())),
        )

    def solve(cost: np.ndarray, sense: highspy.ObjSense) -> list[int]:
        model.changeColsCost(n, columns, cost)
        model.changeObjectiveSense(sense)
        model.run()
        status = model.getModelStatus()
        assert status == highspy.HighsModelStatus.kOptimal, model.modelStatusToString(status)
        return [round(v) for v in model.getSolution().col_value]

    # Two solutions far apart show most classes free at once; the rest one by one.
    first = solve(np.ones(n), highspy.ObjSense.kMaximize)
    second = solve(np.ones(n), highspy.ObjSense.kMinimize)
    for i, root in enumerate(hidden):
        if first[i] != second[i]:
            continue
        cost = np.zeros(n)
        cost[i] = 1.0
        smallest = solve(cost, highspy.ObjSense.kMinimize)[i]
        largest = solve(cost, highspy.ObjSense.kMaximize)[i]
        if smallest == largest:
            result.update(dict.fromkeys(classes[root], smallest))
    return result
