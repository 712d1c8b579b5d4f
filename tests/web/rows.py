"""Many rows of every listed kind at once, for tests that count queries against table size."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from licensing.cases.models import Decision, Licence, LicenceApplication, Transaction
from licensing.determinations.models import DeterminationTask, ForeignPersonDetermination
from licensing.parties.models import Customer, Person, StatusRecord
from licensing.reference.models import Activity

_serial = itertools.count(1)
A = LicenceApplication.Status


def add_rows(n: int, *, officer, item) -> None:
    """Add n customers, persons (with a citizenship), determinations, tasks, transactions,
    applications and licences, with enough variety to fill every dashboard panel."""
    today = timezone.localdate()
    now = timezone.now()
    batch = [next(_serial) for _ in range(n)]
    customers = Customer.objects.bulk_create(
        Customer(
            external_id=f"BULK-{i:06d}",
            kind=Customer.Kind.ENTITY,
            legal_name=f"Bulk Customer {i:06d} GmbH",
            country_of_incorporation_id="DE",
            headquarters_country_id="DE",
        )
        for i in batch
    )
    persons = Person.objects.bulk_create(
        Person(
            customer=customer,
            external_id=f"BP-{i:06d}",
            relationship=Person.Relationship.CUSTOMER_USER,
            given_name=f"Given{i}",
            family_name="Bulk",
            location_country_id="US",
        )
        for i, customer in zip(batch, customers, strict=True)
    )
    StatusRecord.objects.bulk_create(
        StatusRecord(
            person=person, kind=StatusRecord.Kind.CITIZENSHIP, country_id="FR", acquired_on=datetime.date(1990, 1, 1)
        )
        for person in persons
    )
    ForeignPersonDetermination.objects.bulk_create(
        ForeignPersonDetermination(
            person=person,
            status=ForeignPersonDetermination.Status.IN_REVIEW,
            outcome="foreign_person",
            basis="foreign_citizenship",
            attribution_country_id="FR",
            effective_on=today,
            review_by=today + datetime.timedelta(days=365),
            prepared_by=officer,
        )
        for person in persons
    )
    DeterminationTask.objects.bulk_create(
        DeterminationTask(person=person, reason="Pending determination", assigned_to=officer) for person in persons
    )
    decisions = itertools.cycle([Decision.HOLD, Decision.LICENCE_REQUIRED, Decision.AUTHORISED, Decision.REFUSED])
    transactions = Transaction.objects.bulk_create(
        Transaction(
            external_id=f"BTX-{i:06d}",
            customer=customer,
            person=person,
            item=item,
            activity=Activity.DEEMED_EXPORT,
            destination_country_id="US",
            value=Decimal("1000.00"),
            requested_at=now - datetime.timedelta(days=i % 20),
            decision=next(decisions),
            decision_reasons=["Bulk row."],
            decided_at=now,
        )
        for i, customer, person in zip(batch, customers, persons, strict=True)
    )
    statuses = itertools.cycle([A.DRAFT, A.IN_REVIEW, A.REGISTERED, A.APPROVED])
    applications = LicenceApplication.objects.bulk_create(
        LicenceApplication(
            transaction=record,
            customer=record.customer,
            person=record.person,
            status=next(statuses),
            application_type="export",
            assigned_officer=officer,
        )
        for record in transactions
    )
    Licence.objects.bulk_create(
        Licence(
            number=f"DB{i:06d}",
            application=application,
            customer=application.customer,
            person=application.person,
            item=item,
            activity=Activity.DEEMED_EXPORT,
            country_id="FR",
            valid_from=today - datetime.timedelta(days=100),
            valid_until=today + datetime.timedelta(days=10 + i % 60),
        )
        for i, application in zip(batch, applications, strict=True)
    )
