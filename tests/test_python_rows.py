"""The table rows written in Python (config/rows.py) must show what the templates they replaced
showed: the same markup, the same escaping, the same masking, in both languages.

Each test renders the list through its page, then renders the same rows through the replaced
template (kept here as the reference) and compares the two, whitespace aside.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from casework import services as casework_services
from casework.models import ClosingReason, Protection
from casework.rows import case_rows, identity_label
from outreach import services as outreach_services
from outreach.models import AgeGroup, ReferralStatus
from outreach.rows import referral_status, referral_table_rows
from reflection_period.rows import deadline_table_rows
from tests.factories import OutreachContactFactory
from tests.reflection_period_helpers import draft, open_case, permit_ending_on, submitted

IDENTITY_LABEL = (
    '<span>{{ identity.label }}</span> <span class="small text-body-secondary">'
    "{{ identity.reference }}</span>{% if identity.masked %} "
    '<span class="badge text-bg-warning" title="{{ identity.protection_label }}">'
    '{% translate "Protected" %}</span>{% endif %}'
)

CASE_ROWS = (
    """{% load i18n %}{% for case, identity, _purposes in rows %}
    <tr>
      <td><a href="{% url 'casework:case_detail' case.pk %}">{{ case.number }}</a></td>
      <td>IDENTITY</td>
      <td>{{ case.get_category_display }}</td>
      <td class="d-none d-md-table-cell small">{% for p in case.purposes.all %}{{ p.get_purpose_display }}{% if not forloop.last %}, {% endif %}{% endfor %}</td>
      <td>{{ case.coordinator }}</td>
      <td class="d-none d-md-table-cell">{{ case.opened_on|date:"Y-m-d" }}</td>
      <td>{% if case.is_open %}<span class="badge text-bg-success">{% translate "Open" %}</span>{% else %}<span class="badge text-bg-secondary">{% translate "Closed" %}</span>{% endif %}</td>
    </tr>
  {% empty %}
    <tr><td colspan="7" class="text-body-secondary">{% translate "No cases match the filters." %}</td></tr>
  {% endfor %}"""
).replace("IDENTITY", IDENTITY_LABEL)

DEADLINE_TEXT = """{% if deadline.kind == "next_step" %}{% blocktranslate with date=deadline.due_on|date:"Y-m-d" %}Permit ends {{ date }}: record the next step{% endblocktranslate %}
{% elif deadline.kind == "decision" %}{% blocktranslate with date=deadline.due_on|date:"Y-m-d" overdue=deadline.overdue_on|date:"Y-m-d" %}Decision expected by {{ date }}, overdue from {{ overdue }}{% endblocktranslate %}
{% else %}{% blocktranslate with date=deadline.due_on|date:"Y-m-d" %}Draft to be sent by {{ date }}{% endblocktranslate %}{% endif %}"""

BOARD_ROWS = (
    (
        """{% load i18n %}{% for row in rows %}
    {% with deadline=row.deadline case=row.case identity=row.identity %}
    <tr class="table-{{ deadline.css }}">
      <td class="text-nowrap"><time datetime="{{ deadline.due_on|date:'Y-m-d' }}">{{ deadline.due_on|date:"Y-m-d" }}</time></td>
      <td>{% if deadline %}<span class="badge text-bg-{{ deadline.css }}">{{ deadline.label }}</span>{% endif %}</td>
      <td><a href="{% url 'reflection_period:application_detail' row.application.pk %}">DEADLINE_TEXT</a></td>
      <td class="text-nowrap"><a href="{% url 'casework:case_detail' case.pk %}">{{ case.number }}</a></td>
      <td>IDENTITY</td>
      <td class="d-none d-md-table-cell">{{ case.coordinator }}</td>
      <td class="d-none d-md-table-cell small">{% if row.last_reminder %}{{ row.last_reminder.get_rule_display }} ({{ row.last_reminder.created_at|date:"Y-m-d" }}){% else %}–{% endif %}</td>
    </tr>
    {% endwith %}
  {% empty %}
    <tr><td colspan="7" class="text-body-secondary">{% translate "Nothing is waiting. No open deadlines." %}</td></tr>
  {% endfor %}"""
    )
    .replace("IDENTITY", IDENTITY_LABEL)
    .replace("DEADLINE_TEXT", DEADLINE_TEXT)
)

REFERRAL_STATUS = """{% if referral.status == "pending" %}
  <span class="badge text-bg-warning">{% translate "Waiting" %}</span>
{% elif referral.status == "accepted" %}
  <span class="badge text-bg-success">{% translate "Accepted" %}</span>
  <span class="small">{{ referral.accepted_at|date:"Y-m-d H:i" }} · {{ referral.accepted_by }}{% if show_cases and referral.case %} · <a href="{% url 'casework:case_detail' referral.case_id %}">{% translate "Case" %} {{ referral.case.number }}</a>{% endif %}</span>
{% elif referral.status == "declined" %}
  <span class="badge text-bg-secondary">{% translate "Declined" %}</span>
  <span class="small">{{ referral.declined_at|date:"Y-m-d H:i" }} · {{ referral.declined_by }}</span>
{% else %}
  <span class="badge text-bg-light border">{% translate "Withdrawn" %}</span>
  <span class="small">{{ referral.withdrawn_at|date:"Y-m-d H:i" }} · {{ referral.withdrawn_by }}</span>
{% endif %}"""

REFERRAL_ROWS = (
    """{% load i18n %}{% for referral, shown, _indicators in rows %}
    {% with contact=referral.contact %}
    <tr{% if referral.presumed_minor and referral.status == "pending" %} class="table-danger"{% endif %}>
      <td>{% if show_cases %}<a href="{% url 'outreach:referral_detail' referral.pk %}">{{ referral.referred_at|date:"Y-m-d H:i" }}</a>{% else %}<a href="{% url 'outreach:contact_detail' referral.contact_id %}">{{ referral.referred_at|date:"Y-m-d H:i" }}</a>{% endif %}
        <span class="d-block small text-body-secondary">{{ referral.referred_by }}</span></td>
      <td>
        {% if shown %}
          {{ contact.get_environment_display }}{% if contact.district %}, {{ contact.district }}{% endif %}
          <span class="d-block small">{{ contact.label|default:"" }}{% if contact.label %} · {% endif %}{{ contact.get_age_group_display }}{% if contact.language %} · {{ contact.language }}{% endif %}</span>
          {% if referral.presumed_minor %}<span class="badge text-bg-danger">{% translate "Presumed under 18" %}</span>{% endif %}
          {% with indicators=contact.indicators.all %}{% if indicators %}<span class="d-block small text-body-secondary">{{ indicators|join:", " }}</span>{% endif %}{% endwith %}
        {% else %}
          <span class="text-body-secondary small">{% translate "Withdrawn by outreach: the contact is no longer shown." %}</span>
        {% endif %}
      </td>
      <td class="d-none d-md-table-cell">{% if referral.to_coordinator %}{{ referral.to_coordinator }}{% else %}{% translate "Common inbox" %}{% endif %}</td>
      <td>STATUS</td>
      {% if can_handle %}<td>{% if referral.status == "pending" %}<a class="btn btn-sm btn-primary" href="{% url 'outreach:referral_detail' referral.pk %}">{% translate "Handle" %}</a>{% endif %}</td>{% endif %}
    </tr>
    {% endwith %}
  {% empty %}
    <tr><td colspan="5" class="text-body-secondary">{% translate "No referrals match the filters." %}</td></tr>
  {% endfor %}"""
).replace("STATUS", REFERRAL_STATUS)


def _same(html: str) -> str:
    """Markup with whitespace runs made one space and none around tags."""
    return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()


def _reference(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


LANGUAGES = ["sv", "en"]


@pytest.fixture
def cases(coordinator, other_coordinator):
    """Open and closed, several purposes and none, a protected person of another coordinator,
    and a name that needs escaping."""
    made = [
        open_case(coordinator, purposes=("sexual", "labour", "begging"), given_name="Ana"),
        open_case(coordinator, purposes=(), alias="<b>Rosa</b> & co"),
        open_case(
            other_coordinator,
            purposes=("criminality",),
            given_name="Dolda",
            family_name="Person",
            protection=Protection.PROTECTED_REGISTRATION,
        ),
    ]
    casework_services.case_close(
        case=made[0], by=coordinator, closed_on=date(2024, 6, 1), reason=ClosingReason.OTHER
    )
    return made


@pytest.mark.parametrize("language", LANGUAGES)
def test_case_rows_are_the_templates_rows(client, coordinator, cases, language: str) -> None:
    client.force_login(coordinator)
    with translation.override(language):
        response = client.get(reverse("casework:case_list"), {"status": ""})
        rows = response.context["rows"]
        assert len(rows) == 3
        ours = case_rows(rows)
        assert _same(ours) == _same(_reference(CASE_ROWS, rows=rows))
        assert _same(ours) in _same(response.content.decode())
    page = _same(ours)
    assert "&lt;b&gt;Rosa&lt;/b&gt; &amp; co" in page
    assert "Dolda" not in page  # the other coordinator's protected person is masked


def test_no_cases_say_so_as_the_template_did(coordinator) -> None:
    with translation.override("sv"):
        assert _same(case_rows([])) == _same(_reference(CASE_ROWS, rows=[]))


def test_identity_label_is_the_templates(coordinator, cases) -> None:
    from casework.selectors import case_identity

    for case in cases:
        identity = case_identity(coordinator, case)
        reference = _reference("{% load i18n %}" + IDENTITY_LABEL, identity=identity)
        assert _same(identity_label(identity)) == _same(reference)


@pytest.mark.parametrize("language", LANGUAGES)
def test_deadline_rows_are_the_templates_rows(client, coordinator, language: str) -> None:
    today = timezone.localdate()
    draft(open_case(coordinator, alias="Utkast"))
    submitted(open_case(coordinator, alias="Väntar"), today - timedelta(days=30))
    permit_ending_on(open_case(coordinator, alias="Slutar"), today + timedelta(days=2))
    client.force_login(coordinator)
    with translation.override(language):
        response = client.get(reverse("reflection_period:deadline_board"))
        rows = response.context["rows"]
        assert {row.deadline.kind for row in rows} == {"submit", "decision", "next_step"}
        ours = deadline_table_rows(rows)
        assert _same(ours) == _same(_reference(BOARD_ROWS, rows=rows))
        assert _same(ours) in _same(response.content.decode())
        assert _same(deadline_table_rows([])) == _same(_reference(BOARD_ROWS, rows=[]))


@pytest.fixture
def referrals(coordinator, outreach_worker):
    """One of each status; a presumed minor with indicators and a language; a contact without
    an alias; one addressed to the coordinator."""

    def contact(**fields: object):
        return OutreachContactFactory.create(created_by=outreach_worker, **fields)

    minor = contact(alias="Mira <i>", age_group=AgeGroup.UNDER_18)
    minor.indicators.create(
        indicator=minor.indicators.model._meta.get_field("indicator").choices[0][0]
    )
    pending = outreach_services.referral_create(contact=minor, by=outreach_worker)
    addressed = outreach_services.referral_create(
        contact=contact(alias="", description="Blå väska"),
        by=outreach_worker,
        to_coordinator=coordinator,
    )
    accepted = outreach_services.referral_create(contact=contact(), by=outreach_worker)
    outreach_services.referral_accept_with_new_individual(
        referral=accepted,
        by=coordinator,
        individual_fields={"alias": "Ny", "birth_year": 1990},
        coordinator=coordinator,
        opened_on=timezone.localdate(),
    )
    declined = outreach_services.referral_create(contact=contact(), by=outreach_worker)
    outreach_services.referral_decline(referral=declined, by=coordinator, reason="Fel kontor")
    withdrawn = outreach_services.referral_create(contact=contact(), by=outreach_worker)
    outreach_services.referral_withdraw(referral=withdrawn, by=outreach_worker)
    return [pending, addressed, accepted, declined, withdrawn]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("who", ["coordinator", "manager", "outreach_worker"])
def test_referral_rows_are_the_templates_rows(
    request, client, referrals, language: str, who: str
) -> None:
    user = request.getfixturevalue(who)
    client.force_login(user)
    with translation.override(language):
        response = client.get(reverse("outreach:referral_list"), {"status": ""})
        context = {key: response.context[key] for key in ("rows", "show_cases", "can_handle")}
        statuses = {referral.status for referral, _shown, _indicators in context["rows"]}
        assert statuses == set(ReferralStatus.values)
        ours = referral_table_rows(**context)
        assert _same(ours) == _same(_reference(REFERRAL_ROWS, **context))
        assert _same(ours) in _same(response.content.decode())


def test_referral_status_without_cases_names_no_case(referrals) -> None:
    accepted = referrals[2]
    accepted.refresh_from_db()
    with translation.override("sv"):
        for show_cases in (True, False):
            ours = referral_status(accepted, show_cases)
            reference = _reference(
                "{% load i18n %}" + REFERRAL_STATUS, referral=accepted, show_cases=show_cases
            )
            assert _same(ours) == _same(reference)
        assert accepted.case.number not in referral_status(accepted, False)


def test_a_pending_minor_is_marked_red_and_its_name_escaped(client, coordinator, referrals) -> None:
    client.force_login(coordinator)
    response = client.get(reverse("outreach:referral_list"))
    page = response.content.decode()
    assert '<tr class="table-danger">' in page
    assert "Mira &lt;i&gt;" in page
