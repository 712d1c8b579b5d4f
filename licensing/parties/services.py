"""Writes about customers and persons: each records an event and keeps the history."""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.reference.models import Country

from .models import Customer, CustomerAddress, Ownership, Person, PersonAddress, StatusRecord, Visa


def _require(actor: User | None, action: Action) -> None:
    if actor is not None and not user_can(actor, action):
        raise PermissionDenied(f"{actor} may not {Action(action).label.lower()}")


def save_customer(*, actor: User | None, external_id: str, **fields: Any) -> tuple[Customer, bool]:
    """Create or update the customer billing knows by `external_id`; returns (customer, created)."""
    _require(actor, Action.EDIT_PARTIES)
    with transaction.atomic():
        customer = Customer.objects.select_for_update(no_key=True).filter(external_id=external_id).first()
        created = customer is None
        customer = customer or Customer(external_id=external_id)
        before = {} if created else {name: _plain(getattr(customer, name)) for name in fields}
        for name, value in fields.items():
            setattr(customer, name, value)
        customer.full_clean()
        customer.save()
        after = {name: _plain(getattr(customer, name)) for name in fields}
        if created or before != after:
            record_event(
                actor=actor,
                verb="customer.created" if created else "customer.updated",
                target=customer,
                before={k: v for k, v in before.items() if after.get(k) != v},
                after={k: v for k, v in after.items() if before.get(k) != v},
            )
    return customer, created


def set_customer_status(*, actor: User | None, customer: Customer, status: str, reason: str) -> Customer:
    """Put a customer on hold, block it, or make it active again, with the reason."""
    _require(actor, Action.EDIT_PARTIES)
    with transaction.atomic():
        locked = Customer.objects.select_for_update(no_key=True).get(pk=customer.pk)
        before = locked.status
        locked.status = status
        locked.status_reason = reason
        locked.full_clean()
        locked.save(update_fields=["status", "status_reason", "updated_at"])
        record_event(
            actor=actor,
            verb="customer.status_changed",
            target=locked,
            before={"status": before},
            after={"status": status},
            reason=reason,
        )
    return locked


def save_person(*, actor: User | None, person: Person | None = None, **fields: Any) -> Person:
    """Create a person, or change the given one."""
    _require(actor, Action.EDIT_PARTIES)
    with transaction.atomic():
        created = person is None
        person = Person() if person is None else Person.objects.select_for_update(no_key=True).get(pk=person.pk)
        before = {} if created else {name: _plain(getattr(person, name)) for name in fields}
        for name, value in fields.items():
            setattr(person, name, value)
        person.full_clean()
        person.save()
        after = {name: _plain(getattr(person, name)) for name in fields}
        if created or before != after:
            record_event(
                actor=actor,
                verb="person.created" if created else "person.updated",
                target=person,
                before=before,
                after=after,
            )
    return person


def record_status(
    *,
    actor: User | None,
    person: Person,
    kind: str,
    country: Country,
    acquired_on: datetime.date,
    ended_on: datetime.date | None = None,
) -> StatusRecord:
    """Add a dated citizenship, permanent residency or protected status to a person's history."""
    _require(actor, Action.EDIT_PARTIES)
    with transaction.atomic():
        record = StatusRecord(person=person, kind=kind, country=country, acquired_on=acquired_on, ended_on=ended_on)
        record.full_clean()
        record.save()
        record_event(
            actor=actor,
            verb="person.status_recorded",
            target=person,
            after={"kind": kind, "country": record.country_id, "acquired_on": acquired_on, "ended_on": ended_on},
        )
    return record


def end_status(*, actor: User | None, record: StatusRecord, ended_on: datetime.date | None) -> StatusRecord:
    """Record the day a status ended (a renounced citizenship, an abandoned green card)."""
    _require(actor, Action.EDIT_PARTIES)
    with transaction.atomic():
        locked = StatusRecord.objects.select_for_update(no_key=True).get(pk=record.pk)
        locked.ended_on = ended_on
        locked.full_clean()
        locked.save(update_fields=["ended_on"])
        record_event(
            actor=actor,
            verb="person.status_ended",
            target=locked.person,
            after={"kind": locked.kind, "country": locked.country_id, "ended_on": ended_on},
        )
    return locked


def record_ownership(
    *,
    actor: User | None,
    owned: Customer,
    percentage: Decimal,
    verified_on: datetime.date,
    source: str,
    owner: Customer | None = None,
    owner_name: str = "",
) -> Ownership:
    """Record that an owner holds a share of a customer, as verified on a date."""
    _require(actor, Action.EDIT_PARTIES)
    with transaction.atomic():
        # Locked so two edges added at once cannot together exceed 100%.
        Customer.objects.select_for_update(no_key=True).get(pk=owned.pk)
        edge = Ownership(
            owned=owned,
            owner=owner,
            owner_name=owner_name,
            percentage=percentage,
            verified_on=verified_on,
            source=source,
        )
        edge.full_clean()
        edge.save()
        record_event(
            actor=actor,
            verb="customer.ownership_recorded",
            target=owned,
            after={
                "owner": owner.pk if owner else owner_name,
                "percentage": percentage,
                "verified_on": verified_on,
                "source": source,
            },
        )
    return edge


def register_person(*, actor: User | None, statuses: Iterable[Mapping[str, Any]] = (), **fields: Any) -> Person:
    """Create a person together with their citizenships and residencies, all or nothing.

    `statuses` holds dicts with kind, country, acquired_on and ended_on.
    """
    with transaction.atomic():
        person = save_person(actor=actor, **fields)
        for status in statuses:
            record_status(actor=actor, person=person, **status)
    return person


def save_customer_address(
    *, actor: User | None, customer: Customer, address: CustomerAddress | None = None, **fields: Any
) -> CustomerAddress:
    """Add an address to a customer, or change one of its addresses."""
    _require(actor, Action.EDIT_PARTIES)
    with transaction.atomic():
        created = address is None
        if address is None:
            address = CustomerAddress(customer=customer)
        else:
            address = CustomerAddress.objects.select_for_update(no_key=True).get(pk=address.pk, customer=customer)
        before = {} if created else {name: _plain(getattr(address, name)) for name in fields}
        for name, value in fields.items():
            setattr(address, name, value)
        address.full_clean()
        address.save()
        record_event(
            actor=actor,
            verb="customer.address_added" if created else "customer.address_changed",
            target=customer,
            before=before,
            after={name: _plain(getattr(address, name)) for name in fields},
        )
    return address


# Well-formed values the rules refuse (a date out of order, an expired visa): the API answers 422 for them.
REFUSED = "unprocessable"

ADDRESS_PARTS = ("line1", "line2", "city", "region", "postal_code", "country")

# A U.S. visa is valid for at most ten years; an expiry further out is a typing mistake.
LONGEST_VISA_YEARS = 10


def record_person_address(
    *, actor: User | None, person: Person, since_on: datetime.date | None = None, **parts: Any
) -> PersonAddress:
    """Record where a person lives from a day (today if none); the address they lived at before ends that day."""
    _require(actor, Action.EDIT_PARTIES)
    unknown = set(parts) - set(ADDRESS_PARTS)
    if unknown:
        raise ValidationError({name: "Not a part of an address." for name in sorted(unknown)})
    since_on = since_on or timezone.localdate()
    with transaction.atomic():
        # Locked so two moves recorded at once cannot both leave an open address behind.
        Person.objects.select_for_update(no_key=True).get(pk=person.pk)
        address = PersonAddress(person=person, since_on=since_on, **parts)
        address.full_clean()
        previous = list(PersonAddress.objects.filter(person=person, ended_on__isnull=True).order_by("since_on"))
        for earlier in previous:
            if earlier.since_on >= since_on:
                raise ValidationError(
                    {
                        "since_on": ValidationError(
                            f"{person} lives at {earlier} since {earlier.since_on}; "
                            "a new address starts after that day (correct the current one instead).",
                            code=REFUSED,
                        )
                    }
                )
        for earlier in previous:
            earlier.ended_on = since_on
            earlier.save(update_fields=["ended_on"])
        address.save()
        record_event(
            actor=actor,
            verb="person.address_recorded",
            target=person,
            before={"address": str(previous[-1]), "ended_on": since_on} if previous else {},
            after={**{name: _plain(getattr(address, name)) for name in ADDRESS_PARTS}, "since_on": since_on},
        )
    return address


def correct_person_address(*, actor: User | None, address: PersonAddress, **parts: Any) -> PersonAddress:
    """Correct the parts of a recorded address (a typing mistake, not a move)."""
    _require(actor, Action.EDIT_PARTIES)
    unknown = set(parts) - set(ADDRESS_PARTS)
    if unknown:
        raise ValidationError({name: "Not a part of an address." for name in sorted(unknown)})
    with transaction.atomic():
        locked = PersonAddress.objects.select_for_update(no_key=True).get(pk=address.pk)
        before = {name: _plain(getattr(locked, name)) for name in parts}
        for name, value in parts.items():
            setattr(locked, name, value)
        locked.full_clean()
        after = {name: _plain(getattr(locked, name)) for name in parts}
        if before != after:
            locked.save(update_fields=list(parts))
            record_event(
                actor=actor,
                verb="person.address_corrected",
                target=locked.person,
                before={k: v for k, v in before.items() if after[k] != v},
                after={k: v for k, v in after.items() if before[k] != v},
            )
    return locked


def record_visa(
    *, actor: User | None, person: Person, kind: str, number: str, expires_on: datetime.date | None
) -> Visa:
    """Record the visa a person holds now; it becomes their current visa and its expiry is reminded."""
    _require(actor, Action.EDIT_PARTIES)
    # The number is personal evidence: only those who may see it may record it.
    _require(actor, Action.VIEW_EVIDENCE)
    today = timezone.localdate()
    if expires_on is None:
        raise ValidationError({"expires_on": "Give the expiry date printed on the visa."})
    if expires_on < today:
        raise ValidationError(
            {
                "expires_on": ValidationError(
                    f"The visa expired on {expires_on}; record the visa {person} holds now.", code=REFUSED
                )
            }
        )
    if expires_on > _years_after(today, LONGEST_VISA_YEARS):
        raise ValidationError(
            {
                "expires_on": ValidationError(
                    f"{expires_on} is more than {LONGEST_VISA_YEARS} years away; check the expiry date.",
                    code=REFUSED,
                )
            }
        )
    # Printed with spaces or in lower case, it is still the same number.
    number = "".join((number or "").split()).upper()
    with transaction.atomic():
        visa = Visa(person=person, kind=kind, number=number, expires_on=expires_on, recorded_by=actor)
        visa.full_clean(exclude=["recorded_by"])
        visa.save()
        record_event(
            actor=actor,
            verb="person.visa_recorded",
            target=person,
            # The number identifies the person: the log keeps only enough to tell two visas apart.
            after={"visa": visa.pk, "kind": kind, "number": visa.masked_number, "expires_on": expires_on},
        )
    return visa


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        # 29 February in a year that has none.
        return day.replace(year=day.year + years, day=28)


def _plain(value: object) -> object:
    return value.pk if hasattr(value, "pk") else value
