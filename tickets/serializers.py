"""API representations of tickets and the inputs that create and change them.

Representations depend on who reads: customers never get agent-only fields (assignee, team,
tags, SLA due times). Inputs name what each role may set; anything else is a 400 naming the
field (see ``support.api.serializers.StrictInputSerializer``). Messages and attachments, which
a reply passes through alone, are in ``tickets.message_serializers``.
"""

from __future__ import annotations

import functools
import json
import re

from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from customers.serializers import CustomerSerializer, OrganizationSerializer
from support.api.schema import schema_constrain, schema_optional, schema_runtime_object
from support.api.serializers import (
    StrictInputSerializer,
    id_field,
    iso_datetime,
    nul_errors,
    serializing_for,
)
from support.customfields import value_schema, value_strict
from tickets.fields.cache import ticket_fields
from tickets.fields.services import customer_visible_keys
from tickets.message_serializers import MAX_FILES
from tickets.models import (
    Channel,
    Priority,
    Status,
    Tag,
    Ticket,
    TicketType,
)
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


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]
        read_only_fields = fields


# --- inputs ---------------------------------------------------------------------------------

# A tag as the API takes it: what ``normalize_tag`` keeps, letters in either case (stored in
# lower case). Exact, so a tag the schema allows is never refused and none other is taken.
TAG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"


@extend_schema_field({"type": "string", "pattern": TAG_PATTERN})
class TagField(serializers.CharField):
    def __init__(self, **kwargs) -> None:
        super().__init__(trim_whitespace=False, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not re.fullmatch(TAG_PATTERN[1:-1], value):
            raise serializers.ValidationError(
                f"{value!r} is not a tag: a letter or digit, then letters, digits, '-', '_', "
                "'.' or ':' (at most 64 characters)."
            )
        return value


class TicketFieldValues(serializers.DictField):
    """A new ticket's ``fields``: active ticket fields by key, each value of the JSON type its
    kind takes (``value_strict``; the served schema lists the keys, ``schema_runtime_object``
    below). In multipart/form-data it is one ``fields`` part holding that JSON object (the
    schema's ``encoding`` says ``application/json``), never one part per key."""

    def get_value(self, dictionary):
        if not html.is_html_input(dictionary):
            return super().get_value(dictionary)
        if self.field_name not in dictionary:
            return serializers.empty
        raw = dictionary.get(self.field_name)
        try:
            return json.loads(raw)
        except (TypeError, ValueError):
            return raw  # not a JSON object: refused as such ("Expected a dictionary")

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if nul_errors({"fields": values}):  # a JSON body is checked before, a part here
            raise serializers.ValidationError("Null characters are not allowed.")
        known = ticket_fields.get()
        # A bad value is the service's ValidationFailed naming fields.<key>; an unknown key is
        # refused by the service (``fields_clean``) the same way.
        return {
            key: value_strict(known[key], item) if key in known else item
            for key, item in values.items()
        }


def ticket_fields_schema(*, customer: bool = False) -> dict[str, dict]:
    """The active ticket fields' keys (a customer's: those customers may edit), each with the
    value it takes (null: none)."""
    return {
        key: value_schema(field)
        for key, field in ticket_fields.get().items()
        if field.active and (field.customer_editable or not customer)
    }


FORM_HELP = (
    "The ticket form it is filed through (GET /api/v1/ticket-forms): for a customer, its "
    "fields are the ones asked and its required ones must be filled in."
)


class TicketCreateSerializer(StrictInputSerializer):
    """A new ticket as multipart/form-data: files are ``attachments`` parts (with them the body
    may be empty), ``tags`` and ``cc`` one part per item, ``fields`` one part of JSON."""

    customer_fields = frozenset(
        {
            "subject",
            "body",
            "body_html",
            "type",
            "attachments",
            "product_id",
            "version_id",
            "component_id",
            "form_id",
            "fields",
        }
    )

    subject = serializers.CharField(max_length=250)
    body = serializers.CharField(max_length=100_000, allow_blank=True)
    body_html = serializers.CharField(
        max_length=200_000, required=False, allow_blank=True, default=""
    )
    requester_id = id_field(
        help_text="The customer the ticket is for: agents name one; customers file in their "
        "own name (not in a customer's schema)."
    )
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    type = serializers.ChoiceField(choices=TicketType.choices, default=TicketType.QUESTION)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    # A part holds text, not null: in multipart, leave an id's part out for none.
    team_id = id_field(required=False, default=None)
    assignee_id = id_field(required=False, default=None)
    product_id = id_field(required=False, default=None)
    version_id = id_field(required=False, default=None, help_text="A version of the product.")
    component_id = id_field(required=False, default=None, help_text="A component of the product.")
    form_id = id_field(required=False, default=None, help_text=FORM_HELP)
    fields = TicketFieldValues(
        required=False,
        help_text='Custom field values by key, e.g. {"browser": "chrome"}; customers only '
        "the fields they may edit. A bad value is a 400 naming fields.<key>.",
    )
    tags = serializers.ListField(child=TagField(), required=False, default=list, max_length=50)
    cc = serializers.ListField(
        child=serializers.EmailField(max_length=254),
        required=False,
        default=list,
        max_length=10,
        help_text="Agents: who else gets the public replies (email addresses).",
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=MAX_FILES
    )


class TicketCreateJsonSerializer(TicketCreateSerializer):
    """A new ticket as JSON, which carries no files: the body is not empty."""

    body = serializers.CharField(max_length=100_000)
    attachments = None
    team_id = id_field(required=False, allow_null=True, default=None)
    assignee_id = id_field(required=False, allow_null=True, default=None)
    product_id = id_field(required=False, allow_null=True, default=None)
    version_id = id_field(
        required=False, allow_null=True, default=None, help_text="A version of the product."
    )
    component_id = id_field(
        required=False, allow_null=True, default=None, help_text="A component of the product."
    )
    form_id = id_field(required=False, allow_null=True, default=None, help_text=FORM_HELP)


# A multipart body may be empty only with a file (``message_add``: "The message is empty.").
# A version or a component needs the product beside it ("Choose a product first.").
schema_constrain(
    "TicketCreateRequest",
    anyOf=[
        {"properties": {"body": {"minLength": 1}}},
        {"required": ["attachments"], "properties": {"attachments": {"minItems": 1}}},
    ],
    dependentRequired={"version_id": ["product_id"], "component_id": ["product_id"]},
)
_WITH_PRODUCT = {"required": ["product_id"], "properties": {"product_id": {"type": "integer"}}}
schema_constrain(
    "TicketCreateJsonRequest",
    dependentSchemas={
        name: {"anyOf": [{"properties": {name: {"type": "null"}}}, _WITH_PRODUCT]}
        for name in ("version_id", "component_id")
    },
)

for _component in ("TicketCreateRequest", "TicketCreateJsonRequest"):
    schema_runtime_object(
        _component,
        "fields",
        ticket_fields_schema,
        customer=functools.partial(ticket_fields_schema, customer=True),
        sources=(ticket_fields,),
    )


class TicketUpdateSerializer(StrictInputSerializer):
    customer_fields = frozenset({"status", "fields"})

    subject = serializers.CharField(max_length=250, required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    type = serializers.ChoiceField(choices=TicketType.choices, required=False)
    team_id = id_field(required=False, allow_null=True)
    assignee_id = id_field(required=False, allow_null=True)
    product_id = id_field(
        required=False,
        allow_null=True,
        help_text="Changing the product alone clears a version or component of the old one.",
    )
    version_id = id_field(required=False, allow_null=True)
    component_id = id_field(required=False, allow_null=True)
    form_id = id_field(required=False, allow_null=True, help_text="The ticket form (agents).")
    fields = serializers.DictField(
        required=False,
        help_text='Custom field values by key, e.g. {"browser": "chrome"}; customers only '
        "the fields they may edit. A bad value is a 400 naming fields.<key>.",
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=50,
        help_text="The ticket's whole tag list (replaces it).",
    )
    cc = serializers.ListField(
        child=serializers.CharField(max_length=254),
        required=False,
        max_length=10,
        help_text="The ticket's whole CC list (replaces it).",
    )


class TicketStatusSerializer(StrictInputSerializer):
    customer_fields = frozenset({"status", "fields"})
    status = serializers.ChoiceField(choices=Status.choices)


class TicketAssignSerializer(StrictInputSerializer):
    customer_fields = frozenset()
    assignee_id = id_field(required=False, allow_null=True)
    team_id = id_field(required=False, allow_null=True)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Send assignee_id, team_id or both.")
        return attrs


schema_constrain("TicketAssignRequest", minProperties=1)


class TicketMergeSerializer(StrictInputSerializer):
    customer_fields = frozenset()
    into_id = id_field(help_text="The ticket to merge this one into; it must be visible to you.")
    other_requester = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Required (true) when the two tickets have different requesters: the "
        "target's requester will read this ticket's public messages.",
    )
