"""``/api/v1/webhooks``: admins manage webhook subscriptions and read their delivery log."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from integrations.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEventType,
    WebhookSubscription,
)
from integrations.services import (
    webhook_delivery_resend,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_update,
)
from support.api.filters import IdFilter, UtcDateTimeFilter, ordering_filter
from support.api.permissions import ApiPermission
from support.api.schema import ID_REGEX
from support.api.serializers import StrictInputSerializer, web_url_field
from support.api.views import ApiViewMixin


class AdminsOnly(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if request.user.is_authenticated and not request.user.is_admin:
            raise exceptions.NotFound()
        return True


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(child=serializers.ChoiceField(WebhookEventType.choices))
    owner_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "name",
            "url",
            "event_types",
            "include_notes",
            "is_active",
            "owner_id",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
        ]
        read_only_fields = fields


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    """The subscription with its signing secret: returned once, on creation."""

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookSubscriptionInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=100, required=False, default="")
    url = web_url_field(max_length=2000)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(WebhookEventType.choices),
        min_length=1,
        max_length=len(WebhookEventType.values),
    )
    include_notes = serializers.BooleanField(required=False, default=False)


class WebhookSubscriptionUpdateSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=100, required=False)
    url = web_url_field(max_length=2000, required=False)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(WebhookEventType.choices),
        min_length=1,
        max_length=len(WebhookEventType.values),
        required=False,
    )
    include_notes = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    subscription_id = serializers.IntegerField(read_only=True)
    resent_from_id = serializers.UUIDField(read_only=True, allow_null=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "subscription_id",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "delivered_at",
            "response_code",
            "latency_ms",
            "response_excerpt",
            "last_error",
            "resent_from_id",
            "created_at",
            "payload",
        ]
        read_only_fields = fields


DELIVERY_ORDERINGS = {"-created_at": ("-created_at", "-id"), "created_at": ("created_at", "id")}


class DeliveryFilter(django_filters.FilterSet):
    subscription = IdFilter(field_name="subscription_id")
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_type = django_filters.ChoiceFilter(choices=WebhookEventType.choices)
    created_since = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    ordering = ordering_filter(DELIVERY_ORDERINGS)

    class Meta:
        model = WebhookDelivery
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="List webhook subscriptions (admins)"),
    retrieve=extend_schema(summary="Get a webhook subscription (admins)"),
    destroy=extend_schema(summary="Delete a webhook subscription (admins)"),
)
class WebhookSubscriptionViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = WebhookSubscriptionSerializer
    permission_classes = [ApiPermission, AdminsOnly]
    ordering_choices = {"id": ("id",)}
    default_ordering = "id"
    lookup_value_regex = ID_REGEX
    queryset = WebhookSubscription.objects.all()

    @extend_schema(
        summary="Subscribe a URL to events (admins)",
        request=WebhookSubscriptionInputSerializer,
        responses={201: WebhookSubscriptionCreatedSerializer},
        description="The response carries the signing `secret`; keep it to verify "
        "X-Switchboard-Signature.",
    )
    def create(self, request, *args, **kwargs):
        data = WebhookSubscriptionInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        subscription = webhook_subscription_create(owner=request.user, **data.validated_data)
        return Response(
            WebhookSubscriptionCreatedSerializer(subscription).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/webhooks/{subscription.pk}"},
        )

    @extend_schema(
        summary="Change a webhook subscription (admins)",
        request=WebhookSubscriptionUpdateSerializer,
        responses={200: WebhookSubscriptionSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        subscription = self.get_object()
        data = WebhookSubscriptionUpdateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        webhook_subscription_update(subscription=subscription, **data.validated_data)
        return Response(self.get_serializer(subscription).data)

    def destroy(self, request, *args, **kwargs):
        webhook_subscription_delete(subscription=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="The webhook delivery log (admins)"),
    retrieve=extend_schema(summary="One webhook delivery, with its payload (admins)"),
)
class WebhookDeliveryViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = WebhookDeliverySerializer
    filterset_class = DeliveryFilter
    permission_classes = [ApiPermission, AdminsOnly]
    ordering_choices = DELIVERY_ORDERINGS
    default_ordering = "-created_at"
    lookup_value_regex = r"[0-9a-fA-F-]{32,36}"
    queryset = WebhookDelivery.objects.all()

    @extend_schema(
        summary="Send a delivery again, as a new delivery (admins)",
        request=None,
        responses={201: WebhookDeliverySerializer},
    )
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        again = webhook_delivery_resend(delivery=self.get_object(), by=request.user)
        return Response(self.get_serializer(again).data, status=status.HTTP_201_CREATED)
