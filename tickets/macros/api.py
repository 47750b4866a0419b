"""``/api/v1/macros``: list, read, create, change (PATCH, ``ETag``/``If-Match``), copy and
delete macros; ``POST /api/v1/tickets/{id}/macros/{macro_id}/apply`` applies one to a ticket.

Agents see their own macros, their teams' and the shared ones (admins every team's); another
agent's personal macro is a 404 for everyone. Agents keep personal macros; team and shared
macros are for admins (403). Customers get 404, as for every agent-only resource. Every write
calls ``tickets.macros.services``, the functions the pages call, so a refused action is the same
sentence, as a 400 naming ``actions.<key>``.
"""

from __future__ import annotations

import django_filters
from django.db import transaction
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Team
from support.api.filters import ordering_filter
from support.api.permissions import AgentsOnly, ApiPermission
from support.api.schema import (
    ID_REGEX,
    IF_MATCH,
    TICKET_ID_PARAM,
    schema_constrain,
    schema_runtime_object,
)
from support.api.serializers import StrictInputSerializer, id_field
from support.api.views import ApiViewMixin
from support.customfields import value_strict
from support.errors import NotFound, ValidationFailed
from support.ids import MAX_ID
from tickets.fields.cache import ticket_fields
from tickets.macros import services
from tickets.macros.models import Macro, MacroScope
from tickets.macros.selectors import macro_get_for_agent, macros_visible_to
from tickets.macros.serializers import ACTIONS_HELP, MacroSerializer
from tickets.models import Priority, TicketType
from tickets.selectors import ticket_get_for_agent
from tickets.serializers import TagField, ticket_fields_schema
from tickets.sla.api import EtagViewMixin
from tickets.workspace.canned import render_placeholders

# The statuses a macro sets (``MacroStatusEnum`` in the schema).
MACRO_STATUS_CHOICES = [(s.value, s.label) for s in services.MACRO_STATUSES]


@extend_schema_field(
    {
        "anyOf": [
            {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID, "format": "int64"},
            {"type": "string", "enum": ["me"]},
        ]
    }
)
class AssigneeField(serializers.Field):
    """An agent's id, ``"me"`` (whoever applies the macro) or ``null`` (unassign)."""

    def to_internal_value(self, data):
        if data == "me":
            return data
        if isinstance(data, float) and data.is_integer():
            data = int(data)  # 3.0 is a whole number, as JSON Schema's "integer" says
        if isinstance(data, bool) or not isinstance(data, int) or not 1 <= data <= MAX_ID:
            raise serializers.ValidationError('An agent\'s id, "me" or null.')
        return data

    def to_representation(self, value):  # pragma: no cover - input only
        return value


def _tags_field() -> serializers.ListField:
    return serializers.ListField(child=TagField(), required=False, min_length=1, max_length=50)


class MacroActionsSerializer(StrictInputSerializer):
    """What a macro does; each key optional, at least one. Exact, as the schema says: the
    service (``macro_clean_actions``, shared with the pages) takes form text too."""

    reply = serializers.CharField(
        required=False, max_length=services.MAX_TEXT, help_text="A public reply (placeholders)."
    )
    note = serializers.CharField(
        required=False, max_length=services.MAX_TEXT, help_text="An internal note."
    )
    status = serializers.ChoiceField(MACRO_STATUS_CHOICES, required=False)
    priority = serializers.ChoiceField(Priority.choices, required=False)
    type = serializers.ChoiceField(TicketType.choices, required=False)
    team = id_field(required=False, allow_null=True, help_text="A team id; null clears it.")
    assignee = AssigneeField(
        required=False,
        allow_null=True,
        help_text='An agent\'s id, "me" for whoever applies it, or null to unassign.',
    )
    tags_add = _tags_field()
    tags_remove = _tags_field()
    fields = serializers.DictField(
        required=False,
        help_text='Custom field values by key, null clears one: {"browser": "safari"}.',
    )

    def validate_fields(self, value: dict) -> dict:
        if not value:
            raise serializers.ValidationError("Name a field, or leave fields out.")
        known = ticket_fields.get()
        # Each value of the JSON type the schema states; a bad one is the service's
        # ValidationFailed naming fields.<key> (``_save`` names it actions.fields.<key>).
        try:
            return {
                key: value_strict(known[key], item) if key in known else item
                for key, item in value.items()
            }
        except ValidationFailed as exc:
            raise serializers.ValidationError(
                {exc.field.removeprefix("fields."): exc.message}
            ) from None


for _component in ("MacroActionsRequest",):
    schema_constrain(_component, minProperties=1)
    # The active ticket fields' keys, each with the value it takes (null clears it).
    schema_runtime_object(
        _component, "fields", ticket_fields_schema, sources=(ticket_fields,), minProperties=1
    )


class MacroInputSerializer(StrictInputSerializer):
    title = serializers.CharField(max_length=100)
    scope = serializers.ChoiceField(
        MacroScope.choices, default=MacroScope.PERSONAL, help_text="team and shared: admins."
    )
    team_id = id_field(allow_null=True, default=None, help_text="The team of a team macro.")
    active = serializers.BooleanField(default=True)
    actions = MacroActionsSerializer(help_text=ACTIONS_HELP)


class MacroApplySerializer(StrictInputSerializer):
    send_reply = serializers.BooleanField(
        default=True, help_text="Send the macro's public reply (if it has one)."
    )
    reply = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=services.MAX_TEXT,
        help_text="Send this text instead of the macro's reply.",
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=services.MAX_TEXT,
        help_text="Add this note instead of the macro's note.",
    )
    status = serializers.ChoiceField(
        MACRO_STATUS_CHOICES,
        required=False,
        help_text="Set this status instead of the macro's.",
    )


MACRO_ORDERINGS = {
    "title": ("title", "id"),
    "-updated_at": ("-updated_at", "-id"),
    "created_at": ("created_at", "id"),
}


class MacroFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter()
    scope = django_filters.ChoiceFilter(choices=MacroScope.choices, method="filter_scope")
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", max_length=100, help_text="Text in the title."
    )
    ordering = ordering_filter(MACRO_ORDERINGS)

    class Meta:
        model = Macro
        fields: list[str] = []

    def filter_scope(self, queryset, name, value):
        if value == MacroScope.PERSONAL:
            return queryset.filter(owner__isnull=False)
        if value == MacroScope.TEAM:
            return queryset.filter(team__isnull=False)
        return queryset.filter(owner__isnull=True, team__isnull=True)


def _team(team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise NotFound(f"No such team: {team_id}.", field="team_id")
    return team


def _save(**kwargs) -> Macro:
    """``macro_save`` with an action's error named as the API's field (``actions.status``): a
    400 for a bad value, a 404 for a team or agent id that names nothing."""
    try:
        return services.macro_save(**kwargs)
    except (ValidationFailed, NotFound) as exc:
        if exc.field in (*services.ACTION_KEYS, "tags") or (exc.field or "").startswith("fields."):
            exc.field = f"actions.{exc.field}"
        raise


MACRO_EXAMPLE = OpenApiExample(
    "Refund issued, solve",
    value={
        "title": "Refund issued — solve",
        "scope": "shared",
        "actions": {
            "reply": "Hi {{ customer.first_name }}, your refund is on its way.",
            "status": "solved",
            "tags_add": ["refund"],
        },
    },
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(summary="List the macros you can apply"),
    retrieve=extend_schema(summary="Get a macro"),
)
class MacroViewSet(ApiViewMixin, EtagViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MacroSerializer
    filterset_class = MacroFilter
    permission_classes = [ApiPermission, AgentsOnly]
    ordering_choices = MACRO_ORDERINGS
    default_ordering = "title"
    lookup_value_regex = ID_REGEX
    resource_path = "macros"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Macro.objects.none()
        return macros_visible_to(self.request.user)

    @extend_schema(
        summary="Create a macro",
        request=MacroInputSerializer,
        responses={201: MacroSerializer},
        examples=[MACRO_EXAMPLE],
    )
    def create(self, request, *args, **kwargs):
        data = MacroInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        macro = _save(
            agent=request.user,
            title=values["title"],
            actions=values["actions"],
            scope=values["scope"],
            team=_team(values["team_id"]),
            active=values["active"],
        )
        return self._respond(macro, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a macro",
        request=MacroInputSerializer,
        responses={200: MacroSerializer},
        parameters=[IF_MATCH],
        description="Send only the fields to change; ``actions`` replaces all the actions.",
    )
    def partial_update(self, request, *args, **kwargs):
        data = MacroInputSerializer(data=request.data, context={"request": request}, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with transaction.atomic():
            macro = self._locked_for_write()
            scope = values.get("scope", macro.scope)
            team = _team(values["team_id"]) if "team_id" in values else macro.team
            macro = _save(
                agent=request.user,
                title=values.get("title", macro.title),
                actions=values.get("actions", macro.actions),
                scope=scope,
                team=team,
                active=values.get("active", macro.active),
                macro=macro,
            )
        return self._respond(macro)

    @extend_schema(summary="Delete a macro", responses={204: None})
    def destroy(self, request, *args, **kwargs):
        services.macro_delete(agent=request.user, macro=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Copy a macro you can see",
        request=None,
        responses={201: MacroSerializer},
        description='Titled "… (copy)": the same scope for admins, else your personal macro '
        "(as the Copy button on the macros page).",
    )
    @action(detail=True, methods=["post"])
    def copy(self, request, *args, **kwargs):
        macro = services.macro_copy(agent=request.user, macro=self.get_object())
        return self._respond(macro, status.HTTP_201_CREATED)


class MacroAppliedSerializer(serializers.Serializer):
    ticket_id = serializers.IntegerField()
    status = serializers.CharField()
    priority = serializers.CharField()
    type = serializers.CharField()
    team_id = serializers.IntegerField(allow_null=True)
    assignee_id = serializers.IntegerField(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    message_ids = serializers.ListField(child=serializers.IntegerField())


MACRO_ID_PARAM = OpenApiParameter("macro_id", int, location=OpenApiParameter.PATH)


class TicketMacroApplyViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """``POST /api/v1/tickets/{id}/macros/{macro_id}/apply``."""

    serializer_class = MacroAppliedSerializer
    permission_classes = [ApiPermission, AgentsOnly]
    pagination_class = None

    @extend_schema(
        summary="Apply a macro to a ticket",
        parameters=[TICKET_ID_PARAM, MACRO_ID_PARAM],
        request=MacroApplySerializer,
        responses={200: MacroAppliedSerializer},
        description="Every change of the macro in one transaction, through the same services as "
        "the workspace: its field changes, its note, then its public reply (unless "
        "``send_reply`` is false) carrying the status. Texts get the ticket's placeholders.",
    )
    def apply(self, request, ticket_id, macro_id):
        ticket = ticket_get_for_agent(agent=request.user, ticket_id=int(ticket_id))
        macro = macro_get_for_agent(agent=request.user, macro_id=int(macro_id), active=True)
        data = MacroApplySerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data

        def text(key: str) -> str:
            if key in values:
                return values[key]
            return render_placeholders(
                macro.actions.get(key, ""), ticket=ticket, agent=request.user
            )

        sent = services.macro_apply(
            ticket=ticket,
            macro=macro,
            by=request.user,
            reply=text("reply") if values["send_reply"] else None,
            note=text("note"),
            status=values.get("status"),
        )
        ticket.refresh_from_db()
        applied = {
            "ticket_id": ticket.pk,
            "status": ticket.status,
            "priority": ticket.priority,
            "type": ticket.type,
            "team_id": ticket.team_id,
            "assignee_id": ticket.assignee_id,
            "tags": sorted(ticket.tags.values_list("name", flat=True)),
            "message_ids": [m.pk for m in sent],
        }
        return Response(self.get_serializer(applied).data)


__all__ = ["MacroViewSet", "TicketMacroApplyViewSet"]
