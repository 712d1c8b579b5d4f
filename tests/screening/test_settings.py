"""Screening settings come from the environment through the strict readers, and beat runs the screening tasks."""

import json
import os
import subprocess
import sys
from importlib import import_module
from pathlib import Path

from django.apps import apps as django_apps
from django_celery_beat.models import PeriodicTask

from licensing.celery import app
from licensing.screening.tasks import import_scheduled_lists, screen_unscreened_subjects

ROOT = Path(__file__).resolve().parent.parent.parent
PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps({name: getattr(settings, name) for name in dir(settings) if name.startswith('SCREENING_')}))"
)


def _settings_with(**environment):
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("SCREENING_")}
    env = {**inherited, "DJANGO_SETTINGS_MODULE": "licensing.settings.test", **environment}
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_beat_imports_the_scheduled_lists_and_screens_unscreened_subjects(db):
    # Installed by a migration into beat's database schedule, where administrators may move them.
    # Run here because a test that flushes the database takes migrations' rows with it.
    PeriodicTask.objects.all().delete()
    import_module("licensing.screening.migrations.0002_beat_schedule").install(django_apps, None)

    scheduled = set(PeriodicTask.objects.filter(enabled=True).values_list("task", flat=True))
    assert scheduled == {import_scheduled_lists.name, screen_unscreened_subjects.name}
    assert scheduled <= set(app.tasks)


def test_screening_settings_are_read_from_the_environment():
    result = _settings_with(
        SCREENING_MATCH_THRESHOLD="0.85",
        SCREENING_RESCREEN_BATCH_SIZE="250",
        SCREENING_CSL_SOURCE="https://lists.example/consolidated.csv",
        SCREENING_OFAC_SDN_SOURCE="/srv/lists/sdn.csv",
        SCREENING_OFAC_ALT_SOURCE="/srv/lists/alt.csv",
        SCREENING_OFAC_ADD_SOURCE="/srv/lists/add.csv",
    )
    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout)
    assert read["SCREENING_MATCH_THRESHOLD"] == 0.85
    assert read["SCREENING_RESCREEN_BATCH_SIZE"] == 250
    assert read["SCREENING_SCHEDULED_SOURCES"] == {
        "csl": {"list": "https://lists.example/consolidated.csv"},
        "ofac_sdn": {"sdn": "/srv/lists/sdn.csv", "alt": "/srv/lists/alt.csv", "add": "/srv/lists/add.csv"},
    }


def test_nothing_is_imported_on_schedule_until_a_source_is_set():
    result = _settings_with()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["SCREENING_SCHEDULED_SOURCES"] == {}


def test_a_malformed_screening_setting_stops_the_process():
    for environment, message in (
        ({"SCREENING_MATCH_THRESHOLD": "high"}, "SCREENING_MATCH_THRESHOLD='high' is not a number"),
        ({"SCREENING_MATCH_THRESHOLD": "1.5"}, "must be at most 1.0"),
        ({"SCREENING_MAX_HITS_PER_SUBJECT": "0"}, "must be at least 1"),
        ({"SCREENING_OFAC_SDN_SOURCE": "/srv/lists/sdn.csv"}, "must be set together"),
    ):
        result = _settings_with(**environment)
        assert result.returncode != 0 and message in result.stderr, (environment, result.stderr[-500:])
