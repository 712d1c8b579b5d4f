"""Changes with business meaning made in the admin go through the services the pages and the API call."""

import json

from django.contrib.admin.sites import site
from django.forms.models import model_to_dict
from django.test import RequestFactory

from licensing.audit.models import Event
from licensing.parties.models import Customer, Ownership, Person

from ..factories import CustomerFactory, PersonFactory


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


def _save(model, obj, user, **changes):
    model_admin = site._registry[model]
    request = _request(user)
    form_class = model_admin.get_form(request, obj, change=True)
    data = {k: v for k, v in model_to_dict(obj).items() if k in form_class.base_fields and v is not None}
    # JSON fields take their text in a form.
    data = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in data.items()}
    data.update(changes)
    form = form_class(data, instance=obj)
    assert form.is_valid(), form.errors
    obj = form.save(commit=False)
    model_admin.save_model(request, obj, form, change=True)
    return obj


def test_renaming_a_customer_in_the_admin_records_the_services_event_and_screens_it(
    admin_user, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(legal_name="Old Name GmbH")

    with django_capture_on_commit_callbacks() as follow_ups:
        _save(Customer, customer, admin_user, legal_name="New Name GmbH")

    event = Event.objects.filter(verb="customer.updated", target_id=str(customer.pk)).get()
    assert event.after == {"legal_name": "New Name GmbH"}
    assert event.actor == admin_user
    assert follow_ups, "the service enqueues the new name's screening"


def test_the_admin_cannot_change_a_customers_standing_or_billing_id(admin_user):
    customer = CustomerFactory()
    model_admin = site._registry[Customer]

    readonly = model_admin.get_readonly_fields(_request(admin_user), customer)

    assert {"status", "status_reason", "external_id"} <= set(readonly)
    assert "status" not in model_admin.get_form(_request(admin_user), customer, change=True).base_fields


def test_a_persons_history_and_a_customers_owners_are_read_only_in_the_admin(admin_user):
    request = _request(admin_user)
    person_inlines = site._registry[Person].get_inline_instances(request, PersonFactory())
    customer_inlines = site._registry[Customer].get_inline_instances(request, CustomerFactory())

    for inline in person_inlines + customer_inlines:
        assert not inline.has_add_permission(request, None) and not inline.has_change_permission(request)
    assert not site._registry[Ownership].has_change_permission(request)


def test_editing_a_person_in_the_admin_goes_through_save_person(admin_user):
    person = PersonFactory(given_name="Ada")

    _save(Person, person, admin_user, given_name="Augusta")

    assert Person.objects.get(pk=person.pk).given_name == "Augusta"
    assert Event.objects.filter(verb="person.updated", target_id=str(person.pk), actor=admin_user).exists()
