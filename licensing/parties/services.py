"""Writes about customers and persons: each records an event and keeps the history."""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from licensing.accounts.models import User
from licensing.accounts.permissions import Action, user_can
from licensing.audit.services import record_event
from licensing.reference.models import Country

from .models import Customer, CustomerAddress, Ownership, Person, StatusRecord


def _require(actor: User | None, action: Action) -> None:
    if actor is not None and not user_can(actor, action):
        raise PermissionDenied(f"{actor} may not {Action(action).label.lower()}")


def save_customer(*, actor: User | None, external_id: str, **fields: Any) -> tuple[Customer, bool]:
    """Create or update the customer billing knows by `external_id`; returns (customer, created)."""
    _require(actor, Action.EDIT_PARTIES)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(external_id=external_id).first()
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
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
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
        person = Person() if person is None else Person.objects.select_for_update().get(pk=person.pk)
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
        locked = StatusRecord.objects.select_for_update().get(pk=record.pk)
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
        Customer.objects.select_for_update().get(pk=owned.pk)
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
            address = CustomerAddress.objects.select_for_update().get(pk=address.pk, customer=customer)
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


def _plain(value: object) -> object:
    return value.pk if hasattr(value, "pk") else value
