"""Lotsa's cases as IOM's Human Trafficking Case Data Standard (HTCDS 2.0) records.

The mapping is one table (`CODE_MAPS`): for each of Lotsa's code lists, the HTCDS field it fills
and, for each Lotsa code, the standard's value name, taken from the standard's own field list
(`national/data/htcds-2.0-fields.csv`, read from github.com/UNMigration/HTCDS, CC BY 4.0). A
Lotsa code without an HTCDS value maps to None and is carried in an extension column.

What HTCDS lacks is in documented extension columns (`EXTENSIONS`, prefix `x_lotsa_`). No names,
identity numbers, phone numbers or free texts are exported; persons and cases are named by
pseudonymous ids, stable within one installation (an HMAC of the database id under the
installation's secret key), so the same person is recognisable across cases and years without
being identifiable.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.utils.crypto import salted_hmac

from casework.codes import (
    Industry,
    MeansOfControl,
    Recruitment,
    StatusDecidedBy,
    TraffickerRelationship,
    TraffickingStatus,
)
from casework.models import (
    CasePurpose,
    Individual,
    Offence,
    Purpose,
    Sex,
    SupportMeasure,
    SupportType,
)
from core.spreadsheet import SpreadsheetWriter
from national.selectors import counted_cases

FIELD_LIST = Path(__file__).parent / "data" / "htcds-2.0-fields.csv"
MULTI_SEPARATOR = ";"


@dataclass(frozen=True)
class CodeMap:
    field: str
    values: Mapping[str, str | None]


# Lotsa code list -> (HTCDS field, {Lotsa code: HTCDS value name or None}).
CODE_MAPS: dict[str, CodeMap] = {
    "sex": CodeMap(
        "prs_Gender",
        {
            Sex.FEMALE: "Feminine",
            Sex.MALE: "Masculine",
            Sex.OTHER: "NonConforming",
            Sex.UNKNOWN: "NonSpecifiedUnknown",
        },
    ),
    "purpose": CodeMap(
        "vic_TypeOfExploitation",
        {
            Purpose.SEXUAL: "SexualExploitation",
            Purpose.LABOUR: "ForcedLabour",
            Purpose.BEGGING: "ForcedBegging",
            Purpose.CRIMINALITY: "Other",  # and x_lotsa_criminality
            Purpose.FORCED_MARRIAGE: "ForcedMarriage",
            Purpose.ORGAN_REMOVAL: "OrganRemoval",
            Purpose.MILITARY_SERVICE: "ForcedMilitaryByNonStateActors",
            Purpose.OTHER: "Other",
        },
    ),
    "means_of_control": CodeMap(
        "vic_MethodsOfControl",
        {
            MeansOfControl.PHYSICAL_THREATS: "PhysicalThreats",
            MeansOfControl.THREATS_LAW_ENFORCEMENT: "ThreatsLawEnforcement",
            MeansOfControl.THREATENS_FAMILY: "ThreatensChildrenFamily",
            MeansOfControl.DEBT_BONDAGE: "DebtBondage",
            MeansOfControl.FALSE_PROMISES: "FalsePromises",
            MeansOfControl.PHYSICAL_ABUSE: "PhysicalAbuse",
            MeansOfControl.SEXUAL_ABUSE: "SexualAbuse",
            MeansOfControl.TAKES_EARNINGS: "TakesEarnings",
            MeansOfControl.RESTRICTS_FINANCES: "RestrictsFinancialAccess",
            MeansOfControl.RESTRICTS_MEDICAL_CARE: "RestrictsMedicalCare",
            MeansOfControl.WITHHOLDS_NECESSITIES: "WithholdsNecessities",
            MeansOfControl.PSYCHOLOGICAL_ABUSE: "PsychologicalAbuse",
            MeansOfControl.PSYCHOACTIVE_SUBSTANCES: "PsychoactiveSubstance",
            MeansOfControl.EXCESSIVE_HOURS: "ExcessiveWorkingHours",
            MeansOfControl.WITHHOLDS_DOCUMENTS: "WithholdsDocuments",
            # The standard defines MethodsOfControlRestrictsMovement but its picklist lacks it.
            MeansOfControl.RESTRICTS_MOVEMENT: "Other",  # and x_lotsa_restricts_movement
            MeansOfControl.OTHER: "Other",
        },
    ),
    "recruitment": CodeMap(
        "vic_MethodOfRecruitment",
        {
            Recruitment.PLACE_OF_BUSINESS: "AtAPlaceOfBusiness",
            Recruitment.EDUCATION: "AtAnEducationalInstitution",
            Recruitment.WORK: "AtWork",
            Recruitment.SOCIAL_NETWORKS: "ThroughOnlineSocialNetworks",
            Recruitment.ONLINE_ADVERT: "ThroughAnOnlineAdvertisement",
            Recruitment.TV_ADVERT: "ThroughATelevisionAdvert",
            Recruitment.NEWSPAPER_ADVERT: "ThroughANewspaperAdvert",
            Recruitment.FAMILY: "ThroughFamilyOrFamilyEvents",
            Recruitment.FRIENDS: "ThroughFriendsOrSocialEvents",
            Recruitment.OTHER: "Other",
        },
    ),
    "trafficker_relationship": CodeMap(
        "vic_RelationshipToTrafficker",
        {
            TraffickerRelationship.FAMILY: "Familial",
            TraffickerRelationship.ACQUAINTED: "Acquainted",
            TraffickerRelationship.UNACQUAINTED: "Unaquainted",  # the standard's spelling
        },
    ),
    "trafficking_status": CodeMap(
        "vic_TraffickingStatus",
        {
            TraffickingStatus.POSSIBLE: "PossibleVictimOfTrafficking",
            TraffickingStatus.ACTUAL: "ActualVictimOfTrafficking",
            TraffickingStatus.NOT_A_VICTIM: "NotAVictimOfTrafficking",
        },
    ),
    "status_decided_by": CodeMap(
        "vic_TraffickingStatusDecisionMakingOrg",
        {
            StatusDecidedBy.POLICE: "Police",
            StatusDecidedBy.PROSECUTION_OR_COURT: "CourtOrProsecution",
            StatusDecidedBy.NGO: "NGO",
            StatusDecidedBy.AUTHORITY: "NonPoliceGovernmentalOrganization",
            StatusDecidedBy.OTHER: "Other",
        },
    ),
    "industry": CodeMap(
        "vic_ForcedLabourIndustry",
        {
            Industry.GREEN: "A_AgricultureForestryAndFishing",
            Industry.CONSTRUCTION: "F_Construction",
            Industry.HOSPITALITY: "I_AccommodationAndFoodServiceActivities",
            Industry.MANUFACTURING: "C_Manufacturing",
            # ISIC 4520, maintenance and repair of motor vehicles (car washing included).
            Industry.CAR_WASH: "G_WholesaleAndRetailTradeRepairOfMotorVehicles",
            # ISIC 812, cleaning activities.
            Industry.CLEANING: "N_AdministrativeAndSupportServiceActivities",
            Industry.OTHER: None,  # no section: x_lotsa_industry says "other"
        },
    ),
    "support": CodeMap(
        "spl_Type",
        {
            SupportType.PROTECTED_HOUSING: "SocialCare",
            SupportType.COUNSELLING: "Health",
            SupportType.HEALTH_CARE: "Health",
            SupportType.INTERPRETER: "SocialCare",
            SupportType.LEGAL_ADVICE: "Legal",
            SupportType.FINANCIAL_ASSISTANCE: "Financial",
            SupportType.RIGHTS_INFORMATION: "RightsBasedTraining",
            SupportType.CIVIL_SOCIETY_CONTACT: "SocialCare",
            SupportType.POLICE_REPORT: "Legal",
            SupportType.SAFE_RETURN: None,  # x_lotsa_support
            SupportType.OTHER: None,
        },
    ),
    "case_status": CodeMap("cas_Status", {"open": "Active", "closed": "Closed"}),
}

OFFENCE_CODES = {
    Offence.TRAFFICKING: "BrB 4:1 a",
    Offence.EXPLOITATION: "BrB 4:1 b",
    Offence.UNCLEAR: "unclear",
}

# Extension columns: what HTCDS lacks, named and described here (and in the user guide).
EXTENSIONS: dict[str, str] = {
    "x_lotsa_case_id": "Pseudonymous id of the case (stable within one installation).",
    "x_lotsa_person_id": "Pseudonymous id of the person (the same for all their cases).",
    "x_lotsa_category": "Lotsa's case category: adult or minor victim.",
    "x_lotsa_offence": "Suspected offence: BrB 4:1 a (trafficking), BrB 4:1 b (exploitation) "
    "or unclear.",
    "x_lotsa_criminality": "true when exploitation for criminal activity is suspected (HTCDS "
    "has no such type; vic_TypeOfExploitation says Other).",
    "x_lotsa_restricts_movement": "true when the exploiter restricted movement or contacts "
    "(MethodsOfControlRestrictsMovement is defined in HTCDS but missing from its picklist).",
    "x_lotsa_industry": "Lotsa's industry code (NSPM's list); 'other' has no ISIC section.",
    "x_lotsa_suspicion_date": "The day the suspicion was established (the opening date when "
    "none is recorded).",
    "x_lotsa_opened_on": "The day the case was opened.",
    "x_lotsa_support": "Lotsa's support types, including those without an spl_Type value.",
}

COLUMNS = [
    "x_lotsa_case_id",
    "x_lotsa_person_id",
    "prs_Gender",
    "vic_AgeWhenTrafficked",
    "prs_Citizenship",
    "prs_PrimaryLanguage",
    "vic_TraffickingStatus",
    "vic_TraffickingStatusDecisionMakingOrg",
    "vic_RelationshipToTrafficker",
    "vic_MethodOfRecruitment",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "hte_Type",
    "hte_Country",
    "cas_Status",
    "spl_Type",
    *[name for name in EXTENSIONS if name not in ("x_lotsa_case_id", "x_lotsa_person_id")],
]
MULTI_VALUED = {
    "vic_MethodOfRecruitment",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "spl_Type",
    "x_lotsa_support",
}


def pseudonym(kind: str, pk: int) -> str:
    """A stable id that does not reveal the database id (nor the case number or reference)."""
    return salted_hmac(f"lotsa.htcds.{kind}", str(pk)).hexdigest()[:16]


def standard_fields() -> dict[str, set[str]]:
    """The standard's fields and, for picklists, their value names."""
    lines = [line for line in FIELD_LIST.read_text().splitlines() if not line.startswith("#")]
    return {
        row["field"]: set(filter(None, row["values"].split("|"))) for row in csv.DictReader(lines)
    }


def _mapped(code_list: str, codes: Iterable[str]) -> list[str]:
    values = CODE_MAPS[code_list].values
    mapped = (values.get(code) for code in codes)
    return sorted({value for value in mapped if value})


COLUMNS_READ = (
    "pk",
    "suspicion",
    "age_at_suspicion",
    "opened_on",
    "closed_on",
    "category",
    "offence",
    "industry",
    "trafficking_status",
    "status_decided_by",
    "trafficker_relationship",
    "recruitment",
    "means_of_control",
    "exploitation_country",
    "individual_id",
    "individual__sex",
    "individual__citizenship",
    "individual__date_of_birth",
    "individual__birth_year",
    "individual__interpreter_language__code",
)


def htcds_records(*, year: int, as_of: date) -> list[dict[str, Any]]:
    """One record per case counted in the national figures for the year (victim cases whose
    suspicion was established in the year, up to the as-of date). The cases are read as the
    columns used (no model instances), and their purposes, support and persons' languages with
    the cases' query as a subquery (no list of thousands of ids)."""
    counted = counted_cases(year=year, as_of=as_of)
    case_ids = counted.values("pk")
    purposes: dict[int, set[str]] = {}
    for case_id, purpose in CasePurpose.objects.filter(case__in=case_ids).values_list(
        "case_id", "purpose"
    ):
        purposes.setdefault(case_id, set()).add(purpose)
    # The support given by the as-of date, and (below) the case's status that day: an export
    # as of a day says the same whenever it is made.
    support: dict[int, set[str]] = {}
    for case_id, kind in SupportMeasure.objects.filter(
        case__in=case_ids, started_on__lte=as_of
    ).values_list("case_id", "type"):
        support.setdefault(case_id, set()).add(kind)
    languages: dict[int, list[str]] = {}
    for individual_id, code in Individual.languages.through.objects.filter(
        individual__in=counted.values("individual_id")
    ).values_list("individual_id", "language__code"):
        languages.setdefault(individual_id, []).append(code)
    return [
        _record(
            case,
            purposes.get(case["pk"], set()),
            support.get(case["pk"], set()),
            sorted(languages.get(case["individual_id"], [])),
            as_of=as_of,
        )
        for case in counted.values(*COLUMNS_READ)
    ]


def _age(case: dict[str, Any]) -> int | None:
    """Case.suspicion_age from the columns: the age kept on the case, else from the birth date
    or year (Individual.age_on)."""
    if case["age_at_suspicion"] is not None:
        return int(case["age_at_suspicion"])
    day: date = case["suspicion"]
    born: date | None = case["individual__date_of_birth"]
    if born:
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    if case["individual__birth_year"]:
        return day.year - int(case["individual__birth_year"])
    return None


def _record(
    case: dict[str, Any],
    purposes: set[str],
    support: set[str],
    languages: list[str],
    *,
    as_of: date,
) -> dict[str, Any]:
    suspicion: date = case["suspicion"]
    language = case["individual__interpreter_language__code"]
    closed_on: date | None = case["closed_on"]
    means_of_control: list[str] = case["means_of_control"]
    return {
        "x_lotsa_case_id": pseudonym("case", case["pk"]),
        "x_lotsa_person_id": pseudonym("person", case["individual_id"]),
        "prs_Gender": CODE_MAPS["sex"].values[case["individual__sex"]],
        "vic_AgeWhenTrafficked": _age(case),
        "prs_Citizenship": case["individual__citizenship"] or None,
        "prs_PrimaryLanguage": language or (languages[0] if languages else None),
        "vic_TraffickingStatus": CODE_MAPS["trafficking_status"].values.get(
            case["trafficking_status"]
        ),
        "vic_TraffickingStatusDecisionMakingOrg": CODE_MAPS["status_decided_by"].values.get(
            case["status_decided_by"]
        ),
        "vic_RelationshipToTrafficker": CODE_MAPS["trafficker_relationship"].values.get(
            case["trafficker_relationship"]
        ),
        "vic_MethodOfRecruitment": _mapped("recruitment", case["recruitment"]),
        "vic_MethodsOfControl": _mapped("means_of_control", means_of_control),
        "vic_TypeOfExploitation": _mapped("purpose", purposes),
        "vic_ForcedLabourIndustry": CODE_MAPS["industry"].values.get(case["industry"]),
        "hte_Type": "Exploitation" if case["exploitation_country"] else None,
        "hte_Country": case["exploitation_country"] or None,
        "cas_Status": CODE_MAPS["case_status"].values[
            "closed" if closed_on is not None and closed_on <= as_of else "open"
        ],
        "spl_Type": _mapped("support", support),
        "x_lotsa_category": case["category"],
        "x_lotsa_offence": OFFENCE_CODES[Offence(case["offence"])],
        "x_lotsa_criminality": Purpose.CRIMINALITY in purposes,
        "x_lotsa_restricts_movement": MeansOfControl.RESTRICTS_MOVEMENT in means_of_control,
        "x_lotsa_industry": case["industry"] or None,
        "x_lotsa_suspicion_date": suspicion.isoformat(),
        "x_lotsa_opened_on": case["opened_on"].isoformat(),
        "x_lotsa_support": sorted(support),
    }


def htcds_csv(records: list[dict[str, Any]]) -> str:
    """Comma-separated UTF-8, as data standards exchange it; several values in one cell are
    separated by semicolons, true/false in lower case, an unknown value is an empty cell."""
    text = io.StringIO()
    writer = SpreadsheetWriter(text)
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([_cell(record[column]) for column in COLUMNS])
    return text.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return MULTI_SEPARATOR.join(value)
    return str(value)


def htcds_json(records: list[dict[str, Any]], *, year: int, as_of: date) -> dict[str, Any]:
    return {
        "standard": "HTCDS 2.0",
        "source_of_field_names": "https://github.com/UNMigration/HTCDS (CC BY 4.0)",
        "year": year,
        "as_of": as_of.isoformat(),
        "extension_columns": EXTENSIONS,
        "records": records,
    }
