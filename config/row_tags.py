"""`{% load rows %}`: the table rows written in Python (config/rows.py says why)."""

from __future__ import annotations

from django import template

from casework.rows import case_rows, identity_label
from outreach.rows import referral_status, referral_table_rows
from reflection_period.rows import deadline_badge, deadline_table_rows, deadline_text

register = template.Library()
register.simple_tag(case_rows)
register.simple_tag(identity_label)
register.simple_tag(deadline_badge)
register.simple_tag(deadline_text)
register.simple_tag(deadline_table_rows)
register.simple_tag(referral_status)
register.simple_tag(referral_table_rows)
