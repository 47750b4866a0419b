"""Routing rules, triggers and automations in ``/api/v1/``: ``routing-rules``, ``triggers`` and
``automations``.

Agents read them; admins list, create, change (PATCH), delete, copy, reorder and test them;
customers get 404, as for every agent-only resource. Every write goes through
``tickets.automation.services`` (the admin pages' path too), so a refused rule is a 400 naming
the field (``conditions.all[0].operator``). The three resources differ only in their model,
their representation and what the test runs, so one view set serves them all (``rule_views``).
"""

from __future__ import annotations

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from support.api.permissions import ApiPermission
from support.api.schema import ID_REGEX
from support.api.serializers import StrictInputSerializer, id_field
from support.api.views import ApiViewMixin
from support.errors import NotFound
from tickets.automation import services
from tickets.automation.dryrun import automation_dry_run, dry_run
from tickets.automation.models import Automation, RoutingRule, Trigger
from tickets.automation.serializers import RuleSerializer, TriggerSerializer
from tickets.selectors import ticket_get_for_agent


class AutomationPermission(permissions.BasePermission):
    """Agents (and admins) read; only admins write or test; customers get a 404."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user.is_authenticated:
            return True  # ApiPermission answers 401
        if not user.is_agent:
            raise exceptions.NotFound()
        if request.method not in permissions.SAFE_METHODS and not user.is_admin:
            raise exceptions.PermissionDenied("Only admins can change or test rules.")
        return True


@extend_schema_field(
    {
        "type": "object",
        "properties": {"all": {"type": "array"}, "any": {"type": "array"}},
        "additionalProperties": False,
    }
)
class ConditionsField(serializers.JSONField):
    """``{"all": [...], "any": [...]}``; each condition is checked by ``validate_rule``."""


@extend_schema_field({"type": "array", "items": {"type": "object"}, "minItems": 1, "maxItems": 30})
class ActionsField(serializers.JSONField):
    """``[{"action": ..., "value": ...}, ...]``; each is checked by ``validate_rule``."""


class RuleInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=120)
    is_active = serializers.BooleanField(required=False)
    conditions = ConditionsField(required=False)
    actions = ActionsField()


class TriggerInputSerializer(RuleInputSerializer):
    description = serializers.CharField(max_length=250, required=False, allow_blank=True)


class ReorderSerializer(StrictInputSerializer):
    ids = serializers.ListField(child=id_field(), min_length=1)


class TestSerializer(StrictInputSerializer):
    ticket_id = id_field()


DRY_RUN = inline_serializer(
    "AutomationDryRun",
    {
        "ticket": serializers.IntegerField(),
        "routing": serializers.ListField(child=serializers.DictField()),
        "triggers": serializers.ListField(child=serializers.DictField()),
    },
)


AUTOMATION_DRY_RUN = inline_serializer(
    "AutomationSweepDryRun",
    {
        "ticket": serializers.IntegerField(),
        "automations": serializers.ListField(child=serializers.DictField()),
    },
)


class _RuleViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Every endpoint of one kind of rule; :func:`rule_views` makes one per kind."""

    permission_classes = [ApiPermission, AutomationPermission]
    lookup_value_regex = ID_REGEX
    pagination_class = None
    model: type[RoutingRule] | type[Trigger] | type[Automation]
    input_class: type[RuleInputSerializer] = RuleInputSerializer
    resource_path = ""

    def get_queryset(self):
        return self.model.objects.order_by("position", "id")

    def dry_run(self, ticket) -> dict:
        return automation_dry_run(ticket) if self.model is Automation else dry_run(ticket)

    def _created(self, rule) -> Response:
        response = Response(self.get_serializer(rule).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/{self.resource_path}/{rule.pk}"
        return response

    def _input(self, request, *, partial: bool = False) -> dict:
        data = self.input_class(data=request.data, context={"request": request}, partial=partial)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def create(self, request, *args, **kwargs):
        values = self._input(request)
        values.setdefault("conditions", {})
        return self._created(services.rule_save(self.model(), by=request.user, **values))

    def partial_update(self, request, *args, **kwargs):
        values = self._input(request, partial=True)
        rule = services.rule_save(self.get_object(), by=request.user, **values)
        return Response(self.get_serializer(rule).data)

    def destroy(self, request, *args, **kwargs):
        services.rule_delete(self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def copy(self, request, *args, **kwargs):
        return self._created(services.rule_copy(self.get_object(), by=request.user))

    @action(detail=False, methods=["post"])
    def reorder(self, request):
        data = ReorderSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        services.rules_reorder(self.model, data.validated_data["ids"], by=request.user)
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    @action(detail=False, methods=["post"])
    def test(self, request):
        data = TestSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            ticket = ticket_get_for_agent(
                agent=request.user, ticket_id=data.validated_data["ticket_id"]
            )
        except NotFound:
            raise NotFound("No such ticket.", field="ticket_id") from None
        return Response(self.dry_run(ticket))


def rule_views(
    model: type[RoutingRule] | type[Trigger] | type[Automation],
    *,
    path: str,
    one: str,
    many: str,
    order: str,
    test: str,
) -> type[_RuleViewSet]:
    """The view set of one kind of rule, with its OpenAPI descriptions (``one``: "a trigger",
    ``many``: "triggers", ``order``: how the list is ordered, ``test``: what the test tells)."""
    input_class = RuleInputSerializer if model is RoutingRule else TriggerInputSerializer
    views = type(
        f"{model.__name__}ViewSet",
        (_RuleViewSet,),
        {
            "model": model,
            "serializer_class": RuleSerializer if model is RoutingRule else TriggerSerializer,
            "input_class": input_class,
            "resource_path": path,
            "__doc__": f"``/api/v1/{path}``: {many} (see the module).",
        },
    )
    return extend_schema_view(
        list=extend_schema(summary=f"List {many} {order} (agents)"),
        retrieve=extend_schema(summary=f"Get {one} (agents)"),
        create=extend_schema(summary=f"Create {one} (admins)", request=input_class),
        partial_update=extend_schema(summary=f"Change {one} (admins)", request=input_class),
        destroy=extend_schema(summary=f"Delete {one} (admins)", responses={204: None}),
        copy=extend_schema(
            summary=f"Copy {one}: last in the order, off until enabled (admins)",
            request=None,
            responses={201: views.serializer_class},
        ),
        reorder=extend_schema(summary=f"Reorder {many} (admins)", request=ReorderSerializer),
        test=extend_schema(
            summary=f"{test}, without changing it (admins)",
            request=TestSerializer,
            responses={200: AUTOMATION_DRY_RUN if model is Automation else DRY_RUN},
        ),
    )(views)


RoutingRuleViewSet = rule_views(
    RoutingRule,
    path="routing-rules",
    one="a routing rule",
    many="routing rules",
    order="in the order they are tried",
    test="Which rules would fire on a ticket",
)
TriggerViewSet = rule_views(
    Trigger,
    path="triggers",
    one="a trigger",
    many="triggers",
    order="in the order they run",
    test="Which rules would fire on a ticket",
)
AutomationViewSet = rule_views(
    Automation,
    path="automations",
    one="an automation",
    many="time-based automations",
    order="in the order they run",
    test="Which automations would act on a ticket now",
)
