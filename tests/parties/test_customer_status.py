import datetime

from django.utils import timezone

from licensing.audit.models import Event
from licensing.cases.models import Decision
from licensing.parties.models import Customer
from licensing.parties.services import set_customer_status

from ..factories import CustomerFactory, PersonFactory, approved_determination, letter, transaction


def test_lifting_a_hold_redecides_the_customers_waiting_transactions(
    officer, reviewer, item, django_capture_on_commit_callbacks
):
    letter(item)
    customer = CustomerFactory(country_of_incorporation_id="US")
    employee = PersonFactory(customer=customer, employer=customer)
    approved_determination(
        customer, preparer=officer, reviewer=reviewer, effective_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    set_customer_status(actor=officer, customer=customer, status=Customer.Status.ON_HOLD, reason="KYC refresh")
    company_tx = transaction(customer, item, country="US")
    person_tx = transaction(customer, item, person=employee, country="US")
    assert (company_tx.decision, person_tx.decision) == (Decision.HOLD, Decision.HOLD)

    with django_capture_on_commit_callbacks(execute=True):
        set_customer_status(actor=officer, customer=customer, status=Customer.Status.ACTIVE, reason="KYC done")
    company_tx.refresh_from_db()
    person_tx.refresh_from_db()
    assert company_tx.decision == Decision.AUTHORISED
    # The employee has no determination of their own yet: still held, for that reason now.
    assert person_tx.decision == Decision.HOLD
    assert "pending determination" in person_tx.decision_reasons[0]
    assert Event.objects.filter(verb="customer.status_changed").count() == 2


def test_an_unknown_status_is_refused_and_nothing_changes(officer):
    import pytest
    from django.core.exceptions import ValidationError

    customer = CustomerFactory()
    with pytest.raises(ValidationError) as error:
        set_customer_status(actor=officer, customer=customer, status="suspended", reason="?")
    assert "status" in error.value.message_dict
    customer.refresh_from_db()
    assert customer.status == Customer.Status.ACTIVE
    assert not Event.objects.filter(verb="customer.status_changed").exists()
