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
    "audit:access_log_export": _("Log review, CSV export"),
    "audit:access_log": _("Log review"),
    "sso:callback": _("Sign-in with the city's account"),
    "sso:start": _("Sign-in with the city's account"),
    "home:start_admin": _("Start page (administrator)"),
    "casework:case_history": _("Case page, change history"),
    "casework:case_edit": _("Edit case"),
    "casework:case_close": _("Close case"),
    "casework:case_reopen": _("Reopen case"),
    "casework:case_reassign": _("Reassign case"),
    "casework:case_open_for_individual": _("New case for the individual"),
    "casework:journal_create": _("New journal entry"),
    "casework:journal_edit": _("Edit journal entry"),
    "casework:journal_sign": _("Sign journal entry"),
    "casework:journal_delete": _("Delete journal entry"),
    "casework:journal_correct": _("Correct journal entry"),
    "casework:support_create": _("New support measure"),
    "casework:support_end": _("End support measure"),
    "casework:organisation_link_create": _("New organisation link"),
    "casework:consent_create": _("New consent"),
    "casework:consent_withdraw": _("Withdraw consent"),
    "casework:identity_authorisation_grant": _("Protected identity, grant access"),
    "casework:identity_authorisation_revoke": _("Protected identity, revoke access"),
    "casework:relation_create": _("New related person"),
    "casework:relation_remove": _("Remove related person"),
    "casework:accompanying_child": _("Accompanying child"),
    "documents:document_list": _("Documents"),
    "documents:document_upload": _("Upload document"),
    "documents:document_detail": _("Document page"),
    "documents:document_download": _("Document, download"),
    "documents:document_preview": _("Document, preview"),
    "documents:document_void": _("Void document"),
    "outreach:contact_create": _("New outreach contact"),
    "outreach:contact_edit": _("Edit outreach contact"),
    "outreach:referral_create": _("New referral"),
    "outreach:referral_accept_case": _("Accept referral to a case"),
    "outreach:referral_accept_new": _("Accept referral as a new case"),
    "outreach:referral_decline": _("Decline referral"),
    "outreach:referral_withdraw": _("Withdraw referral"),
    "reflection_period:application_create": _("New reflection-period application"),
    "reflection_period:application_edit": _("Edit reflection-period application"),
    "reflection_period:application_submit": _("Submit reflection-period application"),
    "reflection_period:application_decide": _("Record the decision on the application"),
    "reflection_period:application_permit": _("Record the residence permit"),
    "reflection_period:application_next_step": _("Reflection-period application, next step"),
    "reflection_period:application_withdraw": _("Withdraw reflection-period application"),
    "dsar:subject_export": _("Register extract (the person's own data)"),
    "reporting:export_create": _("Annual report, export"),
    "reporting:export_detail": _("Annual report, export page"),
    "national:report": _("National report"),
    "national:report_download": _("National report, download"),
    "national:htcds_download": _("HTCDS export"),
    "national:ctdc_download": _("CTDC export"),
    "retention:run_list": _("Retention runs"),
    "retention:run_propose": _("Retention run, proposal"),
    "retention:run_detail": _("Retention run"),
    "retention:run_confirm": _("Retention run, confirm"),
    "retention:run_cancel": _("Retention run, cancel"),
    "importing:confirm": _("Import of past records, confirm"),
    "importing:job_confirm": _("Import of past records, confirm"),
    "importing.services.import_records": _("Import of past records"),
    "casework.services.identity_access_require": _("Protected identity, access check"),
    "casework.services.identity_authorisation_grant": _("Protected identity, grant access"),
    "casework.services.identity_authorisation_revoke": _("Protected identity, revoke access"),
    "accounts.services.user_set_roles": _("Roles changed"),
    "sso.services.sso_roles_update": _("Roles from the city's sign-in service"),
    "exportjobs:list": _("Your exports"),
    "exportjobs:job": _("Export page"),
    "exportjobs:download": _("Export, download"),
}


def page_label(view_name: str, unknown: str | None = None) -> str:
    """The page's name; a page not named here keeps its internal name, or `unknown` if given."""
    if view_name in PAGES:
        return str(PAGES[view_name])
    return view_name if unknown is None else unknown


def object_type_label(object_type: str) -> str:
    return str(OBJECT_TYPES.get(object_type, object_type))
