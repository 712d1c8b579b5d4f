"""Billing's view of customers and persons, written through the parties services.

A PUT names the whole record, so these functions compose the services
(save, record a status, end a status) into one all-or-nothing change.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from licensing.parties.models import Customer, Person, StatusRecord
from licensing.parties.services import end_status, record_status, save_customer, save_person
from licensing.reference.models import Country

from .errors import UNPROCESSABLE


def put_customer(*, actor, external_id: str, data: dict) -> tuple[Customer, bool]:
    """Create or update the customer billing knows by `external_id`; returns (customer, created)."""
    fields = {
        "kind": data["kind"],
        "legal_name": data["legal_name"],
        "aliases": list(data["aliases"]),
        "country_of_incorporation_id": data["country_of_incorporation"],
        "headquarters_country_id": data["headquarters_country"],
    }
    try:
        return save_customer(actor=actor, external_id=external_id, **fields)
    except (IntegrityError, ValidationError) as error:
        # Two first PUTs of one customer raced and the other created it; this
        # one becomes an update of that record.
        if isinstance(error, ValidationError) and "external_id" not in getattr(error, "error_dict", {}):
            raise
        if not Customer.objects.filter(external_id=external_id).exists():
            raise
        return save_customer(actor=actor, external_id=external_id, **fields)


def put_person(*, actor, customer: Customer, external_id: str, data: dict) -> tuple[Person, bool]:
    """Create or update one of a customer's persons with their status history; returns (person, created)."""
    employer = Customer.objects.get(external_id=data["employer"]) if data["employer"] else None
    fields = {
        "relationship": data["relationship"],
        "given_name": data["given_name"],
        "family_name": data["family_name"],
        "email": data["email"],
        "location_country_id": data["location_country"],
        "employer": employer,
        "employer_name": data["employer_name"],
    }
    with transaction.atomic():
        # Locking the customer serialises PUTs of its persons, so two first
        # PUTs of the same person cannot both create it.
        Customer.objects.select_for_update(no_key=True).get(pk=customer.pk)
        person = Person.objects.filter(customer=customer, external_id=external_id).first()
        created = person is None
        if created:
            person = save_person(actor=actor, customer=customer, external_id=external_id, **fields)
        else:
            person = save_person(actor=actor, person=person, **fields)
        _merge_history(actor, person, StatusRecord.Kind.CITIZENSHIP, "citizenships", data["citizenships"])
        _merge_history(actor, person, StatusRecord.Kind.PERMANENT_RESIDENCY, "residencies", data["residencies"])
    return person, created


def _merge_history(actor, person: Person, kind: str, field: str, periods: list[dict]) -> None:
    recorded = {(r.country_id, r.acquired_on): r for r in person.status_records.filter(kind=kind)}
    countries = Country.objects.in_bulk({p["country"] for p in periods})
    for index, period in enumerate(periods):
        record = recorded.get((period["country"], period["acquired_on"]))
        ended_on = period["ended_on"]
        if record is None:
            try:
                record_status(
                    actor=actor,
                    person=person,
                    kind=kind,
                    country=countries[period["country"]],
                    acquired_on=period["acquired_on"],
                    ended_on=ended_on,
                )
            except ValidationError as error:
                # Named as sent: citizenships.0.acquired_on, not the model's acquired_on.
                raise ValidationError(
                    {
                        f"{field}.{index}.{name}": [ValidationError(m, code=UNPROCESSABLE) for m in messages]
                        for name, messages in error.message_dict.items()
                    }
                ) from error
        elif record.ended_on == ended_on:
            continue
        elif record.ended_on is None:
            end_status(actor=actor, record=record, ended_on=ended_on)
        else:
            message = (
                f"This period already ended on {record.ended_on}; a recorded end date is not changed "
                "or removed. Record a new period instead."
            )
            raise ValidationError({f"{field}.{index}.ended_on": ValidationError(message, code=UNPROCESSABLE)})
