from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from licensing.accounts.permissions import Action
from licensing.parties.filters import CustomerFilter
from licensing.parties.models import Customer, Person, StatusRecord
from licensing.parties.search import search_customers

from ..errors import problems
from ..party_sync import put_customer, put_person
from ..serializers.common import PageSerializer
from ..serializers.customers import (
    CustomerFilterSerializer,
    CustomerSerializer,
    CustomerWriteSerializer,
    PersonSerializer,
    PersonWriteSerializer,
)
from .base import ApiView, checked_id, id_parameter

CUSTOMER_ID = id_parameter("external_id", "Billing's identifier of the customer.")
PERSON_ID = id_parameter("person_external_id", "Billing's identifier of the person, unique within the customer.")


def find_customer(external_id: str) -> Customer:
    customer = Customer.objects.filter(external_id=checked_id(external_id, "external_id")).first()
    if customer is None:
        raise exceptions.NotFound(f"No customer has external_id {external_id}.")
    return customer


class CustomerListView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API}

    @extend_schema(
        operation_id="customers_list",
        summary="List customers",
        parameters=[CustomerFilterSerializer],
        responses={200: CustomerSerializer(many=True), **problems(404, 422)},
        tags=["customers"],
    )
    def get(self, request):
        # Parsed strictly first, so a misspelt filter is an error naming it rather than ignored.
        filters = self.query(CustomerFilterSerializer)
        data = request.query_params.copy()
        if "updated_since" in filters:
            # As the API reads moments: a time without an offset is UTC.
            data["updated_since"] = filters["updated_since"].isoformat()
        customers = CustomerFilter(data, queryset=Customer.objects.all(), request=request).qs.order_by(
            "legal_name", "pk"
        )
        if filters.get("search"):
            customers = search_customers(customers, filters["search"])
        return self.paged(customers, CustomerSerializer)


class CustomerView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API, "PUT": Action.SYNC_PARTIES}

    @extend_schema(
        operation_id="customers_retrieve",
        summary="Read a customer",
        parameters=[CUSTOMER_ID],
        responses={200: CustomerSerializer, **problems(404)},
        tags=["customers"],
    )
    def get(self, request, external_id):
        return Response(CustomerSerializer(find_customer(external_id)).data)

    @extend_schema(
        operation_id="customers_put",
        summary="Create or update a customer (idempotent)",
        description="Creates the customer on first PUT (201) and updates it after (200). "
        "The customer's status (active, on hold, blocked) is set by compliance and is read-only here.",
        parameters=[CUSTOMER_ID],
        request=CustomerWriteSerializer,
        responses={
            200: OpenApiResponse(CustomerSerializer, description="Updated."),
            201: OpenApiResponse(CustomerSerializer, description="Created."),
            **problems(409, 413, 415, 422),
        },
        tags=["customers"],
    )
    def put(self, request, external_id):
        checked_id(external_id, "external_id")
        data = self.body(CustomerWriteSerializer)
        customer, created = put_customer(actor=self.actor(), external_id=external_id, data=data)
        return Response(
            CustomerSerializer(customer).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


def persons_with_history():
    return Person.objects.select_related("customer", "employer").prefetch_related(
        Prefetch("status_records", queryset=StatusRecord.objects.order_by("acquired_on", "pk"))
    )


class PersonListView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API}

    @extend_schema(
        operation_id="persons_list",
        summary="List a customer's persons",
        parameters=[CUSTOMER_ID, PageSerializer],
        responses={200: PersonSerializer(many=True), **problems(404)},
        tags=["persons"],
    )
    def get(self, request, external_id):
        self.query(PageSerializer)
        customer = find_customer(external_id)
        persons = persons_with_history().filter(customer=customer).exclude(external_id="").order_by("external_id")
        return self.paged(persons, PersonSerializer)


class PersonView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API, "PUT": Action.SYNC_PARTIES}

    @extend_schema(
        operation_id="persons_retrieve",
        summary="Read a person",
        parameters=[CUSTOMER_ID, PERSON_ID],
        responses={200: PersonSerializer, **problems(404)},
        tags=["persons"],
    )
    def get(self, request, external_id, person_external_id):
        customer = find_customer(external_id)
        checked_id(person_external_id, "person_external_id")
        person = persons_with_history().filter(customer=customer, external_id=person_external_id).first()
        if person is None:
            raise exceptions.NotFound(f"Customer {external_id} has no person with external_id {person_external_id}.")
        return Response(PersonSerializer(person).data)

    @extend_schema(
        operation_id="persons_put",
        summary="Create or update a person with citizenships and residencies (idempotent)",
        description="Citizenship and residency periods are history: periods sent are added, or given the end "
        "date sent; periods left out are kept. A recorded end date cannot be changed.",
        parameters=[CUSTOMER_ID, PERSON_ID],
        request=PersonWriteSerializer,
        responses={
            200: OpenApiResponse(PersonSerializer, description="Updated."),
            201: OpenApiResponse(PersonSerializer, description="Created."),
            **problems(404, 409, 413, 415, 422),
        },
        tags=["persons"],
    )
    def put(self, request, external_id, person_external_id):
        customer = find_customer(external_id)
        checked_id(person_external_id, "person_external_id")
        data = self.body(PersonWriteSerializer)
        person, created = put_person(actor=self.actor(), customer=customer, external_id=person_external_id, data=data)
        person = persons_with_history().get(pk=person.pk)
        return Response(
            PersonSerializer(person).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
