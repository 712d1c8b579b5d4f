"""The shipped country groups agree with Supplement No. 1 to Part 740 as published."""

import datetime
import json
from pathlib import Path

from django.conf import settings

from licensing.reference.models import Country, CountryGroupMembership, groups_of

PUBLISHED = Path(settings.BASE_DIR) / "licensing" / "reference" / "data" / "ear" / "country-groups.json"


def _by_ear_name():
    # The supplement spells the Democratic Republic of the Congo two ways.
    names = {"Congo (Democratic Republic of)": "CD", "Congo (Democratic Republic of the)": "CD"}
    for country in Country.objects.all():
        names[country.ear_name or country.name] = country.code
    return names


def test_every_group_matches_the_ecfr_copy(db):
    published = json.loads(PUBLISHED.read_text())
    on = datetime.date.fromisoformat(published["ecfrIssueDate"])
    names = _by_ear_name()
    for group, members in published["groups"].items():
        expected = {names[name] for name in members}
        ours = set(
            CountryGroupMembership.objects.in_force_on(on).filter(group_id=group).values_list("country_id", flat=True)
        )
        assert ours == expected, group


def test_embargo_groups_hold_the_expected_destinations(db):
    on = datetime.date(2026, 11, 1)
    assert {c for c in ("IR", "KP", "SY", "CU") if groups_of(c, on) & {"E:1", "E:2"}} == {"IR", "KP", "SY", "CU"}
    assert groups_of("DE", on) & {"E:1", "E:2"} == set()
    # Macau is not in D:5 (the EAR names it beside D:5, not inside it).
    assert "D:5" not in groups_of("MO", on)


def test_memberships_are_dated(db):
    before_the_snapshot = datetime.date(2000, 1, 1)
    assert not CountryGroupMembership.objects.in_force_on(before_the_snapshot).exists()
