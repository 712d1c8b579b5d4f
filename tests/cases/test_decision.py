"""The decision rules, one row per branch."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from licensing.cases.models import Decision, LicenceApplication
from licensing.cases.services import applications, licences
from licensing.cases.services.transactions import decide_transaction
from licensing.determinations.models import DeterminationTask
from licensing.parties.models import Customer, StatusRecord
from licensing.parties.services import set_customer_status
from licensing.reference.models import Activity, CountryGroup, CountryGroupMembership, LicenceRequirement
from tests.ready_to_file import complete_application

from ..factories import CustomerFactory, PersonFactory, add_status, approved_determination, letter, transaction

C, PR, PI = StatusRecord.Kind.CITIZENSHIP, StatusRecord.Kind.PERMANENT_RESIDENCY, StatusRecord.Kind.PROTECTED_INDIVIDUAL


@dataclass
class World:
    officer: object
    reviewer: object
    item: object
    today: datetime.date

    @property
    def last_month(self) -> datetime.date:
        return self.today - datetime.timedelta(days=30)

    def determined(self, subject, effective_on=None, review_by=None):
        effective_on = self.last_month if effective_on is None else effective_on
        approved_determination(
            subject, preparer=self.officer, reviewer=self.reviewer, effective_on=effective_on, review_by=review_by
        )
        return subject

    def entity(self, country, **kwargs):
        return CustomerFactory(country_of_incorporation_id=country, **kwargs)

    def researcher(self, *statuses):
        lab = self.determined(self.entity("US", legal_name="Great Lakes University AI Lab"))
        person = PersonFactory(customer=lab, employer=lab)
        for kind, country, acquired in statuses:
            add_status(person, kind, country, acquired)
        return lab, person

    def licensed(self, record, *, valid_from=None, valid_until=None, quantity=None):
        valid_from = self.last_month if valid_from is None else valid_from
        application = LicenceApplication.objects.get(transaction=record)
        application = applications.update_application(
            actor=self.officer, application=application, signer_name="O. Officer", signer_title="Officer"
        )
        application = applications.submit_application_for_review(
            actor=self.officer, application=complete_application(application)
        )
        application = applications.approve_for_filing(actor=self.reviewer, application=application)
        application = applications.record_submission(
            actor=self.officer, application=application, control_number="Z123456"
        )
        application = applications.record_registration(actor=self.officer, application=application)
        return licences.record_approval(
            actor=self.officer,
            application=application,
            licence_number=f"D{record.pk:06d}",
            valid_from=valid_from,
            valid_until=valid_until,
            authorised_quantity=quantity,
        )


def us_company_exports_at_home(w):
    return transaction(w.determined(w.entity("US")), w.item, country="US")


def german_university_without_licence(w):
    return transaction(w.determined(w.entity("DE", legal_name="Universität Rheinland")), w.item)


def german_university_with_its_licence(w):
    record = german_university_without_licence(w)
    w.licensed(record)
    return record


def licence_that_has_expired(w):
    record = german_university_without_licence(w)
    w.licensed(record, valid_from=datetime.date(2021, 1, 4), valid_until=datetime.date(2025, 1, 6))
    return record


def licence_used_up(w):
    record = transaction(w.determined(w.entity("DE")), w.item, quantity=Decimal("5"))
    licence = w.licensed(record, quantity=Decimal("10"))
    licence.quantity_used = Decimal("8")
    licence.save(update_fields=["quantity_used"])
    return record


def licence_for_another_transaction(w):
    customer = w.determined(w.entity("JP"))
    first = transaction(customer, w.item, external_id="TX-FIRST")
    w.licensed(first)
    return transaction(customer, w.item, external_id="TX-SECOND")


def customer_never_determined(w):
    return transaction(w.entity("GB"), w.item)


def determination_past_review_by(w):
    customer = w.determined(
        w.entity("FR"),
        effective_on=w.today - datetime.timedelta(days=400),
        review_by=w.today - datetime.timedelta(days=35),
    )
    return transaction(customer, w.item)


def destination_in_e1(w):
    return transaction(w.entity("IR"), w.item, country="IR")


def destination_in_e2(w):
    return transaction(w.determined(w.entity("CA")), w.item, country="CU")


def blocked_customer(w):
    customer = w.determined(w.entity("US"))
    set_customer_status(actor=w.officer, customer=customer, status=Customer.Status.BLOCKED, reason="Diversion risk")
    return transaction(customer, w.item, country="US")


def customer_on_hold(w):
    customer = w.determined(w.entity("US"))
    set_customer_status(actor=w.officer, customer=customer, status=Customer.Status.ON_HOLD, reason="KYC refresh")
    return transaction(customer, w.item, country="US")


def deemed_export_to_dual_national(w):
    lab, person = w.researcher((C, "RU", "1990-01-10"), (C, "IL", "2015-06-01"))
    w.determined(person)
    return transaction(lab, w.item, person=person, activity=Activity.DEEMED_EXPORT, country="US")


def green_card_after_citizenship(w):
    lab, person = w.researcher((C, "CN", "1992-08-20"), (PR, "US", str(w.today - datetime.timedelta(days=40))))
    w.determined(person)
    return transaction(lab, w.item, person=person, activity=Activity.DEEMED_EXPORT, country="US")


def foreign_residency_after_citizenship(w):
    lab, person = w.researcher((C, "IN", "1990-02-02"), (PR, "CA", "2019-04-01"))
    w.determined(person)
    return transaction(lab, w.item, person=person, activity=Activity.DEEMED_EXPORT, country="US")


def weeks_from_a_green_card(w):
    lab, person = w.researcher((C, "BR", "1991-03-03"), (PR, "US", str(w.today + datetime.timedelta(days=21))))
    w.determined(person)
    return transaction(lab, w.item, person=person, activity=Activity.DEEMED_EXPORT, country="US")


def protected_individual(w):
    lab, person = w.researcher((C, "AF", "1985-01-01"), (PI, "US", "2022-09-01"))
    w.determined(person)
    return transaction(lab, w.item, person=person, activity=Activity.DEEMED_EXPORT, country="US")


def deemed_export_to_iranian_national(w):
    lab, person = w.researcher((C, "IR", "1989-07-07"))
    w.determined(person)
    return transaction(lab, w.item, person=person, activity=Activity.DEEMED_EXPORT, country="US")


def person_determination_missing(w):
    lab, person = w.researcher((C, "KR", "1993-01-01"))
    return transaction(lab, w.item, person=person, activity=Activity.DEEMED_EXPORT, country="US")


def requirement_not_yet_in_force(w):
    LicenceRequirement.objects.update(effective_from=w.today + datetime.timedelta(days=10))
    return german_university_without_licence(w)


def country_group_letter_covers_d1(w):
    LicenceRequirement.objects.update(scope=LicenceRequirement.Scope.COUNTRY_GROUPS)
    LicenceRequirement.objects.get().country_groups.set([CountryGroup.objects.get(code="D:1")])
    return transaction(w.determined(w.entity("VN")), w.item)


def country_group_letter_spares_japan(w):
    LicenceRequirement.objects.update(scope=LicenceRequirement.Scope.COUNTRY_GROUPS)
    LicenceRequirement.objects.get().country_groups.set([CountryGroup.objects.get(code="D:1")])
    return transaction(w.determined(w.entity("JP")), w.item)


def entity_licence_covers_its_employee(w):
    # 750.7(a)(3); only where the letter does not demand one application per transaction.
    LicenceRequirement.objects.update(application_per_transaction=False)
    company = w.determined(w.entity("DE"))
    w.licensed(transaction(company, w.item, external_id="TX-ENTITY"))
    employee = PersonFactory(customer=company, employer=company, location_country_id="DE")
    add_status(employee, C, "DE", "1980-01-01")
    w.determined(employee)
    return transaction(company, w.item, person=employee, country="DE")


ROWS = [
    (us_company_exports_at_home, Decision.AUTHORISED, "U.S. person"),
    (german_university_without_licence, Decision.LICENCE_REQUIRED, "no active licence covers"),
    (german_university_with_its_licence, Decision.AUTHORISED, "Authorised under licence"),
    (licence_that_has_expired, Decision.LICENCE_REQUIRED, "no active licence covers"),
    (licence_used_up, Decision.LICENCE_REQUIRED, "only 2.00 units left"),
    (licence_for_another_transaction, Decision.LICENCE_REQUIRED, "Each transaction needs its own"),
    (customer_never_determined, Decision.HOLD, "pending determination"),
    (determination_past_review_by, Decision.HOLD, "passed its review-by date"),
    (destination_in_e1, Decision.REFUSED, "Country Group E:1"),
    (destination_in_e2, Decision.REFUSED, "Country Group E:2"),
    (blocked_customer, Decision.REFUSED, "is blocked: Diversion risk"),
    (customer_on_hold, Decision.HOLD, "is on hold: KYC refresh"),
    (deemed_export_to_dual_national, Decision.LICENCE_REQUIRED, "attributed to IL"),
    (green_card_after_citizenship, Decision.AUTHORISED, "U.S. lawful permanent residency"),
    (foreign_residency_after_citizenship, Decision.LICENCE_REQUIRED, "attributed to CA"),
    (weeks_from_a_green_card, Decision.LICENCE_REQUIRED, "attributed to BR"),
    (protected_individual, Decision.AUTHORISED, "Protected individual"),
    (deemed_export_to_iranian_national, Decision.REFUSED, "IR is in Country Group E:1"),
    (person_determination_missing, Decision.HOLD, "pending determination"),
    (requirement_not_yet_in_force, Decision.AUTHORISED, "no licence requirement in force"),
    (country_group_letter_covers_d1, Decision.LICENCE_REQUIRED, "licence is required"),
    (country_group_letter_spares_japan, Decision.AUTHORISED, "no licence requirement in force"),
    (entity_licence_covers_its_employee, Decision.AUTHORISED, "Authorised under licence"),
]


@pytest.fixture
def world(reference_data, officer, reviewer, item, today):
    letter(item)
    return World(officer=officer, reviewer=reviewer, item=item, today=today)


@pytest.mark.parametrize(("build", "expected", "reason"), ROWS, ids=[row[0].__name__ for row in ROWS])
def test_decision(world, build, expected, reason):
    record = decide_transaction(actor=None, transaction_record=build(world))
    assert record.decision == expected, record.decision_reasons
    assert any(reason in text for text in record.decision_reasons), record.decision_reasons
    assert record.decided_at is not None


def test_licence_required_opens_a_prefilled_draft_application(world):
    record = deemed_export_to_dual_national(world)
    application = LicenceApplication.objects.get(transaction=record)
    assert application.status == LicenceApplication.Status.DRAFT
    assert application.application_type == "export"
    assert application.person == record.person
    assert "attributed to IL under 15 CFR 734.13(b)" in application.additional_information
    roles = set(application.parties.values_list("role", flat=True))
    assert {"applicant", "purchaser", "ultimate_consignee", "end_user"} <= roles
    line = application.items.get()
    assert (line.eccn, line.total_price) == ("4E091", Decimal("1000.00"))


def test_deciding_again_does_not_open_a_second_application(world):
    record = german_university_without_licence(world)
    decide_transaction(actor=None, transaction_record=record)
    decide_transaction(actor=None, transaction_record=record)
    assert LicenceApplication.objects.filter(transaction=record).count() == 1


def test_hold_for_missing_determination_opens_one_task(world):
    record = customer_never_determined(world)
    decide_transaction(actor=None, transaction_record=record)
    task = DeterminationTask.objects.get(customer=record.customer)
    assert task.status == DeterminationTask.Status.OPEN
    assert task.opened_by_transaction == record


def test_approving_the_determination_releases_the_hold(world, django_capture_on_commit_callbacks):
    record = customer_never_determined(world)
    with django_capture_on_commit_callbacks(execute=True):
        world.determined(record.customer)
    record.refresh_from_db()
    # The letter covers foreign entities, so the hold becomes a licence requirement.
    assert record.decision == Decision.LICENCE_REQUIRED
    assert DeterminationTask.objects.get(customer=record.customer).status == DeterminationTask.Status.DONE


def test_issuing_the_licence_authorises_the_waiting_transaction(world, django_capture_on_commit_callbacks):
    record = german_university_without_licence(world)
    with django_capture_on_commit_callbacks(execute=True):
        licence = world.licensed(record)
    record.refresh_from_db()
    assert record.decision == Decision.AUTHORISED
    assert record.licence == licence


def test_expired_licence_gets_a_new_draft_application(world):
    record = licence_that_has_expired(world)
    decide_transaction(actor=None, transaction_record=record)
    statuses = sorted(LicenceApplication.objects.filter(transaction=record).values_list("status", flat=True))
    assert statuses == ["approved", "draft"]


def test_without_embargo_group_data_in_force_nothing_is_authorised(world):
    customer = world.determined(world.entity("JP"))
    # The groups' data ends: no date on which E:1 and E:2 are known.
    CountryGroupMembership.objects.filter(group_id__in=["E:1", "E:2"]).update(effective_until=world.last_month)

    record = transaction(customer, world.item, activity=Activity.EXPORT, country="JP")

    assert record.decision == Decision.HOLD
    assert "No EAR country-group data is in force" in record.decision_reasons[0]
