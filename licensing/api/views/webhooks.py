from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from licensing.accounts.permissions import Action

from ..errors import Conflict, problems
from ..models import WebhookSubscription
from ..serializers.common import PageSerializer
from ..serializers.webhooks import (
    CreatedSubscriptionSerializer,
    DeliveryFilterSerializer,
    DeliverySerializer,
    SubscriptionSerializer,
    SubscriptionUpdateSerializer,
    SubscriptionWriteSerializer,
)
from ..webhooks.subscriptions import create_subscription, update_subscription
from .base import ApiView

SUBSCRIPTION_ID = OpenApiParameter(
    "subscription_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The subscription's id."
)


def find_subscription(subscription_id: str) -> WebhookSubscription:
    found = None
    if subscription_id.isascii() and subscription_id.isdigit() and int(subscription_id) < 2**63:
        found = WebhookSubscription.objects.filter(pk=int(subscription_id)).first()
    if found is None:
        raise exceptions.NotFound(f"No webhook subscription has the id {subscription_id}.")
    return found


class SubscriptionListView(ApiView):
    actions_by_method = {"GET": Action.MANAGE_WEBHOOKS, "POST": Action.MANAGE_WEBHOOKS}

    @extend_schema(
        operation_id="webhooks_list",
        summary="List webhook subscriptions",
        parameters=[PageSerializer],
        responses={200: SubscriptionSerializer(many=True), **problems(404)},
        tags=["webhooks"],
    )
    def get(self, request):
        self.query(PageSerializer)
        return self.paged(WebhookSubscription.objects.order_by("name", "pk"), SubscriptionSerializer)

    @extend_schema(
        operation_id="webhooks_create",
        summary="Subscribe a URL to events",
        description="The response carries the secret, once; deliveries are signed with it.",
        request=SubscriptionWriteSerializer,
        responses={201: CreatedSubscriptionSerializer, **problems(409, 413, 415, 422)},
        tags=["webhooks"],
    )
    def post(self, request):
        data = self.body(SubscriptionWriteSerializer)
        if WebhookSubscription.objects.filter(name=data["name"]).exists():
            raise Conflict(f"A subscription named {data['name']!r} already exists.")
        subscription = create_subscription(actor=self.actor(), via=self.via(), **data)
        return Response(CreatedSubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED)


class SubscriptionView(ApiView):
    actions_by_method = {"GET": Action.MANAGE_WEBHOOKS, "PATCH": Action.MANAGE_WEBHOOKS}

    @extend_schema(
        operation_id="webhooks_retrieve",
        summary="Read a webhook subscription",
        parameters=[SUBSCRIPTION_ID],
        responses={200: SubscriptionSerializer, **problems(404)},
        tags=["webhooks"],
    )
    def get(self, request, subscription_id):
        return Response(SubscriptionSerializer(find_subscription(subscription_id)).data)

    @extend_schema(
        operation_id="webhooks_update",
        summary="Change a subscription (set active to false to stop deliveries)",
        parameters=[SUBSCRIPTION_ID],
        request=SubscriptionUpdateSerializer,
        responses={200: SubscriptionSerializer, **problems(404, 409, 413, 415, 422)},
        tags=["webhooks"],
    )
    def patch(self, request, subscription_id):
        subscription = find_subscription(subscription_id)
        changes = self.body(SubscriptionUpdateSerializer)
        name = changes.get("name")
        if name and WebhookSubscription.objects.filter(name=name).exclude(pk=subscription.pk).exists():
            raise Conflict(f"A subscription named {name!r} already exists.")
        subscription = update_subscription(actor=self.actor(), subscription=subscription, via=self.via(), **changes)
        return Response(SubscriptionSerializer(subscription).data)


class DeliveryListView(ApiView):
    actions_by_method = {"GET": Action.MANAGE_WEBHOOKS}

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        summary="The delivery log of a subscription, newest first",
        parameters=[SUBSCRIPTION_ID, DeliveryFilterSerializer],
        responses={200: DeliverySerializer(many=True), **problems(404)},
        tags=["webhooks"],
    )
    def get(self, request, subscription_id):
        filters = self.query(DeliveryFilterSerializer)
        deliveries = find_subscription(subscription_id).deliveries.prefetch_related("attempt_log")
        if "status" in filters:
            deliveries = deliveries.filter(status=filters["status"])
        return self.paged(deliveries.order_by("-created_at", "-pk"), DeliverySerializer)
