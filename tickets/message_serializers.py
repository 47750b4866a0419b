"""API representations of messages and attachments, and the inputs that add a message.

What a customer may read is chosen before these serialize (``tickets.selectors``: never an
internal note). Inputs name what each role may set; anything else is a 400 naming the field
(see ``support.api.serializers.StrictInputSerializer``). Tickets are in ``tickets.serializers``.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from support.api.schema import schema_constrain
from support.api.serializers import (
    StrictInputSerializer,
    iso_datetime,
)
from tickets.models import (
    Attachment,
    Message,
    MessageKind,
    Status,
)


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


# --- inputs ---------------------------------------------------------------------------------

MAX_FILES = 10


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
