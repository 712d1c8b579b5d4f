"""The columns of each kind of intake file, and how each cell is read.

Each reader takes the cell as text (or as the date or number an XLSX cell
holds) and returns the value to store, or raises ValueError with the problem
in words an officer can act on.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models

from licensing.parties.models import Customer, CustomerAddress, Person


class FileKind(models.TextChoices):
    CUSTOMERS = "customers", "Customers"
    SEATS = "seats", "Seats (a customer's named users)"
    OWNERSHIP = "ownership", "Ownership edges"
    ADDRESSES = "addresses", "Addresses"


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def text(limit: int) -> Callable[[Any], str]:
    def read(value: Any) -> str:
        if len(value) > limit:
            raise ValueError(f"is {len(value):,} characters long; at most {limit:,}")
        return value

    return read


def date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not _ISO_DATE.match(value):
        raise ValueError(f"{value[:40]!r} is not a date written YYYY-MM-DD")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a day on the calendar") from None


def percentage(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation:
        raise ValueError(f"{str(value)[:40]!r} is not a number") from None
    if not number.is_finite() or not 0 < number <= 100:
        raise ValueError(f"{value} is not more than 0 and at most 100")
    return number.quantize(Decimal("0.01"))


def choice(choices: type[models.TextChoices]) -> Callable[[Any], str]:
    def read(value: Any) -> str:
        value = value.lower()
        if value not in choices.values:
            raise ValueError(f"{value[:40]!r} is not one of {', '.join(choices.values)}")
        return value

    return read


def email(value: Any) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise ValueError(f"{value[:60]!r} is not an e-mail address") from None
    return value


def aliases(value: Any) -> list[str]:
    names = [name.strip() for name in value.split(";") if name.strip()]
    if any(len(name) > 300 for name in names):
        raise ValueError("an alias is longer than 300 characters")
    return names


# A country cell is checked against the countries table by the checker, which loads it once.
COUNTRY = "country"


@dataclass(frozen=True)
class Column:
    name: str
    read: Callable[[Any], Any] | str
    required: bool = False
    # The model field the value is stored in, when it differs from the column's name.
    field: str = ""

    @property
    def target(self) -> str:
        return self.field or self.name


SCHEMAS: dict[str, tuple[Column, ...]] = {
    FileKind.CUSTOMERS: (
        Column("external_id", text(100), required=True),
        Column("kind", choice(Customer.Kind), required=True),
        Column("legal_name", text(300), required=True),
        Column("country_of_incorporation", COUNTRY, field="country_of_incorporation_id"),
        Column("headquarters_country", COUNTRY, field="headquarters_country_id"),
        Column("aliases", aliases),
    ),
    FileKind.SEATS: (
        Column("customer_external_id", text(100), required=True),
        Column("external_id", text(100), required=True),
        Column("given_name", text(150), required=True),
        Column("family_name", text(150), required=True),
        Column("location_country", COUNTRY, required=True, field="location_country_id"),
        Column("relationship", choice(Person.Relationship)),
        Column("email", email),
        Column("date_of_birth", date),
        Column("citizenship", COUNTRY),
        Column("citizenship_acquired_on", date),
        Column("permanent_residency", COUNTRY),
        Column("permanent_residency_acquired_on", date),
    ),
    FileKind.OWNERSHIP: (
        Column("owned_external_id", text(100), required=True),
        Column("owner_external_id", text(100)),
        Column("owner_name", text(300)),
        Column("percentage", percentage, required=True),
        Column("verified_on", date, required=True),
        Column("source", text(300), required=True),
    ),
    FileKind.ADDRESSES: (
        Column("customer_external_id", text(100), required=True),
        Column("kind", choice(CustomerAddress.Kind), required=True),
        Column("line1", text(200), required=True),
        Column("line2", text(200)),
        Column("city", text(100), required=True),
        Column("region", text(100)),
        Column("postal_code", text(20)),
        Column("country", COUNTRY, required=True, field="country_id"),
    ),
}
