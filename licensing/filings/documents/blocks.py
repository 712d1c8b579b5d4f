"""The pieces the documents are made of: numbered blocks, party blocks, item lines, check boxes."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from licensing.cases.models import ApplicationItem, ApplicationParty
from licensing.parties.models import address_held_on


class MissingInformation(Exception):
    """The application lacks something a document needs; rendering again will not help.

    `field` names what is missing, in the application's terms, so the error
    can be shown beside the thing to fix.
    """

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Block:
    """One numbered box of a form: its number, its printed label, and what is filled in."""

    number: str
    label: str
    value: str = ""

    @property
    def empty(self) -> bool:
        return not str(self.value).strip()

    @property
    def heading(self) -> str:
        return f"{self.number} {self.label}" if self.number else self.label


@dataclass(frozen=True)
class CheckBox:
    label: str
    checked: bool


@dataclass(frozen=True)
class PartyBlock:
    """A party box (blocks 14 to 20 of the BIS-748P, block 19 again on the BIS-748P-B)."""

    number: str
    label: str
    fields: tuple[Block, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return all(f.empty for f in self.fields)

    @property
    def heading(self) -> str:
        return f"{self.number} {self.label}"

    @property
    def name(self) -> str:
        return self.fields[0].value if self.fields else ""


PARTY_FIELD_LABELS = ("Name", "Address", "City", "Postal code", "Country", "Telephone", "Website")


def party_block(
    number: str, label: str, party: ApplicationParty | None, *, on: datetime.date | None = None
) -> PartyBlock:
    if party is None:
        values = [""] * len(PARTY_FIELD_LABELS)
    else:
        values = [party.name, *party_address(party, on), party.telephone, party.website]
    return PartyBlock(
        number, label, tuple(Block("", text, value) for text, value in zip(PARTY_FIELD_LABELS, values, strict=True))
    )


def party_address(party: ApplicationParty, on: datetime.date | None) -> tuple[str, str, str, str]:
    """Address, city, postal code and country; a person named without one typed in lives where recorded on `on`."""
    own = (party.address, party.city, party.postal_code, party.country.name if party.country_id else "")
    if party.address.strip() or party.person_id is None:
        return own
    # A foreign national in a deemed export (block 19): the address on their person record.
    home = address_held_on(party.person_id, on or timezone.localdate())
    if home is None:
        return own
    return (home.street, home.locality, home.postal_code, home.country.name)


# Block 22's sub-blocks, lettered as on the form.
ITEM_FIELDS = (
    ("a", "ECCN", "eccn"),
    ("b", "CTP", "ctp"),
    ("c", "Model number", "model_number"),
    ("d", "CCATS number", "ccats_number"),
    ("e", "Quantity", "quantity"),
    ("f", "Units", "units"),
    ("g", "Unit price", "unit_price"),
    ("h", "Total price", "total_price"),
    ("i", "Manufacturer", "manufacturer"),
    ("j", "Technical description", "technical_description"),
)
MONEY_FIELDS = {"unit_price", "total_price"}


@dataclass(frozen=True)
class ItemBlock:
    position: int
    fields: dict[str, Block]

    @property
    def empty(self) -> bool:
        return all(b.empty for b in self.fields.values())


def item_block(line: ApplicationItem | None, *, currency: str = "USD") -> ItemBlock:
    fields = {}
    for letter, label, name in ITEM_FIELDS:
        raw = getattr(line, name) if line is not None else None
        if name in MONEY_FIELDS:
            value = money(raw, currency)
        elif name == "quantity":
            value = number(raw)
        else:
            value = raw or ""
        fields[letter] = Block(f"({letter})", label, value)
    return ItemBlock(line.position if line is not None else 1, fields)


def number(value) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def money(value, currency: str = "USD") -> str:
    if value is None:
        return ""
    return f"{currency} {Decimal(value):,.2f}"


def checkboxes(choices, selected) -> list[CheckBox]:
    chosen = set(selected or ())
    return [CheckBox(label, value in chosen) for value, label in choices]


def date_text(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""
