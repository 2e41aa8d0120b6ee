"""The referral list's rows and a referral's status, written in Python (why: config/rows.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from config.choices import choice_label
from config.rows import html, html_join, minute, url_by_id
from outreach.models import ContactIndicator, Referral, ReferralStatus

_INDICATOR = ContactIndicator._meta.get_field("indicator")


def referral_status(referral: Referral, show_cases: bool) -> SafeString:
    """The status as a badge, with when and by whom it was settled; the accepted case's number
    and link only for `show_cases` (never outreach staff)."""
    if referral.status == ReferralStatus.PENDING:
        return html('<span class="badge text-bg-warning">{}</span>', _("Waiting"))
    if referral.status == ReferralStatus.ACCEPTED:
        case_link = SafeString("")
        if show_cases and referral.case_id and referral.case:
            case_link = html(
                ' · <a href="{}">{} {}</a>',
                url_by_id("casework:case_detail")(referral.case_id),
                _("Case"),
                referral.case.number,
            )
        return html(
            '<span class="badge text-bg-success">{}</span> <span class="small">{} · {}{}</span>',
            _("Accepted"),
            minute(referral.accepted_at),
            referral.accepted_by or "",
            case_link,
        )
    if referral.status == ReferralStatus.DECLINED:
        badge, when, by = "text-bg-secondary", referral.declined_at, referral.declined_by
        label = _("Declined")
    else:
        badge, when, by = "text-bg-light border", referral.withdrawn_at, referral.withdrawn_by
        label = _("Withdrawn")
    return html(
        '<span class="badge {}">{}</span> <span class="small">{} · {}</span>',
        badge,
        label,
        minute(when),
        by or "",
    )


def _contact_cell(referral: Referral, shown: bool, indicator_codes: list[str]) -> SafeString:
    if not shown:
        return html(
            '<span class="text-body-secondary small">{}</span>',
            _("Withdrawn by outreach: the contact is no longer shown."),
        )
    contact = referral.contact
    place = contact.get_environment_display()
    if contact.district:
        place = f"{place}, {contact.district}"
    details = [contact.get_age_group_display()]
    if contact.label:
        details.insert(0, contact.label)
    if contact.language:
        details.append(str(contact.language))
    minor = SafeString("")
    if referral.presumed_minor:
        minor = html('<span class="badge text-bg-danger">{}</span>', _("Presumed under 18"))
    indicators = SafeString("")
    if names := [str(choice_label(_INDICATOR, code)) for code in indicator_codes]:
        indicators = html(
            '<span class="d-block small text-body-secondary">{}</span>', ", ".join(names)
        )
    return html(
        '{}<span class="d-block small">{}</span>{}{}', place, " · ".join(details), minor, indicators
    )


def referral_table_rows(
    rows: Iterable[tuple[Referral, bool, list[str]]], show_cases: bool, can_handle: bool
) -> SafeString:
    """The `<tr>`s of the referral list: each row a referral, whether its contact may be shown
    (selectors.contact_shown_in) and its contact's indicators (selectors.indicators_by_contact). Coordinators and managers (`show_cases`) open the
    referral, outreach staff the contact."""
    referral_url = url_by_id("outreach:referral_detail")
    contact_url = url_by_id("outreach:contact_detail")
    handle = _("Handle")
    markup = html_join(
        "\n",
        '<tr{}><td><a href="{}">{}</a><span class="d-block small text-body-secondary">{}</span>'
        '</td><td>{}</td><td class="d-none d-md-table-cell">{}</td><td>{}</td>{}</tr>',
        (
            (
                SafeString(' class="table-danger"')
                if referral.presumed_minor and referral.status == ReferralStatus.PENDING
                else "",
                referral_url(referral.pk) if show_cases else contact_url(referral.contact_id),
                minute(referral.referred_at),
                referral.referred_by or "",
                _contact_cell(referral, shown, indicator_codes),
                referral.to_coordinator or _("Common inbox"),
                referral_status(referral, show_cases),
                _action_cell(referral, referral_url, handle) if can_handle else "",
            )
            for referral, shown, indicator_codes in rows
        ),
    )
    if markup:
        return markup
    return html(
        '<tr><td colspan="5" class="text-body-secondary">{}</td></tr>',
        _("No referrals match the filters."),
    )


def _action_cell(referral: Referral, referral_url: Callable[[Any], str], handle: str) -> SafeString:
    if referral.status != ReferralStatus.PENDING:
        return SafeString("<td></td>")
    return html(
        '<td><a class="btn btn-sm btn-primary" href="{}">{}</a></td>',
        referral_url(referral.pk),
        handle,
    )
