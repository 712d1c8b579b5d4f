from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from licensing.accounts.permissions import Action
from licensing.cases.models import Transaction
from licensing.cases.services.transactions import TransactionConflict, record_transaction
from licensing.parties.models import Customer, Person
from licensing.reference.models import ControlledItem

from ..errors import UNPROCESSABLE, Conflict, problems
from ..serializers.transactions import TransactionDetailSerializer, TransactionSerializer, TransactionWriteSerializer
from .base import ApiView, checked_id, id_parameter


def transactions_for_display():
    return Transaction.objects.select_related("customer", "person", "item", "licence")


class TransactionListView(ApiView):
    actions_by_method = {"POST": Action.SUBMIT_TRANSACTIONS}

    @extend_schema(
        operation_id="transactions_create",
        summary="Post a transaction and get its decision (idempotent on external_id)",
        description="The first post records and decides the transaction (201). Posting the same external_id "
        "with the same details again returns the same transaction and decision (200) and records nothing; "
        "with different details it is refused (409).",
        request=TransactionWriteSerializer,
        responses={
            200: OpenApiResponse(TransactionSerializer, description="A replay: the transaction recorded before."),
            201: OpenApiResponse(TransactionSerializer, description="Recorded and decided."),
            **problems(409, 413, 415, 422),
        },
        tags=["transactions"],
    )
    def post(self, request):
        data = self.body(TransactionWriteSerializer)
        details = self._resolve(data)
        try:
            record, created = record_transaction(actor=self.actor(), external_id=data["external_id"], **details)
        except TransactionConflict as conflict:
            raise Conflict(str(conflict))
        record = transactions_for_display().get(pk=record.pk)
        return Response(
            TransactionSerializer(record).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def _resolve(self, data: dict) -> dict:
        errors = {}
        customer = Customer.objects.filter(external_id=data["customer"]).first()
        if customer is None:
            errors["customer"] = [f"No customer has external_id {data['customer']}; PUT it first."]
        item = ControlledItem.objects.filter(code=data["item"]).first()
        if item is None:
            errors["item"] = [f"No controlled item has the code {data['item']}."]
        person = None
        if data["person"] is not None and customer is not None:
            person = Person.objects.filter(customer=customer, external_id=data["person"]).first()
            if person is None:
                errors["person"] = [f"Customer {data['customer']} has no person {data['person']}; PUT it first."]
        if errors:
            raise exceptions.ValidationError(errors, code=UNPROCESSABLE)
        details = {
            "customer": customer,
            "person": person,
            "item": item,
            "activity": data["activity"],
            "destination_country_id": data["destination_country"],
            "quantity": data["quantity"],
            "value": data["value"],
            "currency": data["currency"],
            "end_use": data["end_use"],
        }
        if "requested_at" in data:
            details["requested_at"] = data["requested_at"]
        return details


class TransactionView(ApiView):
    actions_by_method = {"GET": Action.QUERY_API}

    @extend_schema(
        operation_id="transactions_retrieve",
        summary="Read a transaction and its current decision",
        parameters=[id_parameter("external_id", "Billing's identifier of the transaction.")],
        responses={200: TransactionDetailSerializer, **problems(404)},
        tags=["transactions"],
    )
    def get(self, request, external_id):
        record = transactions_for_display().filter(external_id=checked_id(external_id, "external_id")).first()
        if record is None:
            raise exceptions.NotFound(f"No transaction has external_id {external_id}.")
        return Response(TransactionDetailSerializer(record).data)
