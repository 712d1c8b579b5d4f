"""A person's addresses (block 19 of a deemed export) and visas, below the person's own endpoint."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from licensing.accounts.permissions import Action
from licensing.parties import services
from licensing.parties.models import Person
from licensing.reference.models import Country

from ..errors import problems
from ..serializers.person_dossier import (
    PersonAddressSerializer,
    PersonAddressWriteSerializer,
    VisaSerializer,
    VisaWriteSerializer,
)
from .base import ApiView, checked_id
from .customers import CUSTOMER_ID, PERSON_ID, find_customer


def find_person(external_id: str, person_external_id: str) -> Person:
    customer = find_customer(external_id)
    checked_id(person_external_id, "person_external_id")
    person = Person.objects.filter(customer=customer, external_id=person_external_id).first()
    if person is None:
        raise exceptions.NotFound(f"Customer {external_id} has no person with external_id {person_external_id}.")
    return person


class PersonAddressListView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API, "POST": Action.SYNC_PARTIES}

    @extend_schema(
        operation_id="person_addresses_list",
        summary="A person's addresses, the current one first",
        parameters=[CUSTOMER_ID, PERSON_ID],
        responses={200: PersonAddressSerializer(many=True), **problems(404)},
        tags=["persons"],
    )
    def get(self, request, external_id, person_external_id):
        person = find_person(external_id, person_external_id)
        addresses = person.addresses.order_by("-since_on", "-pk")
        return Response(PersonAddressSerializer(addresses, many=True).data)

    @extend_schema(
        operation_id="person_addresses_create",
        summary="Record where a person lives from a day (a move ends the address before)",
        parameters=[CUSTOMER_ID, PERSON_ID],
        request=PersonAddressWriteSerializer,
        responses={201: PersonAddressSerializer, **problems(404, 413, 415, 422)},
        tags=["persons"],
    )
    def post(self, request, external_id, person_external_id):
        person = find_person(external_id, person_external_id)
        data = dict(self.body(PersonAddressWriteSerializer))
        data["country"] = Country.objects.get(pk=data["country"])
        address = services.record_person_address(actor=self.actor(), person=person, **data)
        return Response(PersonAddressSerializer(address).data, status=status.HTTP_201_CREATED)


class VisaListView(ApiView):
    # The visa number is personal evidence: compliance staff only, never a machine client.
    actions_by_method = {"GET": Action.VIEW_EVIDENCE, "POST": Action.VIEW_EVIDENCE}

    @extend_schema(
        operation_id="person_visas_list",
        summary="A person's visas, the current one first",
        parameters=[CUSTOMER_ID, PERSON_ID],
        responses={200: VisaSerializer(many=True), **problems(404)},
        tags=["persons"],
    )
    def get(self, request, external_id, person_external_id):
        person = find_person(external_id, person_external_id)
        visas = list(person.visas.select_related("recorded_by"))
        context = {"current_id": visas[0].pk if visas else None}
        return Response(VisaSerializer(visas, many=True, context=context).data)

    @extend_schema(
        operation_id="person_visas_create",
        summary="Record the visa a person holds now; its expiry is reminded",
        parameters=[CUSTOMER_ID, PERSON_ID],
        request=VisaWriteSerializer,
        responses={201: VisaSerializer, **problems(404, 413, 415, 422)},
        tags=["persons"],
    )
    def post(self, request, external_id, person_external_id):
        person = find_person(external_id, person_external_id)
        data = self.body(VisaWriteSerializer)
        visa = services.record_visa(actor=self.actor(), person=person, **data)
        return Response(VisaSerializer(visa, context={"current_id": visa.pk}).data, status=status.HTTP_201_CREATED)
