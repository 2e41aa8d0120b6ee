"""How the access log's rows are named for a reader: the kinds of object (`object_type`) and the
pages (`view_name`) in the reader's language. The log review (audit) and the data-subject export
(dsar) both name rows with these, so a page is called the same everywhere.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# How the log names the kinds of object it records (object_type), in the reader's language.
OBJECT_TYPES = {
    "casework.case": _("Case"),
    "casework.individual": _("Individual"),
    "outreach.outreachcontact": _("Outreach contact"),
    "documents.casedocument": _("Document"),
    "reflection_period.application": _("Reflection-period application"),
    "reporting.reportexport": _("Report export"),
    "accounts.accesslogentry": _("Access log"),
    "accounts.user": _("Staff member"),
}

# The pages that write most of the log, named as the menu and the page titles name them.
PAGES = {
    "casework:case_detail": _("Case page"),
    "casework:case_list": _("Case list"),
    "casework:case_export": _("Case list, CSV export"),
    "casework:case_create": _("New individual and case"),
    "casework:individual_detail": _("Individual page"),
    "casework:individual_edit": _("Edit individual"),
    "outreach:contact_detail": _("Contact page"),
    "outreach:contact_list": _("Contact list"),
    "outreach:referral_list": _("Referrals"),
    "outreach:referral_detail": _("Referral page"),
    "reflection_period:application_detail": _("Reflection-period application"),
    "reflection_period:application_pdf": _("Application PDF (blankett 195011)"),
    "reflection_period:deadline_board": _("Deadlines"),
    "reporting:export_download": _("Annual report, download"),
    "home:start_coordinator": _("Start page (coordinator)"),
    "home:start_outreach": _("Start page (outreach)"),
    "home:start_manager": _("Start page (manager)"),
    # The start pages' names until they moved to the home app: rows written before keep them.
    "accounts:start_coordinator": _("Start page (coordinator)"),
    "accounts:start_outreach": _("Start page (outreach)"),
    "accounts:start_manager": _("Start page (manager)"),
    "casework:case_history": _("Case history"),
    "casework:case_edit": _("Edit case"),
    "casework:accompanying_child": _("Accompanying child"),
    "casework:case_open_for_individual": _("New case for the individual"),
    "documents:document_list": _("Documents"),
    "documents:document_detail": _("Document page"),
    "documents:document_download": _("Document, download"),
    "documents:document_preview": _("Document, preview"),
    "reflection_period:application_edit": _("Edit reflection-period application"),
    "dsar:subject_export": _("Data-subject export"),
    "audit:access_log_export": _("Log review, CSV export"),
    "sso:callback": _("Sign-in with the city's account"),
}


def page_label(view_name: str, unknown: str | None = None) -> str:
    """The page's name; a page not named here keeps its internal name, or `unknown` if given."""
    if view_name in PAGES:
        return str(PAGES[view_name])
    return view_name if unknown is None else unknown


def object_type_label(object_type: str) -> str:
    return str(OBJECT_TYPES.get(object_type, object_type))
