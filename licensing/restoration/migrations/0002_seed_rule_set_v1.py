from django.db import migrations
from django.utils import timezone

# Version 1 as first shipped; later versions are drafted and activated in the admin.
RULES_V1 = [
    {"rule": "screening_open_hit"},
    {"rule": "embargoed_country"},
    {"rule": "foreign_incorporation"},
    {"rule": "owned_by_foreign", "threshold": 25},
    {"rule": "us_incorporated_us_hq"},
    {"rule": "seat_citizenship_known"},
    {"rule": "us_person_status"},
    {"rule": "foreign_person_status"},
]


def seed(apps, schema_editor):
    TriageRuleSet = apps.get_model("restoration", "TriageRuleSet")
    if not TriageRuleSet.objects.filter(version=1).exists():
        TriageRuleSet.objects.create(
            version=1,
            status="active",
            rules=RULES_V1,
            note="The first rules: screening, embargo, incorporation, owners of 25% or more, personal status.",
            activated_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [("restoration", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
