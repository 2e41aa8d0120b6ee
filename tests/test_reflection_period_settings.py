"""The reflection-period thresholds come from the environment and fail loudly when they make
no sense."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run_python

SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.LOTSA_DECISION_REMINDER_WORKING_DAYS, "
    "s.LOTSA_DECISION_ESCALATION_WORKING_DAYS, s.LOTSA_PERMIT_ENDING_REMINDER_DAYS, "
    "s.LOTSA_DRAFT_REMINDER_DAYS, s.CELERY_BEAT_SCHEDULE['reflection-period-reminder-scan']"
    "['schedule'].total_seconds()]))"
)


def test_defaults_and_overrides():
    default = run_python(SHOW, DEBUG="true")
    assert default.returncode == 0, default.stderr
    assert json.loads(default.stdout.splitlines()[-1]) == [2, 5, [7, 2], 2, 900.0]
    changed = run_python(
        SHOW,
        DEBUG="true",
        LOTSA_DECISION_REMINDER_WORKING_DAYS="3",
        LOTSA_DECISION_ESCALATION_WORKING_DAYS="8",
        LOTSA_PERMIT_ENDING_REMINDER_DAYS="10,3",
        LOTSA_REMINDER_SCAN_MINUTES="5",
    )
    assert changed.returncode == 0, changed.stderr
    assert json.loads(changed.stdout.splitlines()[-1]) == [3, 8, [10, 3], 2, 300.0]


@pytest.mark.parametrize(
    "env",
    [
        {"LOTSA_DECISION_ESCALATION_WORKING_DAYS": "2"},  # not after the reminder
        {"LOTSA_PERMIT_ENDING_REMINDER_DAYS": "2,7"},  # second before first
        {"LOTSA_PERMIT_ENDING_REMINDER_DAYS": "7"},  # only one
        {"LOTSA_DRAFT_REMINDER_DAYS": "0"},
    ],
)
def test_inconsistent_thresholds_refuse_to_start(env):
    result = run_python("import django; django.setup()", DEBUG="true", **env)
    assert result.returncode != 0
    assert "Reflection-period thresholds are inconsistent" in result.stderr
