"""API representations of tickets, messages and attachments.

They depend on who reads: customers never get internal notes or agent-only fields (assignee,
team, tags, SLA due times). The inputs that change them are in ``tickets.api_inputs``.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.serializers import CustomerSerializer, OrganizationSerializer
from support.api.schema import schema_optional
from support.api.serializers import iso_datetime, serializing_for
from tickets.fields.services import customer_visible_keys
from tickets.models import Attachment, Message, Tag, Ticket
from tickets.sla.serializers import TicketSlaSerializer, sla_representation

AGENT_ONLY_TICKET_FIELDS = (
    "assignee_id",
    "team_id",
    "tags",
    "cc",
    "first_response_due_at",
    "next_reply_due_at",
    "resolution_due_at",
    "sla",
)
EXPANDABLE = ("requester", "organization")
# Where a list endpoint puts what it prefetched (``Prefetch(..., to_attr=...)``); without them
# (one ticket, a webhook payload) the serializers read the related managers.
LISTED_TAGS = "listed_tags"


class TicketSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    requester_id = serializers.IntegerField(read_only=True)
    organization_id = serializers.IntegerField(read_only=True, allow_null=True)
    assignee_id = serializers.IntegerField(read_only=True, allow_null=True)
    team_id = serializers.IntegerField(read_only=True, allow_null=True)
    product_id = serializers.IntegerField(read_only=True, allow_null=True)
    version_id = serializers.IntegerField(read_only=True, allow_null=True)
    component_id = serializers.IntegerField(read_only=True, allow_null=True)
    form_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The ticket form it was filed through."
    )
    fields = serializers.DictField(
        read_only=True,
        help_text="Custom field values by key (customers: the fields shown to them).",
    )
    tags = serializers.SerializerMethodField()
    cc = serializers.ListField(
        child=serializers.EmailField(),
        read_only=True,
        help_text="Agents only: who else gets the public replies.",
    )
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
            "product_id",
            "version_id",
            "component_id",
            "form_id",
            "fields",
            "assignee_id",
            "team_id",
            "tags",
            "cc",
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

    @cached_property
    def _hidden(self) -> frozenset[str]:
        """What this reader doesn't get, decided once: what isn't shown isn't loaded either."""
        hidden = set()
        if self.context.get("request") is None:
            hidden.add("sla")  # webhook payloads and other server-side uses
        user = serializing_for(self.context)
        if user is not None:
            expand = self.context.get("expand", ())
            hidden.update(name for name in EXPANDABLE if name not in expand)
            if not user.is_agent:
                hidden.update(AGENT_ONLY_TICKET_FIELDS)
        return frozenset(hidden)

    def get_fields(self):
        fields = super().get_fields()
        for name in self._hidden:
            del fields[name]
        if "tags" in self._hidden:  # a customer: the time of the last change they can see
            fields["updated_at"] = serializers.DateTimeField(source="public_updated_at")
        return fields

    @extend_schema_field(TicketSlaSerializer)
    def get_sla(self, ticket: Ticket) -> dict:
        value = sla_representation(ticket, written=self.context.get("written"))
        return self._sla_serializer.to_representation(value)

    @cached_property
    def _sla_serializer(self) -> TicketSlaSerializer:
        return TicketSlaSerializer()

    def get_tags(self, ticket: Ticket) -> list[str]:
        written = self.context.get("written")
        tags = written.tags if written is not None else getattr(ticket, LISTED_TAGS, None)
        return sorted(tag.name for tag in (ticket.tags.all() if tags is None else tags))

    @cached_property
    def _customer_reader(self) -> bool:
        user = serializing_for(self.context)
        return user is not None and not user.is_agent

    def _fields_for_reader(self, ticket: Ticket) -> dict:
        values = ticket.fields or {}
        if not values or not self._customer_reader:
            return dict(values)
        shown = customer_visible_keys()
        return {key: value for key, value in values.items() if key in shown}

    @cached_property
    def _customer(self) -> CustomerSerializer:
        return CustomerSerializer(context=self.context)

    @cached_property
    def _organization(self) -> OrganizationSerializer:
        return OrganizationSerializer(context=self.context)

    def to_representation(self, ticket: Ticket) -> dict:
        hidden = self._hidden
        zone = timezone.get_current_timezone()
        data = {
            "id": ticket.pk,
            "reference": ticket.reference,
            "subject": ticket.subject,
            "status": str(ticket.status),
            "priority": str(ticket.priority),
            "type": str(ticket.type),
            "channel": str(ticket.channel),
            "requester_id": ticket.requester_id,
        }
        if "requester" not in hidden:
            data["requester"] = self._customer.to_representation(ticket.requester)
        data["organization_id"] = ticket.organization_id
        if "organization" not in hidden:
            organization = ticket.organization
            data["organization"] = (
                None if organization is None else self._organization.to_representation(organization)
            )
        data["product_id"] = ticket.product_id
        data["version_id"] = ticket.version_id
        data["component_id"] = ticket.component_id
        data["form_id"] = ticket.form_id
        data["fields"] = self._fields_for_reader(ticket)
        agent_fields = "tags" not in hidden
        if agent_fields:
            data["assignee_id"] = ticket.assignee_id
            data["team_id"] = ticket.team_id
            data["tags"] = self.get_tags(ticket)
            data["cc"] = list(ticket.cc or [])
        data["created_at"] = iso_datetime(ticket.created_at, zone)
        seen = ticket.updated_at if agent_fields else ticket.public_updated_at
        data["updated_at"] = iso_datetime(seen, zone)
        data["first_responded_at"] = iso_datetime(ticket.first_responded_at, zone)
        data["solved_at"] = iso_datetime(ticket.solved_at, zone)
        data["closed_at"] = iso_datetime(ticket.closed_at, zone)
        if agent_fields:
            data["first_response_due_at"] = iso_datetime(ticket.first_response_due_at, zone)
            data["next_reply_due_at"] = iso_datetime(ticket.next_reply_due_at, zone)
            data["resolution_due_at"] = iso_datetime(ticket.resolution_due_at, zone)
        if "sla" not in hidden:
            data["sla"] = self.get_sla(ticket)
        return data


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

    def to_representation(self, attachment: Attachment) -> dict:
        return {
            "id": str(attachment.pk),
            "ticket_id": attachment.ticket_id,
            "message_id": attachment.message_id,
            "name": attachment.name,
            "size": attachment.size,
            "content_type": attachment.content_type,
            "created_at": iso_datetime(attachment.created_at, timezone.get_current_timezone()),
            "download_url": self.get_download_url(attachment),
        }


class AuthorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["agent", "customer", "system"])
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


# The context: ``request``, and ``written_attachments`` for a message this request wrote (its
# attachments as written, not read back: ``[]`` when nothing was uploaded).
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

    @cached_property
    def _attachment(self) -> AttachmentSerializer:
        return AttachmentSerializer(context=self.context)

    def to_representation(self, message: Message) -> dict:
        attachments = self.context.get("written_attachments")
        if attachments is None:
            attachments = message.attachments.all()
        return {
            "id": message.pk,
            "ticket_id": message.ticket_id,
            "kind": str(message.kind),
            "author": self.get_author(message),
            "body_text": message.body_text,
            "body_html": message.body_html,
            "channel": str(message.channel),
            "created_at": iso_datetime(message.created_at, timezone.get_current_timezone()),
            "attachments": [self._attachment.to_representation(a) for a in attachments],
        }


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]
        read_only_fields = fields
