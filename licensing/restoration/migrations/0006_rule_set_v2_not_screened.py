from django.db import migrations
from django.db.models import Max
from django.utils import timezone

NOTE = (
    "Adds not_screened after embargoed_country: a subject not yet screened as it is now while a list is in force "
    "awaits its screening instead of being proposed restorable (or placed anywhere else); a hit still blocks and an "
    "E:1/E:2 tie still refuses first. With no list in force the rule is silent. Bulk intake screens what it imports "
    "and each screening triages its subjects again."
)


def _with_not_screened(rules):
    if any(entry.get("rule") == "not_screened" for entry in rules):
        return None
    names = [entry.get("rule") for entry in rules]
    # After the rules that speak whatever a screening finds: a hit blocks, an embargoed tie refuses.
    after = max(
        (names.index(name) for name in ("screening_open_hit", "embargoed_country") if name in names), default=-1
    )
    return [*rules[: after + 1], {"rule": "not_screened"}, *rules[after + 1 :]]


def add_version(apps, schema_editor):
    """A new version of the active rules with not_screened; the active one is retired, never edited."""
    TriageRuleSet = apps.get_model("restoration", "TriageRuleSet")
    active = TriageRuleSet.objects.filter(status="active").first()
    if active is None:
        return
    rules = _with_not_screened(active.rules)
    if rules is None:
        return
    now = timezone.now()
    version = (TriageRuleSet.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    active.status = "retired"
    active.save(update_fields=["status"])
    TriageRuleSet.objects.create(
        version=version,
        status="active",
        rules=rules,
        note=NOTE + f" (From version {active.version}.)",
        activated_at=now,
    )


class Migration(migrations.Migration):
    dependencies = [("restoration", "0005_import_screening_and_file_retention")]

    # Reversing leaves the versions: proposals name the one that made them.
    operations = [migrations.RunPython(add_version, migrations.RunPython.noop)]
