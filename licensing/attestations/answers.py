"""What an attestation asks, checked; and what its answers become on the subject's record.

An entity is asked where it is incorporated and headquartered, who owns 25% or
more of it (with their country and share), and the end use; a person (or an
individual customer, about its account holder) their citizenships, permanent
residencies and the end use. Answers fill in facts not yet recorded and add
the statuses and owners stated; an answer that contradicts a recorded fact is
kept beside it as a discrepancy for an officer, never written over it.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils import timezone

from licensing.parties import services as parties
from licensing.parties.models import Customer, Ownership, Person, StatusRecord
from licensing.reference.models import Country

OWNER_THRESHOLD = Decimal("25")
END_USE_MAX = 2000


def _country(code: str | None, field: str, errors: dict) -> str | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    if not Country.objects.filter(code=code).exists():
        errors.setdefault(field, []).append(f"{code!r} is not a known country code.")
        return None
    return code


def _date(value, field: str, errors: dict, today: datetime.date) -> datetime.date | None:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            errors.setdefault(field, []).append(f"{value!r} is not a date (YYYY-MM-DD).")
            return None
    if not isinstance(value, datetime.date):
        errors.setdefault(field, []).append("Give the date it was acquired.")
        return None
    if value > today:
        errors.setdefault(field, []).append(f"{value} is in the future.")
        return None
    return value


def clean_answers(*, about_person: bool, data: dict) -> dict:
    """Return the answers in their stored form (plain JSON), or raise ValidationError naming each field."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    end_use = (data.get("end_use") or "").strip()
    if not end_use:
        errors["end_use"] = ["Describe what the models will be used for."]
    elif len(end_use) > END_USE_MAX:
        errors["end_use"] = [f"Keep the end use under {END_USE_MAX} characters; it is {len(end_use)}."]
    cleaned: dict = {"end_use": end_use}
    if about_person:
        for field in ("citizenships", "permanent_residencies"):
            rows = []
            for row in data.get(field) or []:
                country = _country(row.get("country"), field, errors)
                since = _date(row.get("since"), field, errors, today)
                if country and since:
                    rows.append({"country": country, "since": since.isoformat()})
            cleaned[field] = rows
        if not cleaned["citizenships"] and "citizenships" not in errors:
            errors["citizenships"] = ["Give at least one citizenship and the date it was acquired."]
    else:
        incorporated = _country(data.get("country_of_incorporation"), "country_of_incorporation", errors)
        if incorporated is None and "country_of_incorporation" not in errors:
            errors["country_of_incorporation"] = ["Give the country where the organisation is incorporated."]
        cleaned["country_of_incorporation"] = incorporated
        cleaned["headquarters_country"] = _country(data.get("headquarters_country"), "headquarters_country", errors)
        owners = []
        for row in data.get("owners") or []:
            name = (row.get("name") or "").strip()
            try:
                share = Decimal(str(row.get("percentage"))).quantize(Decimal("0.01"))
            except Exception:
                errors.setdefault("owners", []).append(f"{row.get('percentage')!r} is not a percentage.")
                continue
            country = _country(row.get("country"), "owners", errors)
            if not name:
                errors.setdefault("owners", []).append("Name each owner.")
            elif not OWNER_THRESHOLD <= share <= 100:
                errors.setdefault("owners", []).append(f"{name}: list owners of 25% to 100%; {share}% is outside.")
            elif country is None and "owners" not in errors:
                errors.setdefault("owners", []).append(f"{name}: give the owner's country.")
            else:
                owners.append({"name": name[:300], "country": country, "percentage": str(share)})
        if sum((Decimal(str(o["percentage"])) for o in owners), Decimal(0)) > 100:
            errors.setdefault("owners", []).append("The owners' shares add up to more than 100%.")
        cleaned["owners"] = owners
    if errors:
        raise ValidationError(errors)
    return cleaned


def account_holder(customer: Customer) -> Person | None:
    return customer.persons.filter(relationship=Person.Relationship.ACCOUNT_HOLDER).order_by("pk").first()


def record_answers(*, attestation, answers: dict) -> dict:
    """Write the answers as facts on the subject; return what was written and what differs (stored on the attestation).

    Runs in the submission's transaction: a status the record refuses (a date
    before the person's birth) fails the whole submission, naming the field.
    """
    source = f"customer attestation #{attestation.pk}"
    recorded: dict = {"source": source, "status_records": [], "ownerships": [], "filled": {}, "discrepancies": []}
    if attestation.asks_about_a_person:
        person = attestation.person or account_holder(attestation.customer)
        if person is None:
            recorded["discrepancies"].append("No account holder is recorded for this customer; statuses not written.")
            return recorded
        _record_statuses(person, answers, recorded)
    else:
        _record_entity(attestation.customer, answers, recorded, source)
    return recorded


def _record_statuses(person: Person, answers: dict, recorded: dict) -> None:
    kinds = {
        "citizenships": StatusRecord.Kind.CITIZENSHIP,
        "permanent_residencies": StatusRecord.Kind.PERMANENT_RESIDENCY,
    }
    for field, kind in kinds.items():
        for row in answers.get(field, []):
            since = datetime.date.fromisoformat(row["since"])
            same = person.status_records.filter(kind=kind, country_id=row["country"])
            if same.filter(ended_on__isnull=True).exists():
                existing = same.filter(ended_on__isnull=True).first()
                if existing is not None and existing.acquired_on != since:
                    recorded["discrepancies"].append(
                        f"{kind.label} of {row['country']}: recorded from {existing.acquired_on}, "
                        f"attested from {since}."
                    )
                continue
            try:
                record = parties.record_status(
                    actor=None, person=person, kind=kind, country=Country(code=row["country"]), acquired_on=since
                )
            except ValidationError as error:
                raise ValidationError(
                    {field: [f"{row['country']} since {since}: {m}" for m in error.messages]}
                ) from None
            recorded["status_records"].append(record.pk)


def _record_entity(customer: Customer, answers: dict, recorded: dict, source: str) -> None:
    fill = {}
    for field in ("country_of_incorporation", "headquarters_country"):
        attested = answers.get(field)
        current = getattr(customer, f"{field}_id")
        if not attested:
            continue
        if current is None:
            fill[field] = Country(code=attested)
            recorded["filled"][field] = attested
        elif current != attested:
            recorded["discrepancies"].append(f"{field.replace('_', ' ')}: recorded {current}, attested {attested}.")
    if fill:
        parties.save_customer(actor=None, external_id=customer.external_id, **fill)
    for owner in answers.get("owners", []):
        name = owner["name"]
        known = Ownership.objects.filter(owned=customer).filter(
            Q(owner_name__iexact=name) | Q(owner__legal_name__iexact=name)
        )
        edge = known.first()
        if edge is not None:
            if edge.percentage != Decimal(owner["percentage"]):
                recorded["discrepancies"].append(
                    f"{name}: recorded {edge.percentage}%, attested {owner['percentage']}%."
                )
            continue
        held = Ownership.objects.filter(owned=customer).aggregate(total=Sum("percentage"))["total"] or 0
        if held + Decimal(owner["percentage"]) > 100:
            recorded["discrepancies"].append(
                f"{name} ({owner['percentage']}%) not recorded: owners already recorded hold {held}%."
            )
            continue
        edge = parties.record_ownership(
            actor=None,
            owned=customer,
            owner_name=name,
            percentage=Decimal(owner["percentage"]),
            verified_on=timezone.localdate(),
            source=f"{source}; owner's country {owner['country']}",
        )
        recorded["ownerships"].append(edge.pk)
