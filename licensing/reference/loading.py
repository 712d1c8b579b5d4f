"""Load the shipped reference tables: ISO countries and the EAR country groups."""

import datetime
import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_countries() -> list[dict]:
    return json.loads((DATA_DIR / "countries.json").read_text())["countries"]


def read_country_groups() -> dict:
    return json.loads((DATA_DIR / "country_groups.json").read_text())


def load(Country, CountryGroup, CountryGroupMembership) -> None:
    """Create or refresh countries, groups and memberships; running it twice changes nothing."""
    countries = [Country(code=row["code"], name=row["name"], ear_name=row["ear_name"]) for row in read_countries()]
    Country.objects.bulk_create(
        countries, update_conflicts=True, unique_fields=["code"], update_fields=["name", "ear_name"]
    )
    data = read_country_groups()
    effective_from = datetime.date.fromisoformat(data["effective_from"])
    CountryGroup.objects.bulk_create(
        [CountryGroup(code=code, label=group["label"]) for code, group in data["groups"].items()],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["label"],
    )
    CountryGroupMembership.objects.bulk_create(
        [
            CountryGroupMembership(
                group_id=code, country_id=country, effective_from=effective_from, source=data["citation"]
            )
            for code, group in data["groups"].items()
            for country in group["countries"]
        ],
        ignore_conflicts=True,
    )
