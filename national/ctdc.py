"""A CTDC-style microdata file: one row per person counted in the national figures for the
year, released only in groups of at least k (k-anonymity on the quasi-identifiers).

The Counter Trafficking Data Collaborative (CTDC) publishes victim microdata with the
quasi-identifiers year of registration, gender, broad age band and citizenship, and releases a
row only when at least k = 11 rows share its combination of them. Lotsa does the same: rows in
a smaller group are suppressed (left out), and the file says how many.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings

from casework.codes import MeansOfControl
from casework.models import Purpose, Sex
from national.selectors import NOT_RECORDED, counted_persons

QUASI_IDENTIFIERS = ("yearOfRegistration", "gender", "ageBroad", "citizenship")

GENDER = {Sex.FEMALE: "Woman", Sex.MALE: "Man", Sex.OTHER: "Other", Sex.UNKNOWN: "Unknown"}
# CTDC's broad age bands (lower bound, label).
AGE_BANDS = [
    (0, "0--8"),
    (9, "9--17"),
    (18, "18--20"),
    (21, "21--23"),
    (24, "24--26"),
    (27, "27--29"),
    (30, "30--38"),
    (39, "39--47"),
    (48, "48+"),
]
EXPLOITATION_FLAGS = {
    "isSexualExploit": {Purpose.SEXUAL},
    "isForcedLabour": {Purpose.LABOUR},
    "isForcedMarriage": {Purpose.FORCED_MARRIAGE},
    "isForcedMilitary": {Purpose.MILITARY_SERVICE},
    "isOrganRemoval": {Purpose.ORGAN_REMOVAL},
    "isOtherExploit": {Purpose.BEGGING, Purpose.CRIMINALITY, Purpose.OTHER},
}
CONTROL_FLAGS = {
    "meansOfControlDebtBondage": MeansOfControl.DEBT_BONDAGE,
    "meansOfControlTakesEarnings": MeansOfControl.TAKES_EARNINGS,
    "meansOfControlRestrictsFinancialAccess": MeansOfControl.RESTRICTS_FINANCES,
    "meansOfControlThreats": MeansOfControl.PHYSICAL_THREATS,
    "meansOfControlPsychologicalAbuse": MeansOfControl.PSYCHOLOGICAL_ABUSE,
    "meansOfControlPhysicalAbuse": MeansOfControl.PHYSICAL_ABUSE,
    "meansOfControlSexualAbuse": MeansOfControl.SEXUAL_ABUSE,
    "meansOfControlFalsePromises": MeansOfControl.FALSE_PROMISES,
    "meansOfControlPsychoactiveSubstances": MeansOfControl.PSYCHOACTIVE_SUBSTANCES,
    "meansOfControlRestrictsMovement": MeansOfControl.RESTRICTS_MOVEMENT,
    "meansOfControlRestrictsMedicalCare": MeansOfControl.RESTRICTS_MEDICAL_CARE,
    "meansOfControlExcessiveWorkingHours": MeansOfControl.EXCESSIVE_HOURS,
    "meansOfControlUsesChildren": MeansOfControl.THREATENS_FAMILY,
    "meansOfControlThreatOfLawEnforcement": MeansOfControl.THREATS_LAW_ENFORCEMENT,
    "meansOfControlWithholdsNecessities": MeansOfControl.WITHHOLDS_NECESSITIES,
    "meansOfControlWithholdsDocuments": MeansOfControl.WITHHOLDS_DOCUMENTS,
    "meansOfControlOther": MeansOfControl.OTHER,
}
COLUMNS = [*QUASI_IDENTIFIERS, *EXPLOITATION_FLAGS, *CONTROL_FLAGS, "meansOfControlNotSpecified"]


def age_band(age: int | None) -> str:
    if age is None:
        return "Unknown"
    label = "Unknown"
    for lower, name in AGE_BANDS:
        if age >= lower:
            label = name
    return label


@dataclass
class Microdata:
    k: int
    rows: list[dict[str, Any]]
    suppressed: int

    @property
    def released(self) -> int:
        return len(self.rows)


def quasi_identifiers(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[name] for name in QUASI_IDENTIFIERS)


def k_anonymous(rows: list[dict[str, Any]], k: int) -> Microdata:
    """Keep the rows whose quasi-identifier combination at least k rows share; the others are
    suppressed. Suppressing whole groups never makes a kept group smaller, so what is kept is
    k-anonymous."""
    sizes = Counter(quasi_identifiers(row) for row in rows)
    kept = [row for row in rows if sizes[quasi_identifiers(row)] >= k]
    kept.sort(key=lambda row: tuple(str(row[name]) for name in COLUMNS))
    return Microdata(k=k, rows=kept, suppressed=len(rows) - len(kept))


def ctdc_rows(*, year: int, as_of: date) -> list[dict[str, Any]]:
    persons, _accompanying = counted_persons(year=year, as_of=as_of, means_of_control=True)
    rows = []
    for person in persons:
        row: dict[str, Any] = {
            "yearOfRegistration": year,
            "gender": GENDER[Sex(person.sex)],
            "ageBroad": age_band(person.age),
            "citizenship": "" if person.citizenship == NOT_RECORDED else person.citizenship,
        }
        for name, purposes in EXPLOITATION_FLAGS.items():
            row[name] = int(bool(person.forms & purposes))
        for name, means in CONTROL_FLAGS.items():
            row[name] = int(means in person.means_of_control)
        row["meansOfControlNotSpecified"] = int(not person.means_of_control)
        rows.append(row)
    return rows


def ctdc_microdata(*, year: int, as_of: date, k: int | None = None) -> Microdata:
    return k_anonymous(ctdc_rows(year=year, as_of=as_of), k or settings.LOTSA_CTDC_K)
