"""SLA settings in ``/api/v1/``: ``sla-policies`` here, ``business-calendars`` in
``tickets.sla.calendar_api``.

Admins list, create, read, change (PATCH, with ``ETag`` / ``If-Match``) and delete them; agents
read them; customers get 404, as for every agent-only resource. Every change calls a
``tickets.sla.services`` function, the same ones the admin pages call, so the API validates
exactly as the pages do (time zone, weekly hours, warning percent, one default policy); a refused
value is a 400 naming the API's field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from accounts.models import Role, Team, User
from customers.models import Organization
from products.models import Product
from support.api.errors import PreconditionFailed
from support.api.filters import IdFilter, ordering_filter
from support.api.permissions import ApiPermission
from support.api.schema import (
    ID_REGEX,
    IDEMPOTENCY,
    IF_MATCH,
    schema_constrain,
    schema_runtime_object,
)
from support.api.serializers import StrictInputSerializer, id_field
from support.api.views import ApiViewMixin
from support.errors import AlreadyExists, InvalidChange, NotFound, ValidationFailed
from tickets.fields.cache import ticket_fields
from tickets.fields.models import CHOICE_KINDS
from tickets.models import Channel, Priority, TicketType
from tickets.serializers import TagField
from tickets.sla import services
from tickets.sla.models import BusinessCalendar, SlaPolicy

# A year of minutes: larger targets only overflow the business-time arithmetic.
MAX_TARGET_MINUTES = 525_600


class SlaSettingsPermission(permissions.BasePermission):
    """Agents (and admins) read; only admins write; customers get a 404, as for every agent-only
    resource (``support.api.AgentsOnly``): no hint that the resource exists."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user.is_authenticated:
            return True  # ApiPermission answers 401
        if not user.is_agent:
            raise exceptions.NotFound()
        if request.method not in permissions.SAFE_METHODS and not user.is_admin:
            raise exceptions.PermissionDenied("Only admins can change SLA settings.")
        return True


def content_etag(data: dict) -> str:
    """A strong ETag of the representation itself (the SLA models keep no change time)."""
    raw = json.dumps(data, sort_keys=True, cls=JSONEncoder).encode()
    return f'"{hashlib.sha256(raw).hexdigest()[:24]}"'


# The services (and the models' full_clean) name model fields; the API names its inputs.
API_FIELD = {
    "calendar": "calendar_id",
    "warning_team": "warning_team_id",
    "breach_team": "breach_team_id",
    "organizations": "organization_ids",
    "notify": "notify_ids",
    "__all__": "non_field_errors",
}


@contextmanager
def api_field_errors() -> Iterator[None]:
    """Model validation errors from a service as a 400 naming the API's fields."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                if any(error.code == "unique" for error in errors):  # a name already taken
                    message = " ".join(m for error in errors for m in error.messages)
                    raise AlreadyExists(message, field=API_FIELD.get(name, name)) from None
            raise exceptions.ValidationError(
                {API_FIELD.get(name, name): msgs for name, msgs in exc.message_dict.items()}
            ) from None
        raise exceptions.ValidationError(exc.messages) from None
    except ValidationFailed as exc:
        if exc.field:
            exc.field = API_FIELD.get(exc.field, exc.field)
        raise


class EtagViewMixin:
    """``ETag`` on answers about one object; ``If-Match`` checked before a change."""

    def _respond(self, obj, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=obj.pk)
        data = self.get_serializer(fresh).data
        response = Response(data, status=code)
        response["ETag"] = content_etag(data)
        if code == status.HTTP_201_CREATED:
            response["Location"] = f"/api/v1/{self.resource_path}/{fresh.pk}"
        return response

    def _locked_for_write(self):
        obj = self.get_object()
        self.get_queryset().model.objects.select_for_update().filter(pk=obj.pk).first()
        fresh = self.get_queryset().get(pk=obj.pk)
        header = self.request.headers.get("If-Match")
        if header and header.strip() != "*":
            current = self.get_serializer(fresh).data
            etag = content_etag(current)
            wanted = {tag.strip().removeprefix("W/") for tag in header.split(",")}
            if etag not in wanted:
                raise PreconditionFailed(current=current, etag=etag)
        return fresh

    def retrieve(self, request, *args, **kwargs):
        response = self._respond(self.get_object())
        seen = {
            tag.strip().removeprefix("W/")
            for tag in request.headers.get("If-None-Match", "").split(",")
        }
        if response["ETag"] in seen:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": response["ETag"]})
        return response


# --- SLA policies ---------------------------------------------------------------------------


class SlaPolicySerializer(serializers.ModelSerializer):
    calendar_id = serializers.IntegerField(read_only=True)
    priorities = serializers.ListField(child=serializers.ChoiceField(Priority.choices))
    channels = serializers.ListField(child=serializers.ChoiceField(Channel.choices))
    types = serializers.ListField(child=serializers.ChoiceField(TicketType.choices))
    product_ids = serializers.ListField(
        source="products", child=serializers.IntegerField(), read_only=True
    )
    field_values = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        read_only=True,
        help_text="Custom choice fields: the ticket's value is one of these choices' values.",
    )
    organization_ids = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    warning_team_id = serializers.IntegerField(read_only=True, allow_null=True)
    breach_team_id = serializers.IntegerField(read_only=True, allow_null=True)
    notify_ids = serializers.SerializerMethodField()

    class Meta:
        model = SlaPolicy
        fields = [
            "id",
            "name",
            "position",
            "is_active",
            "is_default",
            "calendar_id",
            "priorities",
            "channels",
            "types",
            "product_ids",
            "field_values",
            "organization_ids",
            "tags",
            "first_response_minutes",
            "next_reply_minutes",
            "resolution_minutes",
            "warning_percent",
            "warning_raise_priority",
            "warning_team_id",
            "breach_raise_priority",
            "breach_team_id",
            "notify_ids",
            "created_at",
        ]
        read_only_fields = fields

    def get_organization_ids(self, policy: SlaPolicy) -> list[int]:
        return sorted(org.pk for org in policy.organizations.all())

    def get_tags(self, policy: SlaPolicy) -> list[str]:
        return sorted(tag.name for tag in policy.tags.all())

    def get_notify_ids(self, policy: SlaPolicy) -> list[int]:
        return sorted(user.pk for user in policy.notify.all())


def _target_field(label: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        max_value=MAX_TARGET_MINUTES,
        allow_null=True,
        required=False,
        help_text=f"{label} target in minutes of business time; null for none.",
    )


class SlaPolicyInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=100)
    position = serializers.IntegerField(
        min_value=0, max_value=1_000_000, default=100, help_text="Lower is tried first."
    )
    is_active = serializers.BooleanField(default=True)
    is_default = serializers.BooleanField(
        default=False,
        help_text="Applies when no other policy matches; takes the flag from the old default.",
    )
    calendar_id = id_field(help_text="The business calendar its targets are measured in.")
    priorities = serializers.ListField(
        child=serializers.ChoiceField(Priority.choices), default=list, max_length=10
    )
    channels = serializers.ListField(
        child=serializers.ChoiceField(Channel.choices), default=list, max_length=20
    )
    types = serializers.ListField(
        child=serializers.ChoiceField(TicketType.choices), default=list, max_length=10
    )
    product_ids = serializers.ListField(child=id_field(), default=list, max_length=500)
    field_values = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(max_length=64), max_length=100),
        default=dict,
        help_text='Custom choice fields by key, each with choice values: {"browser": ["safari"]}.',
    )
    organization_ids = serializers.ListField(child=id_field(), default=list, max_length=500)
    tags = serializers.ListField(child=TagField(), default=list, max_length=50)
    first_response_minutes = _target_field("First response")
    next_reply_minutes = _target_field("Next reply")
    resolution_minutes = _target_field("Resolution")
    warning_percent = serializers.IntegerField(
        min_value=1, max_value=99, default=75, help_text="Warn at this % of a target."
    )
    warning_raise_priority = serializers.BooleanField(default=False)
    warning_team_id = id_field(allow_null=True, default=None)
    breach_raise_priority = serializers.BooleanField(default=False)
    breach_team_id = id_field(allow_null=True, default=None)
    notify_ids = serializers.ListField(
        child=id_field(),
        default=list,
        max_length=100,
        help_text="Agents also told about every warning and breach.",
    )


TARGETS = ("first_response_minutes", "next_reply_minutes", "resolution_minutes")
# A policy needs a target: a new one names at least one (not null); a change can't clear all
# three. A change that clears the last one the policy still has is a 409 — that depends on
# what is stored, which the schema can't know.
schema_constrain(
    "SlaPolicyInputRequest",
    anyOf=[{"required": [k], "properties": {k: {"type": "integer"}}} for k in TARGETS],
)
schema_constrain(
    "PatchedSlaPolicyInputRequest",
    **{"not": {"required": list(TARGETS), "properties": {k: {"type": "null"} for k in TARGETS}}},
)


def policy_field_values_schema() -> dict[str, dict]:
    """The keys ``field_values`` takes (``services.policy_field_values_clean``): every choice
    field, each with a list of its choices' values, retired ones too (tickets may hold them)."""
    return {
        key: {
            "type": "array",
            "maxItems": 100,
            "items": {"type": "string", "enum": [c.value for c in field.choice_list]},
        }
        for key, field in ticket_fields.get().items()
        if field.kind in CHOICE_KINDS
    }


for _component in ("SlaPolicyInputRequest", "PatchedSlaPolicyInputRequest"):
    schema_runtime_object(
        _component, "field_values", policy_field_values_schema, sources=(ticket_fields,)
    )


POLICY_SCALARS = (
    "name",
    "position",
    "is_active",
    "is_default",
    "priorities",
    "channels",
    "types",
    "first_response_minutes",
    "next_reply_minutes",
    "resolution_minutes",
    "warning_percent",
    "warning_raise_priority",
    "breach_raise_priority",
)


def _by_ids(queryset, ids: list[int], field: str, what: str) -> list:
    found = list(queryset.filter(pk__in=set(ids)))
    missing = sorted(set(ids) - {obj.pk for obj in found})
    if missing:
        raise NotFound(f"No such {what}: {', '.join(map(str, missing))}.", field=field)
    return found


def _one(queryset, pk: int | None, field: str, what: str):
    return _by_ids(queryset, [pk], field, what)[0] if pk is not None else None


POLICY_ORDERINGS = {
    "position": ("position", "id"),
    "-position": ("-position", "-id"),
    "name": ("name", "id"),
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
}


class SlaPolicyFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter()
    is_default = django_filters.BooleanFilter()
    calendar = IdFilter(field_name="calendar_id", help_text="Business calendar id.")
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", max_length=100, help_text="Text in the name."
    )
    ordering = ordering_filter(POLICY_ORDERINGS)

    class Meta:
        model = SlaPolicy
        fields: list[str] = []


POLICY_EXAMPLE = OpenApiExample(
    "Urgent tickets of key accounts",
    value={
        "name": "Key accounts, urgent",
        "position": 10,
        "calendar_id": 1,
        "priorities": ["urgent"],
        "organization_ids": [7],
        "first_response_minutes": 30,
        "resolution_minutes": 240,
        "warning_percent": 80,
        "breach_raise_priority": False,
    },
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(summary="List SLA policies in the order they are tried (agents)"),
    retrieve=extend_schema(summary="Get an SLA policy (agents)"),
)
class SlaPolicyViewSet(ApiViewMixin, EtagViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = SlaPolicySerializer
    filterset_class = SlaPolicyFilter
    permission_classes = [ApiPermission, SlaSettingsPermission]
    ordering_choices = POLICY_ORDERINGS
    default_ordering = "position"
    lookup_value_regex = ID_REGEX
    resource_path = "sla-policies"

    def get_queryset(self):
        return SlaPolicy.objects.prefetch_related("organizations", "tags", "notify")

    def _write(self, policy: SlaPolicy, values: dict) -> SlaPolicy:
        for field in POLICY_SCALARS:
            if field in values:
                setattr(policy, field, values[field])
        if "calendar_id" in values:
            policy.calendar = _one(
                BusinessCalendar.objects.all(), values["calendar_id"], "calendar_id", "calendar"
            )
        teams = Team.objects.all()
        if "warning_team_id" in values:
            policy.warning_team = _one(teams, values["warning_team_id"], "warning_team_id", "team")
        if "breach_team_id" in values:
            policy.breach_team = _one(teams, values["breach_team_id"], "breach_team_id", "team")
        if "field_values" in values:
            policy.field_values = values["field_values"]
        if "product_ids" in values:
            found = _by_ids(Product.objects.all(), values["product_ids"], "product_ids", "product")
            policy.products = [product.pk for product in found]
        organizations = notify = tags = None
        if "organization_ids" in values:
            organizations = _by_ids(
                Organization.objects.all(),
                values["organization_ids"],
                "organization_ids",
                "organization",
            )
        if "notify_ids" in values:
            notify = _by_ids(
                User.objects.filter(role__in=[Role.ADMIN, Role.AGENT], is_active=True),
                values["notify_ids"],
                "notify_ids",
                "agent",
            )
        if "tags" in values:
            tags = values["tags"]
        with api_field_errors():
            return services.policy_save(
                policy=policy, organizations=organizations, tags=tags, notify=notify
            )

    @extend_schema(
        summary="Create an SLA policy (admins)",
        request=SlaPolicyInputSerializer,
        responses={201: SlaPolicySerializer},
        parameters=[IDEMPOTENCY],
        examples=[POLICY_EXAMPLE],
        description="At least one target is needed. Conditions left empty match any ticket. "
        "New tickets match it at once; existing tickets when one of their matching fields "
        "changes.",
    )
    def create(self, request, *args, **kwargs):
        data = SlaPolicyInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            policy = self._write(SlaPolicy(), data.validated_data)
        return self._respond(policy, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change an SLA policy (admins)",
        request=SlaPolicyInputSerializer,
        responses={200: SlaPolicySerializer},
        parameters=[IF_MATCH],
        description="Send only the fields to change; list fields replace the whole list.",
    )
    def partial_update(self, request, *args, **kwargs):
        data = SlaPolicyInputSerializer(
            data=request.data, context={"request": request}, partial=True
        )
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if all(k in values and values[k] is None for k in TARGETS):
            raise ValidationFailed("A policy needs at least one target.", field=TARGETS[0])
        with transaction.atomic():
            policy = self._locked_for_write()
            if not any(values.get(k, getattr(policy, k)) for k in TARGETS):
                raise InvalidChange(
                    "This would clear the policy's last target; a policy needs at least one.",
                    field=next((k for k in TARGETS if k in values), TARGETS[0]),
                )
            policy = self._write(policy, values)
        return self._respond(policy)

    @extend_schema(
        summary="Delete an SLA policy (admins)",
        responses={204: None},
        description="Tickets that matched it keep its name and the clocks they have.",
    )
    def destroy(self, request, *args, **kwargs):
        services.policy_delete(policy=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
