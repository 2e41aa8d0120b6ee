"""Code lists for the facts national reporting needs (NSPM's yearly figures and HTCDS 2.0).

Each list is Lotsa's own, in Swedish in the interface; `national.htcds` maps every code to the
Human Trafficking Case Data Standard's value (and the industries to an ISIC v4 section).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Industry(models.TextChoices):
    """The industry of labour exploitation, as the national coordination (NSPM) counts it."""

    GREEN = "green", _("Agriculture, forestry and gardening (grön näring)")
    CONSTRUCTION = "construction", _("Construction")
    HOSPITALITY = "hospitality", _("Hotels and restaurants")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    CAR_WASH = "car_wash", _("Car wash and car repair")
    CLEANING = "cleaning", _("Cleaning")
    OTHER = "other", pgettext_lazy("industry", "Other")


class MeansOfControl(models.TextChoices):
    """How the exploiter controlled the person (HTCDS vic_MethodsOfControl)."""

    PHYSICAL_THREATS = "physical_threats", _("Threats of violence")
    THREATS_LAW_ENFORCEMENT = "threats_law_enforcement", _("Threats of police or authorities")
    THREATENS_FAMILY = "threatens_family", _("Threats against children or family")
    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    FALSE_PROMISES = "false_promises", _("False promises")
    PHYSICAL_ABUSE = "physical_abuse", _("Physical violence")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual violence")
    TAKES_EARNINGS = "takes_earnings", _("Takes the earnings")
    RESTRICTS_FINANCES = "restricts_finances", _("Restricts access to money")
    RESTRICTS_MEDICAL_CARE = "restricts_medical_care", _("Restricts access to health care")
    WITHHOLDS_NECESSITIES = (
        "withholds_necessities",
        _("Withholds food, shelter or other necessities"),
    )
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("Psychological abuse")
    PSYCHOACTIVE_SUBSTANCES = "psychoactive_substances", _("Alcohol or drugs")
    EXCESSIVE_HOURS = "excessive_hours", _("Excessive working hours")
    RESTRICTS_MOVEMENT = "restricts_movement", _("Restricts movement or contacts")
    WITHHOLDS_DOCUMENTS = "withholds_documents", _("Withholds passport or other documents")
    OTHER = "other", pgettext_lazy("means of control", "Other")


class Recruitment(models.TextChoices):
    """How the person was recruited (HTCDS vic_MethodOfRecruitment)."""

    PLACE_OF_BUSINESS = "place_of_business", _("At a place of business")
    EDUCATION = "education", _("At a school or other place of education")
    WORK = "work", _("At work")
    SOCIAL_NETWORKS = "social_networks", _("Through social networks online")
    ONLINE_ADVERT = "online_advert", _("Through an advertisement online")
    TV_ADVERT = "tv_advert", _("Through a television advertisement")
    NEWSPAPER_ADVERT = "newspaper_advert", _("Through a newspaper advertisement")
    FAMILY = "family", _("Through family")
    FRIENDS = "friends", _("Through friends or acquaintances")
    OTHER = "other", pgettext_lazy("recruitment", "Other")


class TraffickerRelationship(models.TextChoices):
    """The person's relationship to the trafficker (HTCDS vic_RelationshipToTrafficker)."""

    FAMILY = "family", _("Family member")
    ACQUAINTED = "acquainted", _("Someone the person knew")
    UNACQUAINTED = "unacquainted", _("A stranger")


class TraffickingStatus(models.TextChoices):
    """Whether the person is a victim (HTCDS vic_TraffickingStatus)."""

    POSSIBLE = "possible", _("Possible victim")
    ACTUAL = "actual", _("Victim")
    NOT_A_VICTIM = "not_a_victim", _("Not a victim")


class StatusDecidedBy(models.TextChoices):
    """Who decided the trafficking status (HTCDS vic_TraffickingStatusDecisionMakingOrg)."""

    POLICE = "police", _("Police")
    PROSECUTION_OR_COURT = "prosecution_or_court", _("Prosecutor or court")
    NGO = "ngo", _("Civil society organisation")
    AUTHORITY = "authority", _("Another authority (e.g. the social services)")
    OTHER = "other", pgettext_lazy("decided by", "Other")


class RelationKind(models.TextChoices):
    """How one individual is related to another, read from the first to the second.

    Stored once per pair; `RELATION_INVERSE` gives the kind read the other way.
    """

    CHILD_OF = "child_of", _("child of")
    ACCOMPANYING_CHILD_OF = "accompanying_child_of", _("accompanying child of")
    PARENT_OF = "parent_of", _("parent of")
    ACCOMPANIED_BY_CHILD = "accompanied_by_child", _("accompanied by the child")
    PARTNER = "partner", _("partner of")
    SIBLING = "sibling", _("sibling of")
    SAME_CASE_COMPLEX = "same_complex", _("exploited in the same case complex as")
    OTHER = "other", _("otherwise related to")


RELATION_INVERSE = {
    RelationKind.CHILD_OF: RelationKind.PARENT_OF,
    RelationKind.PARENT_OF: RelationKind.CHILD_OF,
    RelationKind.ACCOMPANYING_CHILD_OF: RelationKind.ACCOMPANIED_BY_CHILD,
    RelationKind.ACCOMPANIED_BY_CHILD: RelationKind.ACCOMPANYING_CHILD_OF,
    RelationKind.PARTNER: RelationKind.PARTNER,
    RelationKind.SIBLING: RelationKind.SIBLING,
    RelationKind.SAME_CASE_COMPLEX: RelationKind.SAME_CASE_COMPLEX,
    RelationKind.OTHER: RelationKind.OTHER,
}

# The kinds a person may be given on "Lägg till medföljande barn": the new person is the first.
ACCOMPANYING_KINDS = (RelationKind.ACCOMPANYING_CHILD_OF, RelationKind.CHILD_OF)


def code_labels(choices: type[models.TextChoices], codes: Iterable[str]) -> list[str]:
    """The labels of stored codes in the list's own order (a code no longer listed is left
    out: the history still shows it)."""
    wanted = set(codes)
    return [str(choice.label) for choice in choices if choice.value in wanted]
