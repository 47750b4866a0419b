"""API representations of feedback items, their ticket links and CSAT responses, and the inputs
that change them (see ``feedback/api.py``)."""

from __future__ import annotations

from rest_framework import serializers

from support.api.serializers import StrictInputSerializer, id_field

from .models import (
    CsatSurvey,
    FeedbackItem,
    Importance,
    ItemKind,
    ItemStatus,
    Rating,
    TicketFeedbackLink,
)

# Demand figures come from the list/retrieve annotations; they are always there in responses.
DEMAND_FIELDS = (
    "demand",
    "customer_count",
    "organization_count",
    "blocker_count",
    "last_demand_at",
)


class FeedbackItemSerializer(serializers.ModelSerializer):
    product_id = serializers.IntegerField(read_only=True, allow_null=True)
    component_id = serializers.IntegerField(read_only=True, allow_null=True)
    owner_id = serializers.IntegerField(read_only=True, allow_null=True)
    merged_into_id = serializers.IntegerField(read_only=True, allow_null=True)
    created_by_id = serializers.IntegerField(read_only=True, allow_null=True)
    demand = serializers.IntegerField(read_only=True, help_text="Linked tickets.")
    customer_count = serializers.IntegerField(read_only=True, help_text="Distinct customers.")
    organization_count = serializers.IntegerField(
        read_only=True, help_text="Distinct organizations."
    )
    blocker_count = serializers.IntegerField(read_only=True, help_text="Links marked blocker.")
    last_demand_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the newest link was made."
    )

    class Meta:
        model = FeedbackItem
        fields = [
            "id",
            "title",
            "description",
            "kind",
            "product_id",
            "component_id",
            "area",
            "status",
            "public_note",
            "owner_id",
            "merged_into_id",
            "created_by_id",
            "created_at",
            "updated_at",
            "status_changed_at",
            *DEMAND_FIELDS,
        ]
        read_only_fields = fields


class FeedbackItemCreateSerializer(StrictInputSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=20_000, required=False, allow_blank=True, default=""
    )
    kind = serializers.ChoiceField(choices=ItemKind.choices, default=ItemKind.FEATURE_REQUEST)
    product_id = id_field(required=False, allow_null=True, default=None)
    component_id = id_field(
        required=False, allow_null=True, default=None, help_text="A component of the product."
    )
    area = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="A component by name (added to the product when new); or send component_id.",
    )
    owner_id = id_field(required=False, allow_null=True, default=None)


class FeedbackItemUpdateSerializer(StrictInputSerializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=ItemKind.choices, required=False)
    product_id = id_field(required=False, allow_null=True)
    component_id = id_field(required=False, allow_null=True)
    area = serializers.CharField(max_length=64, required=False, allow_blank=True)
    owner_id = id_field(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=ItemStatus.choices, required=False, help_text="Product managers and admins."
    )
    public_note = serializers.CharField(
        max_length=20_000,
        required=False,
        allow_blank=True,
        help_text="Shown to customers when they are told of the status (product managers).",
    )


class FeedbackLinkSerializer(serializers.ModelSerializer):
    ticket_id = serializers.IntegerField(read_only=True)
    item_id = serializers.IntegerField(read_only=True)
    customer_id = serializers.IntegerField(read_only=True)
    organization_id = serializers.IntegerField(read_only=True, allow_null=True)
    created_by_id = serializers.IntegerField(read_only=True, allow_null=True)
    importance = serializers.ChoiceField(
        choices=[("", "Unset"), *Importance.choices], read_only=True
    )

    class Meta:
        model = TicketFeedbackLink
        fields = [
            "id",
            "ticket_id",
            "item_id",
            "customer_id",
            "organization_id",
            "importance",
            "quote",
            "created_by_id",
            "created_at",
        ]
        read_only_fields = fields


class FeedbackLinkCreateSerializer(StrictInputSerializer):
    item_id = id_field(help_text="The feedback item this ticket is evidence for.")
    customer_id = id_field(
        required=False, allow_null=True, default=None, help_text="Defaults to the requester."
    )
    importance = serializers.ChoiceField(
        choices=[("", "Unset"), *Importance.choices], required=False, default=""
    )
    quote = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class CsatResponseSerializer(serializers.ModelSerializer):
    ticket_id = serializers.IntegerField(read_only=True)
    customer_id = serializers.IntegerField(read_only=True)
    rating = serializers.ChoiceField(
        choices=[("", "Not answered"), *Rating.choices], read_only=True
    )

    class Meta:
        model = CsatSurvey
        fields = [
            "id",
            "ticket_id",
            "customer_id",
            "rating",
            "comment",
            "sent_at",
            "answered_at",
            "updated_at",
        ]
        read_only_fields = fields


class CsatAnswerSerializer(StrictInputSerializer):
    customer_fields = frozenset({"rating", "comment"})

    rating = serializers.ChoiceField(
        choices=Rating.choices, required=False, help_text="Needed the first time."
    )
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Send a rating, a comment or both.")
        return attrs
