"""The triage rule set the migrations seed, put back for tests that need it.

A transactional test (the browser tests) empties every table when it ends,
the seeded rule set with them; tests that triage ask for it through here.
"""

import importlib

from django.apps import apps

from licensing.restoration.models import TriageRuleSet

_seeding = importlib.import_module("licensing.restoration.migrations.0002_seed_rule_set_v1")
_not_screened = importlib.import_module("licensing.restoration.migrations.0006_rule_set_v2_not_screened")


def ensure_seeded_rule_set() -> TriageRuleSet:
    if not TriageRuleSet.objects.active().exists():
        _seeding.seed(apps, None)
        _not_screened.add_version(apps, None)
    return TriageRuleSet.objects.active().get()
