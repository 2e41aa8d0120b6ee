"""The case list's rows and a person's label, written in Python (why: config/rows.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from casework.models import Case, CasePurpose
from casework.selectors import Identity
from config.choices import choice_label
from config.rows import day, html, html_join, url_by_id


def identity_label(identity: Identity) -> SafeString:
    """How a list names a person: name (or alias, or reference), the reference, and a
    "Protected" badge when the identity is masked."""
    label = html(
        '<span>{}</span> <span class="small text-body-secondary">{}</span>',
        identity.label,
        identity.reference,
    )
    if not identity.masked:
        return label
    return html(
        '{} <span class="badge text-bg-warning" title="{}">{}</span>',
        label,
        identity.protection_label,
        _("Protected"),
    )


def case_rows(rows: Iterable[tuple[Case, Identity, list[str]]]) -> SafeString:
    """The `<tr>`s of the case list: each row a case, its identity and its purposes' codes
    (selectors.purposes_by_case)."""
    detail_url = url_by_id("casework:case_detail")
    badges = {
        True: html('<span class="badge text-bg-success">{}</span>', _("Open")),
        False: html('<span class="badge text-bg-secondary">{}</span>', _("Closed")),
    }
    purpose = CasePurpose._meta.get_field("purpose")
    markup = html_join(
        "\n",
        '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td>'
        '<td class="d-none d-md-table-cell small">{}</td><td>{}</td>'
        '<td class="d-none d-md-table-cell">{}</td><td>{}</td></tr>',
        (
            (
                detail_url(case.pk),
                case.number,
                identity_label(identity),
                case.get_category_display(),
                ", ".join(str(choice_label(purpose, code)) for code in codes),
                case.coordinator,
                day(case.opened_on),
                badges[case.is_open],
            )
            for case, identity, codes in rows
        ),
    )
    if markup:
        return markup
    return html(
        '<tr><td colspan="7" class="text-body-secondary">{}</td></tr>',
        _("No cases match the filters."),
    )
