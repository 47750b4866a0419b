"""The inputs that create and change tickets and messages over the API.

Each names what each role may set (``customer_fields``); anything else is a 400 naming the field
(``support.api.serializers.StrictInputSerializer``). The representations are in
``tickets.serializers``. Rules between fields that the serializers check are stated in the
served schema too (``schema_constrain``), so a body the schema allows is taken.
"""

from __future__ import annotations

import functools
import json
import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from support.api.schema import schema_constrain, schema_runtime_object
from support.api.serializers import StrictInputSerializer, id_field, nul_errors
from support.customfields import value_schema, value_strict
from tickets.fields.cache import ticket_fields
from tickets.models import Channel, MessageKind, Priority, Status, TicketType

MAX_FILES = 10


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


class MessageCreateSerializer(StrictInputSerializer):
    """A new message as multipart/form-data: the body may be empty when files are attached."""

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


class MessageCreateJsonSerializer(MessageCreateSerializer):
    """A new message as JSON, which carries no files: the body is not empty."""

    body = serializers.CharField(max_length=100_000)
    attachments = None


# A note sets no status.
schema_constrain(
    "MessageCreateJsonRequest",
    **{"not": {"required": ["kind", "status"], "properties": {"kind": {"const": "note"}}}},
)

# Multipart states the same two rules, and that the body may be blank only with files. Blank is
# what str.strip() removes (DRF trims the body, message_add refuses it empty without files).
# Said as one `anyOf` of the four ways to meet both rules — files or text, a reply or no status
# — with no `not`, `if` or `dependentSchemas`: schemathesis 4.32 validates a body whose files it
# drew as `Binary` against those and fails ("Unsupported type: 'Binary'"), or lets it through
# unchecked (docs/api.md, "Contract").
_BLANK = (
    "\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f"
    "\\u205f\\u3000"
)
_WITH_FILES = ({"attachments": {"minItems": 1}}, ["attachments"])
_WITH_TEXT = ({"body": {"pattern": f"[^{_BLANK}]"}}, [])
_AS_REPLY = {"kind": {"const": "reply"}}
_NO_STATUS = {"status": False}
schema_constrain(
    "MessageCreateRequest",
    anyOf=[
        {"properties": {**content, **kind}, **({"required": required} if required else {})}
        for content, required in (_WITH_FILES, _WITH_TEXT)
        for kind in (_AS_REPLY, _NO_STATUS)
    ],
)
