"""The application PDF: the content of Migrationsverket's form "Ansökan om betänketid"
(blankett 195011), filled in from the case, ready to attach to the e-mail to Migrationsverket.

The PDF is for the authority, so identity data is never masked in it: only users who may see
the identity may print it, and the view logs every download (action PRINT). It is always in
Swedish, whatever the user's language, and uses only local fonts (DejaVu).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from casework.selectors import can_read_cases, case_identity
from reflection_period.models import ReflectionPeriodApplication


def can_print(user: User, application: ReflectionPeriodApplication) -> bool:
    """Readers of the case who may see the person's identity (a protected identity only for
    the responsible coordinator and managers)."""
    if not can_read_cases(user) or not application.is_social_services:
        return False
    return not case_identity(user, application.case).masked


def application_context(application: ReflectionPeriodApplication) -> dict[str, object]:
    case = application.case
    individual = case.individual
    coordinator = application.applied_by or case.coordinator
    return {
        "application": application,
        "case": case,
        "individual": individual,
        "languages": list(individual.languages.all()),
        "purposes": [p.get_purpose_display() for p in application.purposes.all()],
        "coordinator": coordinator,
        "authority": settings.LOTSA_APPLICANT_AUTHORITY,
        "unit": settings.LOTSA_UNIT_NAME,
        "unit_address": settings.LOTSA_UNIT_ADDRESS,
        "unit_phone": settings.LOTSA_UNIT_PHONE,
        "unit_email": settings.LOTSA_UNIT_EMAIL,
        "printed_on": timezone.localdate(),
    }


def application_html(application: ReflectionPeriodApplication) -> str:
    with translation.override("sv"):
        return render_to_string(
            "reflection_period/pdf/application.html", application_context(application)
        )


def application_pdf(application: ReflectionPeriodApplication) -> bytes:
    from weasyprint import HTML  # imported when used: loading Pango takes a moment

    pdf: bytes = HTML(string=application_html(application), base_url=None).write_pdf()
    return pdf
