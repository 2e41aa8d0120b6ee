"""Demo reporting data: two trainings a year (as the city's answer says) and the manager's
texts for 2024, written after the city's answer to the council member."""

from __future__ import annotations

from datetime import date

from accounts.models import User
from reporting import services
from reporting.models import ReportNarrative, Training

TRAININGS = [
    (date(2023, 4, 19), "Människohandel – att upptäcka och agera", 34),
    (date(2023, 10, 11), "Betänketid och rättigheter för brottsoffer", 27),
    (date(2024, 3, 13), "EU:s människohandelsdirektiv och stadens ansvar", 41),
    (date(2024, 10, 9), "Betänketid enligt 5 kap. 15 § utlänningslagen i praktiken", 38),
    (date(2025, 3, 12), "Barn som utsätts för människohandel", 29),
    (date(2025, 9, 24), "Människoexploatering inom arbetsmarknaden", 33),
]

NARRATIVE_2024 = {
    "introduction": (
        "Socialförvaltningens arbete mot prostitution och människohandel är sedan 2023 samlat "
        "i en enhet. Siffrorna nedan är hämtade ur Lotsa och definieras under varje fråga."
    ),
    "outreach_routine": (
        "Uppsökarna arbetar i nära samverkan med polisen. När teamet möter en person som kan "
        "vara utsatt för människohandel länkas personen direkt till regionkoordinatorerna, som "
        "sitter i samma rum på mottagningen. En regionkoordinator kan efter övervägande ansöka "
        "om betänketid hos Migrationsverket."
    ),
    "organisational_changes": (
        "Att regionkoordinatorerna själva kan ansöka om betänketid underlättar arbetet med "
        "brottsoffren. Att alla funktioner som arbetar mot prostitution och människohandel "
        "ligger under samma enhet är en förändring som gjorts för att stärka arbetet."
    ),
}


def seed() -> int:
    """Create the demo trainings and 2024 texts unless they exist. Returns trainings created."""
    manager = User.objects.filter(groups__name="manager", is_active=True).order_by("pk").first()
    if manager is None or Training.objects.exists():
        return 0
    for held_on, title, participants in TRAININGS:
        services.training_create(
            by=manager,
            held_on=held_on,
            title=title,
            audience="Stadens socialsekreterare",
            organiser="Enheten mot prostitution och människohandel",
            participants=participants,
        )
    if not ReportNarrative.objects.filter(year=2024).exists():
        services.narrative_save(year=2024, by=manager, expected_version=None, **NARRATIVE_2024)
    return len(TRAININGS)
