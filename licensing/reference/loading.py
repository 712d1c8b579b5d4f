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
    for row in read_countries():
        Country.objects.update_or_create(code=row["code"], defaults={"name": row["name"], "ear_name": row["ear_name"]})
    data = read_country_groups()
    effective_from = datetime.date.fromisoformat(data["effective_from"])
    for code, group in data["groups"].items():
        CountryGroup.objects.update_or_create(code=code, defaults={"label": group["label"]})
        for country in group["countries"]:
            CountryGroupMembership.objects.get_or_create(
                group_id=code,
                country_id=country,
                effective_from=effective_from,
                defaults={"source": data["citation"]},
            )
