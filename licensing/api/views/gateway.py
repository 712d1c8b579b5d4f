"""Billing registers and revokes its customers' model API keys, the identities the gateway checks."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from licensing.accounts.permissions import Action
from licensing.gateway.models import ModelApiKey
from licensing.gateway.services import register_model_api_key, revoke_model_api_key

from ..errors import problems
from ..serializers.common import PageSerializer
from ..serializers.gateway import (
    ModelApiKeyRevocationSerializer,
    ModelApiKeySerializer,
    ModelApiKeyWriteSerializer,
    RegisteredModelApiKeySerializer,
)
from .base import ApiView
from .customers import CUSTOMER_ID, find_customer

KEY_ID = OpenApiParameter("key_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The key's id.")


def find_key(key_id: str) -> ModelApiKey:
    found = None
    if key_id.isascii() and key_id.isdigit() and int(key_id) < 2**63:
        found = ModelApiKey.objects.select_related("customer").filter(pk=int(key_id)).first()
    if found is None:
        raise exceptions.NotFound(f"No model API key has the id {key_id}.")
    return found


class ModelApiKeyListView(ApiView):
    actions_by_method = {"GET": Action.MANAGE_MODEL_API_KEYS, "POST": Action.MANAGE_MODEL_API_KEYS}

    @extend_schema(
        operation_id="model_api_keys_list",
        summary="List a customer's model API keys",
        parameters=[CUSTOMER_ID, PageSerializer],
        responses={200: ModelApiKeySerializer(many=True), **problems(404)},
        tags=["gateway"],
    )
    def get(self, request, external_id):
        customer = find_customer(external_id)
        self.query(PageSerializer)
        return self.paged(
            ModelApiKey.objects.filter(customer=customer).select_related("customer").order_by("name", "pk"),
            ModelApiKeySerializer,
        )

    @extend_schema(
        operation_id="model_api_keys_register",
        summary="Register a model API key for a customer",
        description="The response carries the key, once: configure it in the model-serving platform. The gateway "
        "allows a request made with it only when the decision for the customer (and the seat named) is authorised.",
        parameters=[CUSTOMER_ID],
        request=ModelApiKeyWriteSerializer,
        responses={201: RegisteredModelApiKeySerializer, **problems(404, 413, 415)},
        tags=["gateway"],
    )
    def post(self, request, external_id):
        customer = find_customer(external_id)
        data = self.body(ModelApiKeyWriteSerializer)
        key, raw = register_model_api_key(actor=self.actor(), customer=customer, name=data["name"], via=self.via())
        # The raw key exists only here: the serializer of the schema describes this answer.
        return Response({**ModelApiKeySerializer(key).data, "key": raw}, status=status.HTTP_201_CREATED)


class ModelApiKeyRevocationView(ApiView):
    actions_by_method = {"POST": Action.MANAGE_MODEL_API_KEYS}

    @extend_schema(
        operation_id="model_api_keys_revoke",
        summary="Revoke a model API key",
        description="The gateway refuses the very next request made with the key. Revoking a revoked key changes "
        "nothing.",
        parameters=[KEY_ID],
        request=ModelApiKeyRevocationSerializer,
        responses={200: ModelApiKeySerializer, **problems(404, 413, 415)},
        tags=["gateway"],
    )
    def post(self, request, key_id):
        key = find_key(key_id)
        data = self.body(ModelApiKeyRevocationSerializer)
        key = revoke_model_api_key(actor=self.actor(), key=key, reason=data["reason"])
        return Response(ModelApiKeySerializer(key).data)
