"""The deadline board's rows and a deadline's badge and words, written in Python (why:
config/rows.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from casework.rows import identity_label
from config.rows import day, html, html_join, url_by_id
from reflection_period.models import DueKind
from reflection_period.selectors import DeadlineRow


def deadline_badge(deadline: Any) -> SafeString:
    """The deadline's state as a coloured badge; nothing without a deadline."""
    if not deadline:
        return SafeString("")
    return html('<span class="badge text-bg-{}">{}</span>', deadline.css, deadline.label)


def deadline_text(deadline: Any) -> str:
    """One deadline in words: what is awaited and by when."""
    if deadline.kind == DueKind.NEXT_STEP:
        return _("Permit ends %(date)s: record the next step") % {"date": day(deadline.due_on)}
    if deadline.kind == DueKind.DECISION:
        return _("Decision expected by %(date)s, overdue from %(overdue)s") % {
            "date": day(deadline.due_on),
            "overdue": day(deadline.overdue_on),
        }
    return _("Draft to be sent by %(date)s") % {"date": day(deadline.due_on)}


def _last_reminder(row: DeadlineRow) -> str:
    reminder = row.last_reminder
    if reminder is None:
        return "–"
    return f"{reminder.get_rule_display()} ({day(reminder.created_at)})"


def deadline_table_rows(rows: Iterable[DeadlineRow]) -> SafeString:
    """The `<tr>`s of the deadline board."""
    application_url = url_by_id("reflection_period:application_detail")
    case_url = url_by_id("casework:case_detail")
    markup = html_join(
        "\n",
        '<tr class="table-{}"><td class="text-nowrap"><time datetime="{}">{}</time></td>'
        '<td>{}</td><td><a href="{}">{}</a></td>'
        '<td class="text-nowrap"><a href="{}">{}</a></td><td>{}</td>'
        '<td class="d-none d-md-table-cell">{}</td>'
        '<td class="d-none d-md-table-cell small">{}</td></tr>',
        (
            (
                row.deadline.css,
                day(row.deadline.due_on),
                day(row.deadline.due_on),
                deadline_badge(row.deadline),
                application_url(row.application.pk),
                deadline_text(row.deadline),
                case_url(row.case.pk),
                row.case.number,
                identity_label(row.identity),
                row.case.coordinator,
                _last_reminder(row),
            )
            for row in rows
        ),
    )
    if markup:
        return markup
    return html(
        '<tr><td colspan="7" class="text-body-secondary">{}</td></tr>',
        _("Nothing is waiting. No open deadlines."),
    )
