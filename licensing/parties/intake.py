"""Writing many customers, seats, owners and addresses at once, for bulk intake of a customer book.

The one-at-a-time services (services.py) lock, validate and record an event
per record: right for a page, hours for a book of 100,000 customers. These
writers take rows already checked field by field (licensing.restoration's
intake checker), match them to what is stored by billing's ids or a natural
key, write only what is new or changed with bulk statements, and record one
event per call that names every record written. Writing the same rows again
changes nothing and records nothing.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Sum
from django.utils import timezone

from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event

from .models import Customer, CustomerAddress, Ownership, Person, StatusRecord

CUSTOMER_FIELDS = ("kind", "legal_name", "country_of_incorporation_id", "headquarters_country_id", "aliases")
PERSON_FIELDS = (
    "relationship",
    "given_name",
    "family_name",
    "location_country_id",
    "email",
    "date_of_birth",
    "employer_id",
)
ADDRESS_KEY = ("customer_id", "kind", "line1", "postal_code", "country_id")
ADDRESS_FIELDS = ("line2", "city", "region")
OWNERSHIP_FIELDS = ("percentage", "verified_on", "source")


@dataclass
class Written:
    """What one bulk write did: ids created and changed, and how many rows were already as given."""

    created: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    unchanged: int = 0
    # The customers or persons the rows are about (for triage afterwards).
    subjects: list[int] = field(default_factory=list)

    def as_counts(self) -> dict[str, int]:
        return {"created": len(self.created), "changed": len(self.changed), "unchanged": self.unchanged}


def _require(actor) -> None:
    if actor is not None and not user_can(actor, Action.EDIT_PARTIES):
        raise PermissionDenied(f"{actor} may not {Action.EDIT_PARTIES.label.lower()}")


def _record(actor, source: models.Model, kind: str, written: Written) -> None:
    if written.created or written.changed:
        record_event(
            actor=actor,
            verb="parties.bulk_saved",
            target=source,
            after={"kind": kind, **written.as_counts(), "created_ids": written.created, "changed_ids": written.changed},
        )


def _differs(stored: dict[str, Any], row: dict[str, Any], names: Iterable[str]) -> bool:
    return any(stored[name] != row[name] for name in names)


def bulk_save_customers(*, actor, rows: Sequence[dict[str, Any]], source: models.Model) -> Written:
    """Create or update customers by billing's id (`external_id`); one event names them all."""
    _require(actor)
    written, now = Written(), timezone.now()
    with transaction.atomic():
        ids = [row["external_id"] for row in rows]
        locked = Customer.objects.select_for_update(no_key=True).filter(external_id__in=ids)
        stored = {c["external_id"]: c for c in locked.values("pk", "external_id", *CUSTOMER_FIELDS)}
        fresh, changed = [], []
        for row in rows:
            current = stored.get(row["external_id"])
            if current is None:
                fresh.append(Customer(external_id=row["external_id"], **{n: row[n] for n in CUSTOMER_FIELDS}))
            elif _differs(current, row, CUSTOMER_FIELDS):
                changed.append(Customer(pk=current["pk"], updated_at=now, **{n: row[n] for n in CUSTOMER_FIELDS}))
            else:
                written.unchanged += 1
        Customer.objects.bulk_create(fresh)
        if changed:
            Customer.objects.bulk_update(changed, [*CUSTOMER_FIELDS, "updated_at"])
        written.created = [c.pk for c in fresh]
        written.changed = [c.pk for c in changed]
        written.subjects = sorted({*written.created, *(c["pk"] for c in stored.values())})
        _record(actor, source, "customers", written)
    return written


def bulk_save_seats(*, actor, rows: Sequence[dict[str, Any]], source: models.Model) -> Written:
    """Create or update a customer's persons by (customer, billing's person id), adding statuses not yet recorded."""
    _require(actor)
    written, now = Written(), timezone.now()
    with transaction.atomic():
        customer_ids = {row["customer_id"] for row in rows}
        stored = {
            (p["customer_id"], p["external_id"]): p
            for p in Person.objects.select_for_update(no_key=True)
            .filter(customer_id__in=customer_ids, external_id__in=[row["external_id"] for row in rows])
            .values("pk", "customer_id", "external_id", *PERSON_FIELDS)
        }
        fresh, changed = [], []
        for row in rows:
            key = (row["customer_id"], row["external_id"])
            current = stored.get(key)
            values = {n: row[n] for n in PERSON_FIELDS}
            if current is None:
                fresh.append(Person(customer_id=row["customer_id"], external_id=row["external_id"], **values))
            elif _differs(current, row, PERSON_FIELDS):
                changed.append(Person(pk=current["pk"], updated_at=now, **values))
            else:
                written.unchanged += 1
        created_ids = _insert_persons(fresh)
        if changed:
            Person.objects.bulk_update(changed, [*PERSON_FIELDS, "updated_at"])
        person_ids = {key: created_ids.get(key) or stored[key]["pk"] for key in map(_seat_key, rows)}
        statuses_added = _add_statuses(rows, person_ids)
        written.created = sorted(created_ids.values())
        written.changed = sorted({p.pk for p in changed} | statuses_added)
        written.unchanged -= len(statuses_added - {p.pk for p in changed})
        written.subjects = sorted(set(person_ids.values()))
        _record(actor, source, "seats", written)
    return written


def _seat_key(row: dict[str, Any]) -> tuple[int, str]:
    return (row["customer_id"], row["external_id"])


def _add_statuses(rows: Sequence[dict[str, Any]], person_ids: dict[tuple[int, str], int]) -> set[int]:
    # History is only added to: a status already recorded (same kind, country and day) is left as it is.
    recorded = set(
        StatusRecord.objects.filter(person_id__in=person_ids.values()).values_list(
            "person_id", "kind", "country_id", "acquired_on"
        )
    )
    new = []
    for row in rows:
        person_id = person_ids[_seat_key(row)]
        for status in row.get("statuses", ()):
            key = (person_id, status["kind"], status["country_id"], status["acquired_on"])
            if key not in recorded:
                recorded.add(key)
                new.append(StatusRecord(person_id=person_id, **status))
    copy_insert(new)
    return {record.person_id for record in new}


def _insert_persons(fresh: list[Person]) -> dict[tuple[int | None, str], int]:
    """Insert new persons; return their ids by (customer, billing's person id)."""
    if connection.vendor != "postgresql":
        Person.objects.bulk_create(fresh)
        return {(p.customer_id, p.external_id): p.pk for p in fresh}
    copy_insert(fresh)
    wanted = {(p.customer_id, p.external_id) for p in fresh}
    found = Person.objects.filter(
        customer_id__in={c for c, _ in wanted}, external_id__in={e for _, e in wanted}
    ).values_list("customer_id", "external_id", "pk")
    return {(c, e): pk for c, e, pk in found if (c, e) in wanted}


def copy_insert(objs: Sequence[models.Model]) -> None:
    """Insert new rows of one model; on PostgreSQL with COPY, which builds no INSERT statement and returns no ids.

    Each value is prepared as `save()` would (auto_now stamps, defaults), so the rows are the ones
    bulk_create would write; only the primary keys stay unset on the objects.
    """
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    prepare = [_preparer(f) for f in fields]
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for obj in objs:
            copy.write_row([p(obj) for p in prepare])


# Values of these types go to PostgreSQL as they are: for them, and for fields of these kinds without
# auto_now stamps, Django's preparation gives back the value unchanged, at a cost per cell that added
# up to most of the COPY's time on a book of seats.
_AS_THEY_ARE: dict[type[models.Field], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.ForeignKey: (int, str),
}


def _preparer(f: models.Field):
    def full(obj: models.Model) -> Any:
        return f.get_db_prep_save(f.pre_save(obj, True), connection)

    kinds = next((types for kind, types in _AS_THEY_ARE.items() if isinstance(f, kind)), None)
    is_plain_date = type(f) is models.DateField and not (f.auto_now or f.auto_now_add)  # type: ignore[attr-defined]
    if kinds is None and not is_plain_date:
        return full
    attname, passed = f.attname, kinds or ()

    def plain(obj: models.Model) -> Any:
        value = getattr(obj, attname)
        if value is None:
            return None
        if is_plain_date:
            # A datetime is a date too, but Django would cut it to its day.
            return value if type(value) is datetime.date else full(obj)
        return value if type(value) in passed else full(obj)

    return plain


def bulk_save_addresses(*, actor, rows: Sequence[dict[str, Any]], source: models.Model) -> Written:
    """Add customers' addresses, matched by customer, kind, first line, postcode and country."""
    _require(actor)
    written = Written()
    with transaction.atomic():
        stored = {
            tuple(a[n] for n in ADDRESS_KEY): a
            for a in CustomerAddress.objects.select_for_update(no_key=True)
            .filter(customer_id__in={row["customer_id"] for row in rows})
            .values("pk", *ADDRESS_KEY, *ADDRESS_FIELDS)
        }
        fresh, changed = [], []
        for row in rows:
            current = stored.get(tuple(row[n] for n in ADDRESS_KEY))
            if current is None:
                fresh.append(CustomerAddress(**{n: row[n] for n in (*ADDRESS_KEY, *ADDRESS_FIELDS)}))
            elif _differs(current, row, ADDRESS_FIELDS):
                changed.append(CustomerAddress(pk=current["pk"], **{n: row[n] for n in ADDRESS_FIELDS}))
            else:
                written.unchanged += 1
        CustomerAddress.objects.bulk_create(fresh)
        if changed:
            CustomerAddress.objects.bulk_update(changed, list(ADDRESS_FIELDS))
        written.created = [a.pk for a in fresh]
        written.changed = [a.pk for a in changed]
        written.subjects = sorted({row["customer_id"] for row in rows})
        _record(actor, source, "addresses", written)
    return written


def bulk_record_ownership(*, actor, rows: Sequence[dict[str, Any]], source: models.Model) -> Written:
    """Record owners' shares, matched by owned customer and owner; the shares of a customer stay within 100%."""
    _require(actor)
    written = Written()
    with transaction.atomic():
        owned_ids = sorted({row["owned_id"] for row in rows})
        # Locked, as record_ownership does, so edges added at once cannot together exceed 100%.
        list(Customer.objects.select_for_update(no_key=True).filter(pk__in=owned_ids).values_list("pk", flat=True))
        stored = {
            (e["owned_id"], e["owner_id"], e["owner_name"]): e
            for e in Ownership.objects.filter(owned_id__in=owned_ids).values(
                "pk", "owned_id", "owner_id", "owner_name", *OWNERSHIP_FIELDS
            )
        }
        fresh, changed = [], []
        for row in rows:
            key = (row["owned_id"], row["owner_id"], row["owner_name"] if row["owner_id"] is None else "")
            current = stored.get(key)
            if current is None:
                fresh.append(Ownership(owned_id=key[0], owner_id=key[1], owner_name=key[2], **_share(row)))
            elif _differs(current, row, OWNERSHIP_FIELDS):
                changed.append(Ownership(pk=current["pk"], **_share(row)))
            else:
                written.unchanged += 1
        Ownership.objects.bulk_create(fresh)
        if changed:
            Ownership.objects.bulk_update(changed, list(OWNERSHIP_FIELDS))
        over = (
            Ownership.objects.filter(owned_id__in=owned_ids)
            .values("owned_id")
            .annotate(total=Sum("percentage"))
            .filter(total__gt=100)
            .order_by("owned_id")
            .first()
        )
        if over is not None:
            raise ValidationError({"percentage": f"Owners of customer {over['owned_id']} would hold {over['total']}%."})
        written.created = [e.pk for e in fresh]
        written.changed = [e.pk for e in changed]
        written.subjects = owned_ids
        _record(actor, source, "ownership", written)
    return written


def _share(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in OWNERSHIP_FIELDS}
