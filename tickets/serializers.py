"""API representations of tickets, messages and attachments, and the inputs that change them.

Representations depend on who reads: customers never get internal notes or agent-only fields
(assignee, team, tags, SLA due times). Inputs name what each role may set; anything else is a
400 naming the field (see ``support.api.StrictInputSerializer``).
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.serializers import CustomerSerializer, OrganizationSerializer
from support import clock
from support.api.schema import schema_optional
from support.api.serializers import FastReadMixin, StrictInputSerializer, id_field, serializing_for
from tickets.models import (
    Attachment,
    Channel,
    Message,
    MessageKind,
    Priority,
    Status,
    Tag,
    Ticket,
    TicketType,
)
from tickets.sla.models import SlaTarget, TargetKind, TargetState
from tickets.sla.selectors import sla_clock_for

AGENT_ONLY_TICKET_FIELDS = (
    "assignee_id",
    "team_id",
    "tags",
    "first_response_due_at",
    "next_reply_due_at",
    "resolution_due_at",
    "sla",
)
EXPANDABLE = ("requester", "organization")
# Where a list endpoint puts what it prefetched (``Prefetch(..., to_attr=...)``); without them
# (one ticket, a webhook payload) the serializers read the related managers.
LISTED_TAGS = "listed_tags"
LISTED_SLA_TARGETS = "listed_sla_targets"


class SlaClockSerializer(FastReadMixin, serializers.Serializer):
    state = serializers.ChoiceField(choices=["ok", "warning", "breached", "paused"])
    label = serializers.CharField(help_text="first response, next reply or resolution")
    text = serializers.CharField(help_text="e.g. 'first response in 42m'")
    due_at = serializers.DateTimeField(allow_null=True)


class SlaTargetSerializer(FastReadMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=TargetKind.choices)
    state = serializers.ChoiceField(choices=TargetState.choices)
    target_minutes = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    warn_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    met = serializers.BooleanField()
    met_at = serializers.DateTimeField(allow_null=True)
    breached = serializers.BooleanField(help_text="Overdue now, or met late.")
    breached_at = serializers.DateTimeField(
        allow_null=True, help_text="When it fell due (set by the sweep; null if not yet swept)."
    )
    paused_since = serializers.DateTimeField(allow_null=True)


class TicketSlaSerializer(FastReadMixin, serializers.Serializer):
    policy_id = serializers.IntegerField(allow_null=True)
    policy_name = serializers.CharField(help_text="Kept if the policy was deleted; '' if none.")
    clock = SlaClockSerializer(allow_null=True, help_text="The nearest running clock.")
    targets = SlaTargetSerializer(
        many=True, help_text="The latest clock of each kind (cancelled ones left out)."
    )


def sla_representation(ticket: Ticket) -> dict:
    """A ticket's SLA for agents, from what the list query loaded (``tickets_with_sla_clock``
    annotations, ``select_related("sla")``, prefetched ``sla_targets``): no query per row."""
    now = clock.now()
    try:
        matched = ticket.sla
    except ObjectDoesNotExist:
        matched = None
    latest: dict[str, SlaTarget] = {}
    targets = getattr(ticket, LISTED_SLA_TARGETS, None)
    for target in ticket.sla_targets.all() if targets is None else targets:
        if target.state == TargetState.CANCELLED:
            continue
        current = latest.get(target.kind)
        if current is None or (target.started_at, target.pk) >= (current.started_at, current.pk):
            latest[target.kind] = target
    nearest = sla_clock_for(ticket, now=now)
    return {
        "policy_id": matched.policy_id if matched else None,
        "policy_name": matched.policy_name if matched else "",
        "clock": None
        if nearest is None
        else {
            "state": nearest.state,
            "label": nearest.label,
            "text": nearest.text,
            "due_at": nearest.due_at,
        },
        "targets": [
            {
                "kind": t.kind,
                "state": t.state,
                "target_minutes": t.target_minutes,
                "started_at": t.started_at,
                "warn_at": t.warn_at,
                "due_at": t.due_at,
                "met": t.state == TargetState.MET,
                "met_at": t.met_at,
                "breached": t.breached_at is not None
                or (t.met_at is not None and t.met_at > t.due_at)
                or (t.state == TargetState.RUNNING and t.due_at <= now),
                "breached_at": t.breached_at,
                "paused_since": t.paused_since,
            }
            for kind in TargetKind.values
            if (t := latest.get(kind)) is not None
        ],
    }


class TicketSerializer(FastReadMixin, serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    requester_id = serializers.IntegerField(read_only=True)
    organization_id = serializers.IntegerField(read_only=True, allow_null=True)
    assignee_id = serializers.IntegerField(read_only=True, allow_null=True)
    team_id = serializers.IntegerField(read_only=True, allow_null=True)
    tags = serializers.SerializerMethodField()
    requester = CustomerSerializer(read_only=True)
    organization = OrganizationSerializer(read_only=True, allow_null=True)
    sla = serializers.SerializerMethodField(
        help_text="Agents only: the matched policy, the nearest clock and each target."
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "subject",
            "status",
            "priority",
            "type",
            "channel",
            "requester_id",
            "requester",
            "organization_id",
            "organization",
            "assignee_id",
            "team_id",
            "tags",
            "created_at",
            "updated_at",
            "first_responded_at",
            "solved_at",
            "closed_at",
            "first_response_due_at",
            "next_reply_due_at",
            "resolution_due_at",
            "sla",
        ]
        read_only_fields = fields

    @extend_schema_field(TicketSlaSerializer)
    def get_sla(self, ticket: Ticket) -> dict:
        return self._sla_serializer.to_representation(sla_representation(ticket))

    @cached_property
    def _sla_serializer(self) -> TicketSlaSerializer:
        # One for every row of a list: a serializer per row deep-copied its nested fields each
        # time, the largest cost of a 50-ticket page (docs/benchmarks.md).
        return TicketSlaSerializer()

    def get_tags(self, ticket: Ticket) -> list[str]:
        tags = getattr(ticket, LISTED_TAGS, None)
        return sorted(tag.name for tag in (ticket.tags.all() if tags is None else tags))

    def get_fields(self):
        # Decided before serializing, so what isn't shown isn't loaded either.
        fields = super().get_fields()
        if self.context.get("request") is None:
            fields.pop("sla")  # webhook payloads and other server-side uses
        user = serializing_for(self.context)
        if user is None:
            return fields
        expand = self.context.get("expand", ())
        for name in EXPANDABLE:
            if name not in expand:
                fields.pop(name)
        if not user.is_agent:
            for name in AGENT_ONLY_TICKET_FIELDS:
                fields.pop(name)
        return fields


schema_optional("Ticket", *EXPANDABLE, *AGENT_ONLY_TICKET_FIELDS)


class AttachmentSerializer(serializers.ModelSerializer):
    ticket_id = serializers.IntegerField(read_only=True)
    message_id = serializers.IntegerField(read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "ticket_id",
            "message_id",
            "name",
            "size",
            "content_type",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        path = reverse("api-attachment-download", args=[attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class AuthorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["agent", "customer", "system"])
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class MessageSerializer(serializers.ModelSerializer):
    ticket_id = serializers.IntegerField(read_only=True)
    author = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "ticket_id",
            "kind",
            "author",
            "body_text",
            "body_html",
            "channel",
            "created_at",
            "attachments",
        ]
        read_only_fields = fields

    @extend_schema_field(AuthorSerializer)
    def get_author(self, message: Message) -> dict:
        if message.author_user_id:
            return {
                "type": "agent",
                "id": message.author_user_id,
                "name": message.author_user.display_name,
            }
        if message.author_customer_id:
            return {
                "type": "customer",
                "id": message.author_customer_id,
                "name": message.author_customer.display_name,
            }
        return {"type": "system", "id": None, "name": "Switchboard"}


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]
        read_only_fields = fields


# --- inputs ---------------------------------------------------------------------------------

MAX_FILES = 10


class TicketCreateSerializer(StrictInputSerializer):
    customer_fields = frozenset({"subject", "body", "body_html", "type", "attachments"})

    subject = serializers.CharField(max_length=250)
    body = serializers.CharField(max_length=100_000, allow_blank=True)
    body_html = serializers.CharField(
        max_length=200_000, required=False, allow_blank=True, default=""
    )
    requester_id = id_field(
        required=False, help_text="The customer the ticket is for (agents; required for them)."
    )
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    type = serializers.ChoiceField(choices=TicketType.choices, default=TicketType.QUESTION)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    team_id = id_field(required=False, allow_null=True, default=None)
    assignee_id = id_field(required=False, allow_null=True, default=None)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=50
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=MAX_FILES
    )


class TicketUpdateSerializer(StrictInputSerializer):
    customer_fields = frozenset({"status"})

    subject = serializers.CharField(max_length=250, required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    type = serializers.ChoiceField(choices=TicketType.choices, required=False)
    team_id = id_field(required=False, allow_null=True)
    assignee_id = id_field(required=False, allow_null=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=50,
        help_text="The ticket's whole tag list (replaces it).",
    )


class TicketStatusSerializer(StrictInputSerializer):
    customer_fields = frozenset({"status"})
    status = serializers.ChoiceField(choices=Status.choices)


class TicketAssignSerializer(StrictInputSerializer):
    customer_fields = frozenset()
    assignee_id = id_field(required=False, allow_null=True)
    team_id = id_field(required=False, allow_null=True)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Send assignee_id, team_id or both.")
        return attrs


class TicketMergeSerializer(StrictInputSerializer):
    customer_fields = frozenset()
    into_id = id_field(help_text="The ticket to merge this one into; it must be visible to you.")


class MessageCreateSerializer(StrictInputSerializer):
    customer_fields = frozenset({"kind", "body", "body_html", "attachments"})

    kind = serializers.ChoiceField(choices=MessageKind.choices, default=MessageKind.REPLY)
    body = serializers.CharField(max_length=100_000, allow_blank=True)
    body_html = serializers.CharField(
        max_length=200_000, required=False, allow_blank=True, default=""
    )
    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        help_text="Agents: set this status with a public reply (e.g. pending).",
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=MAX_FILES
    )

    def validate(self, attrs):
        user = self.context["request"].user
        if not user.is_agent and attrs.get("kind") == MessageKind.NOTE:
            raise serializers.ValidationError({"kind": ["Customers can only send replies."]})
        if attrs.get("kind") == MessageKind.NOTE and "status" in attrs:
            raise serializers.ValidationError({"status": ["A note can't change the status."]})
        return attrs
